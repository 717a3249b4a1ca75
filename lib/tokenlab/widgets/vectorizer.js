// ---- Vectorizer explorer (tokenlab.widgets.VectorizerWidget) -------------------------------
// This file is appended to widgets/js/tokenize.js (the browser port of tokenlab.text) to form
// one ES module, the widget's _esm, so the browser standardizes and splits exactly as Python.
// The reader edits 1 to 4 short documents; the widget fits a vocabulary on them and shows four
// bag-of-words matrices (one row per document, one column per vocabulary index), all computed
// here in the browser, so it works on the static site with no kernel. In a live kernel each
// change also reaches Python, which recomputes "result" with tokenlab.vectorize.TextVectorizer;
// when that result is for exactly the documents and options on screen, the widget shows it.
//
// Model state:
//   documents   [str]          1 to 4 documents (read; written on every edit, add or remove)
//   ngrams      1 | 2          2: words and word bigrams (read; written by the checkbox)
//   max_tokens  int >= 2 | null  the largest vocabulary, mask and [UNK] included (read)
//   mode        "multi_hot" | "count" | "tf_idf_keras" | "tf_idf_sklearn" | "all": the matrix
//               shown (read; written by the radio buttons)
//   result      {documents, ngrams, max_tokens, vocabulary: [str], multi_hot: [[..]],
//               count, tf_idf_keras, tf_idf_sklearn, idf_keras: [..], idf_sklearn: [..]}
//               from the kernel (read only)
//
// The numbers (tokenlab.vectorize.TextVectorizer fitted on the documents themselves):
//   tokens      wordTokens(standardize(doc)), plus ngrams(words, [1, 2]) with bigrams
//   vocabulary  "" (mask) at 0, "[UNK]" at 1, then the tokens by count descending, ties by
//               token ascending in code point order (Python's str order); with max_tokens,
//               only the first max_tokens - 2 tokens, the others count as [UNK] (column 1)
//   multi_hot   1 if the token occurs in the document, else 0
//   count       how often it occurs
//   tf_idf_keras    count * idf, idf(t) = ln(1 + N / (1 + df(t))); the [UNK] column's idf is
//                   the mean idf of the vocabulary's tokens (0 if it has none)
//   tf_idf_sklearn  count * idf, idf(t) = ln((1 + N) / (1 + df(t))) + 1, [UNK] idf 0; each
//                   row divided by its Euclidean length (a row of zeros stays zeros)
//   (N documents, df(t) of them hold t.) Documents with no token at all give the vocabulary
//   ["", "[UNK]"] and zeros (Python's TextVectorizer.fit refuses them; the widget does not).
//
// DOM contract (browser tests rely on it; keep it stable):
//   .tl-vec                                  root element
//   textarea.tl-vec-doc[data-doc=i]          one text box per document i = 0, 1, ...
//   button.tl-vec-remove[data-doc=i]         removes document i (disabled with one left)
//   button.tl-vec-add                        adds an empty document (disabled with four)
//   input.tl-vec-ngrams                      checkbox: include bigrams (ngrams = 2)
//   input.tl-vec-mode[value=V]               radio buttons, V = multi_hot, count,
//                                            tf_idf_keras, tf_idf_sklearn or all
//   .tl-vec-vocab                            the vocabulary, one item per index, in order:
//     [data-index=j][data-token=T]           T the token ("" for the mask); the mask and
//                                            [UNK] items also have class tl-vec-special;
//                                            data-count: the token's count in the documents
//                                            ([UNK]: the OOV tokens; the mask: 0)
//   section.tl-vec-section[data-mode=M]      one per matrix M (hidden unless M or "all" is
//                                            selected); all four are always built
//     table.tl-vec-matrix[data-mode=M]       M = multi_hot, count, tf_idf_keras, tf_idf_sklearn
//       th.tl-vec-col[data-col=j]            column header: index j and its token
//       tr.tl-vec-row[data-row=i]            one row per document
//         td[data-row=i][data-col=j][data-value=V]   every vocabulary column j; V =
//                                            String(number) at full precision; the text is
//                                            the number (integers as they are, tf-idf to 2
//                                            decimals); --tl-vec-a: its shade, 0 to 1
//       tr.tl-vec-idf td[data-col=j][data-value=V]   tf-idf tables only: each column's idf
//   .tl-vec-summary                          "N documents, V vocabulary entries ..."
//   .tl-vec-status[data-source=S]            S = "browser" or "kernel": whose numbers are shown
// All text is set with textContent, never parsed as HTML.

const TL_VEC_MAX_DOCS = 4;
const TL_VEC_MASK = "";
const TL_VEC_OOV = "[UNK]";
const TL_VEC_MODES = [
  ["multi_hot", "multi-hot", "1 if the token occurs in the document, else 0."],
  ["count", "count", "How many times the token occurs in the document."],
  ["tf_idf_keras", "tf-idf (Keras)",
    "count × idf, idf = ln(1 + N / (1 + df)); the [UNK] column uses the mean idf. " +
    "No normalization."],
  ["tf_idf_sklearn", "tf-idf (scikit-learn, l2)",
    "count × idf, idf = ln((1 + N) / (1 + df)) + 1; [UNK] is dropped; each row is divided " +
    "by its length."],
];
const TL_VEC_VIEWS = [...TL_VEC_MODES.map((m) => m[0]), "all"];
let tlVecInstances = 0;

/** Python's str order: compare code points, not UTF-16 code units. */
function tlVecCmp(a, b) {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.codePointAt(i);
    const cb = b.codePointAt(j);
    if (ca !== cb) return ca < cb ? -1 : 1;
    i += ca > 0xffff ? 2 : 1;
    j += cb > 0xffff ? 2 : 1;
  }
  if (i < a.length) return 1;
  if (j < b.length) return -1;
  return 0;
}

/** The tokens of one document, as TextVectorizer(ngrams=n).analyze. */
function tlVecAnalyze(text, n) {
  const words = wordTokens(standardize(text));
  return n > 1 ? ngrams(words, [1, n]) : words;
}

/** Every number the widget shows, as vectorize_documents in vectorizer.py. */
function tlVecCompute(documents, n, maxTokens) {
  const lists = documents.map((d) => tlVecAnalyze(d, n));
  const counts = new Map();
  for (const tokens of lists) {
    for (const t of tokens) counts.set(t, (counts.get(t) || 0) + 1);
  }
  let ranked = [...counts.keys()].filter((t) => t !== TL_VEC_MASK && t !== TL_VEC_OOV);
  ranked.sort((a, b) => counts.get(b) - counts.get(a) || tlVecCmp(a, b));
  if (maxTokens != null) ranked = ranked.slice(0, Math.max(0, maxTokens - 2));
  const vocabulary = [TL_VEC_MASK, TL_VEC_OOV, ...ranked];
  const index = new Map(vocabulary.map((t, j) => [t, j]));
  const V = vocabulary.length;
  const N = documents.length;

  const count = lists.map((tokens) => {
    const row = new Array(V).fill(0);
    for (const t of tokens) {
      const j = index.has(t) ? index.get(t) : 1;
      if (j !== 0) row[j] += 1; // mask tokens are dropped from bags, as Keras does
    }
    return row;
  });
  const multiHot = count.map((row) => row.map((c) => (c > 0 ? 1 : 0)));
  const df = new Array(V).fill(0);
  for (const row of count) {
    for (let j = 2; j < V; j++) if (row[j] > 0) df[j] += 1;
  }
  const idfKeras = new Array(V).fill(0);
  const idfSklearn = new Array(V).fill(0);
  let sum = 0;
  for (let j = 2; j < V; j++) {
    idfKeras[j] = Math.log(1 + N / (1 + df[j]));
    idfSklearn[j] = Math.log((1 + N) / (1 + df[j])) + 1;
    sum += idfKeras[j];
  }
  idfKeras[1] = V > 2 ? sum / (V - 2) : 0;
  const tfIdfKeras = count.map((row) => row.map((c, j) => c * idfKeras[j]));
  const tfIdfSklearn = count.map((row) => {
    const values = row.map((c, j) => c * idfSklearn[j]);
    const norm = Math.sqrt(values.reduce((s, v) => s + v * v, 0));
    return norm === 0 ? values : values.map((v) => v / norm);
  });
  return {
    vocabulary,
    multi_hot: multiHot,
    count,
    tf_idf_keras: tfIdfKeras,
    tf_idf_sklearn: tfIdfSklearn,
    idf_keras: idfKeras,
    idf_sklearn: idfSklearn,
  };
}

function tlVecFmt(v, mode) {
  if (mode === "multi_hot" || mode === "count") {
    return Number.isInteger(v) ? String(v) : v.toFixed(2);
  }
  if (v === 0) return "0";
  const s = v.toFixed(2);
  return s === "-0.00" ? "0.00" : s;
}

function tlVecTokenText(token) {
  return token === TL_VEC_MASK ? '""' : token;
}

function tlVecEl(tag, className, parent, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

function tlVecSame(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

function render({ model, el }) {
  tlVecInstances += 1;
  const uid = `tl-vec-${tlVecInstances}-${Math.random().toString(36).slice(2, 8)}`;

  function readState() {
    const docs = model.get("documents");
    const documents = Array.isArray(docs)
      ? docs.slice(0, TL_VEC_MAX_DOCS).map((d) => (typeof d === "string" ? d : String(d ?? "")))
      : [];
    if (documents.length === 0) documents.push("");
    const mt = model.get("max_tokens");
    const mode = model.get("mode");
    return {
      documents,
      ngrams: model.get("ngrams") === 2 ? 2 : 1,
      maxTokens: Number.isInteger(mt) && mt >= 2 ? mt : null,
      mode: TL_VEC_VIEWS.includes(mode) ? mode : "all",
    };
  }
  let st = readState();

  // ---- skeleton -------------------------------------------------------------------------
  const root = tlVecEl("div", "tl-vec", el);
  const docsBox = tlVecEl("div", "tl-vec-docs", root);
  const docList = tlVecEl("div", "tl-vec-doc-list", docsBox);
  const addButton = tlVecEl("button", "tl-vec-add", docsBox, "+ add a document");
  addButton.type = "button";

  const options = tlVecEl("div", "tl-vec-options", root);
  const ngramLabel = tlVecEl("label", "tl-vec-ngrams-label", options);
  const ngramBox = tlVecEl("input", "tl-vec-ngrams", ngramLabel);
  ngramBox.type = "checkbox";
  ngramLabel.append(" include word bigrams (ngrams=2)");
  // A div with role radiogroup, not a fieldset: themes (Bootstrap) restyle <legend>.
  const modes = tlVecEl("div", "tl-vec-modes", options);
  modes.setAttribute("role", "radiogroup");
  const modesTitle = tlVecEl("span", "tl-vec-modes-title", modes, "show:");
  modesTitle.id = `${uid}-modes`;
  modes.setAttribute("aria-labelledby", modesTitle.id);
  const radios = {};
  for (const [value, title] of [...TL_VEC_MODES, ["all", "all four"]]) {
    const label = tlVecEl("label", "tl-vec-mode-label", modes);
    const radio = tlVecEl("input", "tl-vec-mode", label);
    Object.assign(radio, { type: "radio", name: `${uid}-mode`, value });
    label.append(` ${title}`);
    radios[value] = radio;
  }

  const vocabBox = tlVecEl("div", "tl-vec-vocab-box", root);
  const vocabTitle = tlVecEl("div", "tl-vec-heading", vocabBox);
  const vocabList = tlVecEl("ol", "tl-vec-vocab", vocabBox);
  vocabList.setAttribute("aria-label", "vocabulary: index and token");
  const summary = tlVecEl("p", "tl-vec-summary", root);
  summary.setAttribute("aria-live", "polite");

  const sections = {};
  const matrixBox = tlVecEl("div", "tl-vec-matrices", root);
  for (const [mode, title, formula] of TL_VEC_MODES) {
    const section = tlVecEl("section", "tl-vec-section", matrixBox);
    section.dataset.mode = mode;
    tlVecEl("div", "tl-vec-heading", section, title);
    tlVecEl("div", "tl-vec-formula", section, formula);
    const scroll = tlVecEl("div", "tl-vec-scroll", section);
    scroll.tabIndex = 0; // a wide table scrolls with the keyboard too
    scroll.setAttribute("role", "region");
    scroll.setAttribute("aria-label", `${title} matrix`);
    const table = tlVecEl("table", "tl-vec-matrix", scroll);
    table.dataset.mode = mode;
    sections[mode] = { section, table };
  }
  const status = tlVecEl("div", "tl-vec-status", root);

  // ---- the document boxes, rebuilt when their number changes or Python changes them ------
  let boxes = [];

  function buildDocs() {
    docList.replaceChildren();
    boxes = st.documents.map((text, i) => {
      const row = tlVecEl("div", "tl-vec-doc-row", docList);
      const label = tlVecEl("label", "tl-vec-doc-label", row, `d${i + 1}`);
      const area = tlVecEl("textarea", "tl-vec-doc", row);
      area.dataset.doc = String(i);
      area.id = `${uid}-doc-${i}`;
      area.rows = 1;
      area.spellcheck = false;
      area.value = text;
      area.placeholder = "type a short document";
      label.htmlFor = area.id;
      const remove = tlVecEl("button", "tl-vec-remove", row, "×");
      remove.type = "button";
      remove.dataset.doc = String(i);
      remove.title = `remove document d${i + 1}`;
      remove.setAttribute("aria-label", `remove document d${i + 1}`);
      remove.disabled = st.documents.length <= 1;
      return area;
    });
    addButton.disabled = st.documents.length >= TL_VEC_MAX_DOCS;
  }

  function placeOptions() {
    ngramBox.checked = st.ngrams === 2;
    radios[st.mode].checked = true;
    for (const [mode, { section }] of Object.entries(sections)) {
      section.hidden = !(st.mode === "all" || st.mode === mode);
    }
  }

  // ---- the numbers ------------------------------------------------------------------------
  function columnHeader(tr, vocabulary) {
    const corner = tlVecEl("th", "tl-vec-corner", tr);
    corner.scope = "col";
    corner.title = "document \\ vocabulary index";
    vocabulary.forEach((token, j) => {
      const th = tlVecEl("th", "tl-vec-col", tr);
      th.scope = "col";
      th.dataset.col = String(j);
      if (j < 2) th.classList.add("tl-vec-special");
      tlVecEl("span", "tl-vec-col-index", th, String(j));
      tlVecEl("span", "tl-vec-col-token", th, tlVecTokenText(token));
      th.title = j === 0 ? "0: the mask (padding), never counted"
        : j === 1 ? "1: [UNK], every token not in the vocabulary" : `${j}: ${token}`;
    });
  }

  function fillTable(mode, rows, idf, vocabulary) {
    const { table } = sections[mode];
    table.replaceChildren();
    const head = tlVecEl("tr", null, tlVecEl("thead", null, table));
    columnHeader(head, vocabulary);
    const top = Math.max(0, ...rows.flat().map((v) => Math.abs(v)));
    const body = tlVecEl("tbody", null, table);
    rows.forEach((row, i) => {
      const tr = tlVecEl("tr", "tl-vec-row", body);
      tr.dataset.row = String(i);
      const th = tlVecEl("th", "tl-vec-rowhead", tr, `d${i + 1}`);
      th.scope = "row";
      th.title = st.documents[i];
      row.forEach((v, j) => {
        const td = tlVecEl("td", null, tr, tlVecFmt(v, mode));
        td.dataset.row = String(i);
        td.dataset.col = String(j);
        td.dataset.value = String(v);
        const a = top > 0 ? Math.abs(v) / top : 0;
        td.style.setProperty("--tl-vec-a", a.toFixed(3));
        if (v === 0) td.classList.add("tl-vec-zero");
        if (a > 0.6) td.classList.add("tl-vec-hot");
        if (j < 2) td.classList.add("tl-vec-special");
        td.title = `d${i + 1}, ${tlVecTokenText(vocabulary[j])}: ${Number(v.toFixed(6))}`;
      });
    });
    if (idf) {
      const foot = tlVecEl("tfoot", null, table);
      const tr = tlVecEl("tr", "tl-vec-idf", foot);
      const th = tlVecEl("th", "tl-vec-rowhead", tr, "idf");
      th.scope = "row";
      th.title = "the inverse document frequency of each column";
      idf.forEach((v, j) => {
        const td = tlVecEl("td", null, tr, v === 0 ? "0" : v.toFixed(2));
        td.dataset.col = String(j);
        td.dataset.value = String(v);
        if (j < 2) td.classList.add("tl-vec-special");
        td.title = `idf of ${tlVecTokenText(vocabulary[j])}: ${Number(v.toFixed(6))}`;
      });
    }
  }

  function show(numbers, source) {
    const { vocabulary } = numbers;
    const colSums = vocabulary.map((_, j) => numbers.count.reduce((s, row) => s + row[j], 0));
    vocabTitle.textContent = `Vocabulary (${vocabulary.length} entries)`;
    vocabList.replaceChildren();
    vocabulary.forEach((token, j) => {
      const li = tlVecEl("li", "tl-vec-token", vocabList);
      li.dataset.index = String(j);
      li.dataset.token = token;
      li.dataset.count = String(colSums[j]);
      if (j < 2) li.classList.add("tl-vec-special");
      tlVecEl("span", "tl-vec-index", li, String(j));
      tlVecEl("span", "tl-vec-tok", li, tlVecTokenText(token));
      if (j >= 2 || colSums[j] > 0) tlVecEl("span", "tl-vec-count", li, `×${colSums[j]}`);
      li.title = j === 0 ? "index 0: the mask token (padding)"
        : j === 1 ? "index 1: [UNK], the out-of-vocabulary token"
          : `index ${j}: "${token}", ${colSums[j]} time${colSums[j] === 1 ? "" : "s"}`;
    });
    for (const [mode] of TL_VEC_MODES) {
      const idf = mode === "tf_idf_keras" ? numbers.idf_keras
        : mode === "tf_idf_sklearn" ? numbers.idf_sklearn : null;
      fillTable(mode, numbers[mode], idf, vocabulary);
    }
    const n = st.documents.length;
    const tokens = vocabulary.length - 2;
    let text = `${n} document${n === 1 ? "" : "s"}, ${vocabulary.length} vocabulary entries ` +
      `(${tokens} token${tokens === 1 ? "" : "s"} plus the mask and [UNK]).`;
    if (tokens === 0 && colSums[1] === 0) {
      text += " Type some words: the documents have no tokens yet.";
    } else if (st.maxTokens !== null) {
      text += ` max_tokens = ${st.maxTokens}: tokens beyond the first ` +
        `${Math.max(0, st.maxTokens - 2)} count as [UNK] (${colSums[1]} here).`;
    }
    const empty = numbers.count.flatMap((row, i) => (row.every((v) => v === 0) ? [i] : []));
    if (empty.length > 0 && tokens > 0) {
      text += ` ${empty.map((i) => `d${i + 1}`).join(", ")} ` +
        `${empty.length === 1 ? "has" : "have"} no tokens: a row of zeros.`;
    }
    summary.textContent = text;
    status.dataset.source = source;
    status.textContent = source === "kernel"
      ? "Computed by tokenlab in the Python kernel."
      : "Computed in your browser (no kernel needed).";
  }

  function showBrowser() {
    show(tlVecCompute(st.documents, st.ngrams, st.maxTokens), "browser");
  }

  let committing = false;

  function commit(names) {
    // The browser's numbers at once; in a live kernel Python answers through `result`.
    showBrowser();
    committing = true;
    try {
      if (names.includes("documents")) model.set("documents", [...st.documents]);
      if (names.includes("ngrams")) model.set("ngrams", st.ngrams);
      if (names.includes("mode")) model.set("mode", st.mode);
      model.save_changes(); // no kernel on the static site: nothing listens, nothing breaks
    } catch (err) {
      // No kernel and no comm: the widget still computes in the page.
    } finally {
      committing = false;
    }
  }

  docList.addEventListener("input", (evt) => {
    const area = evt.target;
    if (!area.classList || !area.classList.contains("tl-vec-doc")) return;
    const i = Number(area.dataset.doc);
    if (st.documents[i] === area.value) return;
    st.documents[i] = area.value;
    commit(["documents"]);
  });
  docList.addEventListener("click", (evt) => {
    const button = evt.target.closest && evt.target.closest(".tl-vec-remove");
    if (!button || st.documents.length <= 1) return;
    const i = Number(button.dataset.doc);
    st.documents.splice(i, 1);
    buildDocs();
    commit(["documents"]);
    boxes[Math.min(i, boxes.length - 1)].focus();
  });
  addButton.addEventListener("click", () => {
    if (st.documents.length >= TL_VEC_MAX_DOCS) return;
    st.documents.push("");
    buildDocs();
    commit(["documents"]);
    boxes[boxes.length - 1].focus();
  });
  ngramBox.addEventListener("change", () => {
    st.ngrams = ngramBox.checked ? 2 : 1;
    commit(["ngrams"]);
  });
  modes.addEventListener("change", (evt) => {
    const value = evt.target.value;
    if (!TL_VEC_VIEWS.includes(value) || value === st.mode) return;
    st.mode = value;
    placeOptions();
    commit(["mode"]);
  });

  // ---- the model changed elsewhere (Python, another view): follow it ---------------------
  function onState() {
    if (committing) return;
    const next = readState();
    if (tlVecSame(next, st)) return;
    const rebuild = !tlVecSame(next.documents, st.documents);
    const recompute = rebuild || next.ngrams !== st.ngrams || next.maxTokens !== st.maxTokens;
    st = next;
    if (rebuild) buildDocs();
    placeOptions();
    if (recompute) {
      showBrowser();
      onResult();
    }
  }

  function onResult() {
    const r = model.get("result") || {};
    const V = Array.isArray(r.vocabulary) ? r.vocabulary.length : -1;
    const n = st.documents.length;
    const matrix = (m) => Array.isArray(m) && m.length === n &&
      m.every((row) => Array.isArray(row) && row.length === V);
    const vector = (v) => Array.isArray(v) && v.length === V;
    if (V >= 2 && tlVecSame(r.documents, st.documents) && r.ngrams === st.ngrams &&
        (r.max_tokens ?? null) === st.maxTokens && TL_VEC_MODES.every(([m]) => matrix(r[m])) &&
        vector(r.idf_keras) && vector(r.idf_sklearn)) {
      show(r, "kernel");
    }
  }

  const listeners = [
    ...["documents", "ngrams", "max_tokens", "mode"].map((n) => [`change:${n}`, onState]),
    ["change:result", onResult],
  ];
  for (const [event, handler] of listeners) model.on(event, handler);

  buildDocs();
  placeOptions();
  showBrowser();
  return () => {
    for (const [event, handler] of listeners) model.off(event, handler);
  };
}

export default { render };
