// ---- Attention explorer (tokenlab.widgets.AttentionWidget) ----------------------------------
// One short sentence attending to itself: the table of scores (row = query token, column = key
// token), the softmax weights as a heatmap, and for one selected query the bars of its weights,
// its output vector and the input it ends up closest to. Every number is computed here in the
// browser, so the widget works on the static site with no kernel. In a live kernel each change
// also reaches Python, which recomputes "result" with tokenlab; when that result is for exactly
// the sentence and settings on screen, the widget shows it.
//
// Model state:
//   examples        [{label, tokens: [2..8 str], vectors: L x d}]  d from 2 to 16, one d for
//                   all (read)
//   wq, wk, wv      d x d_k, d x d_k, d x d_v matrices, or null = the identity (read)
//   features        [d str] or null: names of the d dimensions (read)
//   scale           bool: divide the scores by sqrt(d_k)      (read; written by its checkbox)
//   causal          bool: hide future keys                     (read; written likewise)
//   positions       bool: add the sinusoidal positions         (read; written likewise; only
//                   with an even d, as tokenlab.positional.sinusoidal)
//   position_scale  number: the factor on the positions (read)
//   temperature     number > 0                                 (read; written by the slider)
//   example         int: the sentence shown                    (read; written by the picker)
//   selected        int: the query whose mix is shown          (read; written on selection)
//   result          tokenlab.widgets.attention.attention_table(...) from the kernel (read only)
//
// The numbers (float64, as attention_table):
//   X' = X + position_scale * P, P[i][2j] = sin(i * 10000^(-2j/d)), P[i][2j+1] = cos(same)
//   Q = X' Wq, K = X' Wk, V = X' Wv (no matrix: X' itself)
//   score[i][j] = Q[i]·K[j] * (scale ? 1 / sqrt(d_k) : 1) / T;  masked (j > i, causal): -inf
//   weight[i]   = softmax of score[i] over the visible keys, max subtracted first; 0 where
//                 masked; a row with no visible key (cannot happen: the diagonal is kept) is
//                 all 0, never NaN
//   output[i]   = sum_j weight[i][j] V[j]
//   cosine[i][j] of output[i] with X[j] (the inputs without positions) when d_v = d, else with
//                 V[j]; each vector divided by max(|v|, 1e-8) first (torch's formula), then
//                 clamped to [-1, 1]. closest[i] = the first j within 1e-9 of the row's best.
//
// DOM contract (browser tests rely on it; keep it stable):
//   .tl-attn                                root element
//   .tl-attn-title                          the sentence's label
//   select.tl-attn-example                  one option per example (value = its index); its
//                                           label is hidden when there is only one example
//   input.tl-attn-scale                     checkbox: scale by 1/sqrt(d_k)
//   input.tl-attn-causal                    checkbox: causal mask
//   input.tl-attn-positions                 checkbox: add positional encoding; disabled when d
//                                           is odd (.tl-attn-check-note then says why)
//   input.tl-attn-temp                      type=range, 0.1 to 5, step 0.1: the temperature
//   .tl-attn-temp-value                     the temperature shown
//   .tl-attn-formula                        the formula in effect, in words
//   table.tl-attn-scores, table.tl-attn-weights   L x L, the same layout:
//     thead th.tl-attn-col[data-col=j]      key token j
//     tr.tl-attn-row[data-row=i]            query token i; class tl-attn-selected on the
//                                           selected row
//       th.tl-attn-rowhead button.tl-attn-pick[data-row=i]   selects query i (aria-pressed);
//                                           arrow keys Up/Down, Home, End move the selection
//       td.tl-attn-score[data-row=i][data-col=j]   data-value = String(number) at full
//                                           precision; masked: data-masked="true",
//                                           data-value="-Infinity", text "−∞"; else the text is
//                                           the number to 2 decimals ("-0.00" shows "0.00")
//       td.tl-attn-weight[data-row=i][data-col=j]  the same for the weight (masked: 0 and
//                                           data-masked="true"); style --tl-attn-w = the weight,
//                                           the cell's background intensity
//       td.tl-attn-rowsum[data-row=i]       (weights table) the row's sum, data-value
//   select.tl-attn-query                    the selected query (value = its index)
//   .tl-attn-bar-row[data-col=j]            one bar per key token for the selected query:
//     .tl-attn-bar-fill                     style width = weight * 100 %
//     .tl-attn-bar-value                    data-value = the weight; text to 2 decimals
//   table.tl-attn-output                    the selected query's output vector:
//     thead th.tl-attn-dim[data-dim=m]      the feature's name (wv null and features given),
//                                           else v1, v2, ...
//     tr.tl-attn-out-input                  (only when d_v = d) the query's input X[i]:
//       td[data-dim=m]                      data-value
//     tr.tl-attn-out-output td.tl-attn-out[data-dim=m]   output[i][m], data-value
//   .tl-attn-closest                        "The output of “a” (token 1) is closest ..." with
//                                           data-closest = j, data-value = the cosine,
//                                           data-closest-to = "inputs" or "values";
//                                           aria-live=polite
//   .tl-attn-status[data-source=S]          S = "browser" or "kernel": whose numbers are shown
// All text is set with textContent, never parsed as HTML.

const TL_ATTN_BASE = 10000; // tokenlab.positional.sinusoidal's base
const TL_ATTN_EPS = 1e-8; // torch's cosine_similarity eps
const TL_ATTN_TIE = 1e-9; // cosines this close to the best tie; the first wins
const TL_ATTN_MASKED = "\u2212\u221e"; // "−∞"
let tlAttnInstances = 0;

// ---- numbers --------------------------------------------------------------------------------

function tlAttnDot(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i += 1) s += a[i] * b[i];
  return s;
}

function tlAttnMatmul(a, w) {
  // a: n x m, w: m x p -> n x p
  const p = w[0].length;
  return a.map((row) => {
    const out = new Array(p).fill(0);
    for (let m = 0; m < row.length; m += 1) {
      for (let c = 0; c < p; c += 1) out[c] += row[m] * w[m][c];
    }
    return out;
  });
}

function tlAttnSinusoidal(length, d) {
  // As tokenlab.positional.sinusoidal: angle = i * base^(-2j/d); (sin, cos) pairs.
  const table = [];
  for (let i = 0; i < length; i += 1) {
    const row = new Array(d).fill(0);
    for (let c = 0; c < d; c += 2) {
      const angle = i * Math.pow(TL_ATTN_BASE, -(c / d));
      row[c] = Math.sin(angle);
      if (c + 1 < d) row[c + 1] = Math.cos(angle);
    }
    table.push(row);
  }
  return table;
}

function tlAttnCosine(a, b) {
  const unit = (v) => {
    const n = Math.max(Math.sqrt(tlAttnDot(v, v)), TL_ATTN_EPS);
    return v.map((x) => x / n);
  };
  return Math.min(1, Math.max(-1, tlAttnDot(unit(a), unit(b))));
}

function tlAttnCompute(st) {
  const x = st.vectors;
  const n = x.length;
  const d = st.d;
  const usePositions = st.positions && d % 2 === 0;
  let inputs = x.map((row) => [...row]);
  if (usePositions) {
    const p = tlAttnSinusoidal(n, d);
    inputs = x.map((row, i) => row.map((v, c) => v + st.position_scale * p[i][c]));
  }
  const project = (w) => (w ? tlAttnMatmul(inputs, w) : inputs.map((row) => [...row]));
  const q = project(st.wq);
  const k = project(st.wk);
  const v = project(st.wv);
  const dK = q[0].length;
  const dV = v[0].length;
  const factor = (st.scale ? 1 / Math.sqrt(dK) : 1) / st.temperature;
  const scores = [];
  const weights = [];
  for (let i = 0; i < n; i += 1) {
    const row = [];
    for (let j = 0; j < n; j += 1) {
      row.push(st.causal && j > i ? null : tlAttnDot(q[i], k[j]) * factor);
    }
    scores.push(row);
    const live = row.filter((s) => s !== null && Number.isFinite(s));
    const top = live.length ? Math.max(...live) : 0;
    const e = row.map((s) => (s !== null && Number.isFinite(s) ? Math.exp(s - top) : 0));
    const sum = e.reduce((a, b) => a + b, 0);
    weights.push(e.map((val) => (sum > 0 ? val / sum : 0)));
  }
  const output = weights.map((w) => {
    const out = new Array(dV).fill(0);
    w.forEach((wj, j) => {
      for (let c = 0; c < dV; c += 1) out[c] += wj * v[j][c];
    });
    return out;
  });
  const closestTo = dV === d ? "inputs" : "values";
  const targets = closestTo === "inputs" ? x : v;
  const cosines = output.map((o) => targets.map((t) => tlAttnCosine(o, t)));
  const closest = cosines.map((row) => {
    const best = Math.max(...row);
    return row.findIndex((c) => c >= best - TL_ATTN_TIE);
  });
  return {
    d, d_k: dK, d_v: dV, inputs, q, k, v, scores, weights, output,
    closest_to: closestTo, cosines, closest,
  };
}

// ---- helpers --------------------------------------------------------------------------------

function tlAttnFmt(v) {
  const s = Number(v).toFixed(2);
  return s === "-0.00" ? "0.00" : s;
}

function tlAttnEl(tag, className, parent, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

function tlAttnSame(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

function tlAttnNum(v) {
  const x = Number(v);
  return Number.isFinite(x) ? x : 0;
}

function tlAttnMatrix(w, rows) {
  // A rows x p matrix of numbers (p >= 1), or null (the identity) for anything else.
  if (!Array.isArray(w) || w.length !== rows || !Array.isArray(w[0]) || !w[0].length) {
    return null;
  }
  const p = w[0].length;
  return w.map((row) => Array.from({ length: p }, (_, c) => tlAttnNum((row || [])[c])));
}

// ---- the view -------------------------------------------------------------------------------

function render({ model, el }) {
  tlAttnInstances += 1;
  const uid = `tl-attn-${tlAttnInstances}-${Math.random().toString(36).slice(2, 8)}`;

  function readState() {
    const raw = Array.isArray(model.get("examples")) ? model.get("examples") : [];
    const examples = raw.length ? raw : [{ label: "", tokens: ["?", "?"], vectors: [[0, 0], [0, 0]] }];
    const first = (examples[0].vectors || [[]])[0] || [];
    const d = Math.max(1, first.length);
    const clean = examples.map((ex, e) => {
      const tokens = (Array.isArray(ex.tokens) ? ex.tokens : []).map((t) => String(t));
      const vectors = tokens.map((_, i) => Array.from({ length: d },
        (__, c) => tlAttnNum(((ex.vectors || [])[i] || [])[c])));
      const label = typeof ex.label === "string" ? ex.label : tokens.join(" ");
      return { label: label || `sentence ${e + 1}`, tokens, vectors };
    });
    const int = (v, size) => {
      const i = Math.trunc(tlAttnNum(v));
      return Math.min(Math.max(i, 0), Math.max(size - 1, 0));
    };
    const example = int(model.get("example"), clean.length);
    const ex = clean[example];
    const temperature = tlAttnNum(model.get("temperature"));
    const features = model.get("features");
    return {
      examples: clean,
      example,
      tokens: ex.tokens,
      vectors: ex.vectors,
      d,
      wq: tlAttnMatrix(model.get("wq"), d),
      wk: tlAttnMatrix(model.get("wk"), d),
      wv: tlAttnMatrix(model.get("wv"), d),
      features: Array.isArray(features) && features.length === d ? features.map(String) : null,
      scale: model.get("scale") !== false,
      causal: model.get("causal") === true,
      positions: model.get("positions") === true,
      position_scale: Number.isFinite(Number(model.get("position_scale")))
        ? Number(model.get("position_scale")) : 1,
      temperature: temperature > 0 ? temperature : 1,
      selected: int(model.get("selected"), ex.tokens.length),
    };
  }
  let st = readState();
  let numbers = null; // what is on screen: the browser's or the kernel's

  // ---- skeleton -------------------------------------------------------------------------
  const root = tlAttnEl("div", "tl-attn", el);
  const title = tlAttnEl("div", "tl-attn-title", root);

  const controls = tlAttnEl("div", "tl-attn-controls", root);
  const pickWrap = tlAttnEl("label", "tl-attn-pick-example", controls);
  tlAttnEl("span", "tl-attn-control-name", pickWrap, "sentence ");
  const exampleSel = tlAttnEl("select", "tl-attn-example", pickWrap);
  exampleSel.id = `${uid}-example`;

  function checkbox(cls, text, hint) {
    const label = tlAttnEl("label", "tl-attn-check", controls);
    const box = tlAttnEl("input", cls, label);
    box.type = "checkbox";
    box.id = `${uid}-${cls}`;
    label.append(` ${text}`);
    label.title = hint;
    return box;
  }
  const scaleBox = checkbox("tl-attn-scale", "scale by 1/√d_k",
    "divide every score by the square root of the query/key width d_k");
  const causalBox = checkbox("tl-attn-causal", "causal mask",
    "a token may only attend to itself and the tokens before it");
  const positionsBox = checkbox("tl-attn-positions", "add positional encoding",
    "add the sinusoidal position vectors to the inputs first");
  const positionsNote = tlAttnEl("span", "tl-attn-check-note", positionsBox.parentElement);

  const tempRow = tlAttnEl("div", "tl-attn-temp-row", controls);
  const tempLabel = tlAttnEl("label", "tl-attn-temp-label", tempRow, "temperature T ");
  tempLabel.htmlFor = `${uid}-temp`;
  const slider = tlAttnEl("input", "tl-attn-temp", tempRow);
  Object.assign(slider, { type: "range", min: "0.1", max: "5", step: "0.1", id: `${uid}-temp` });
  const tempValue = tlAttnEl("output", "tl-attn-temp-value", tempRow);
  tempValue.htmlFor = slider.id;

  const formula = tlAttnEl("div", "tl-attn-formula", root);

  const tables = tlAttnEl("div", "tl-attn-tables", root);
  function tableShell(cls, captionText) {
    const wrap = tlAttnEl("div", "tl-attn-table-wrap", tables);
    const table = tlAttnEl("table", `tl-attn-table ${cls}`, wrap);
    const caption = tlAttnEl("caption", "tl-attn-caption", table, captionText);
    const head = tlAttnEl("tr", null, tlAttnEl("thead", null, table));
    const body = tlAttnEl("tbody", null, table);
    return { table, caption, head, body };
  }
  const scoreT = tableShell("tl-attn-scores", "Scores");
  const weightT = tableShell("tl-attn-weights", "Weights (softmax of each row)");

  const mix = tlAttnEl("div", "tl-attn-mix", root);
  const queryWrap = tlAttnEl("label", "tl-attn-pick-query", mix);
  tlAttnEl("span", "tl-attn-control-name", queryWrap, "query ");
  const querySel = tlAttnEl("select", "tl-attn-query", queryWrap);
  querySel.id = `${uid}-query`;
  const mixNote = tlAttnEl("span", "tl-attn-mix-note", mix);
  const bars = tlAttnEl("div", "tl-attn-bars", mix);
  bars.setAttribute("role", "group");
  const outWrap = tlAttnEl("div", "tl-attn-table-wrap tl-attn-output-wrap", mix);
  const outTable = tlAttnEl("table", "tl-attn-table tl-attn-output", outWrap);
  const outCaption = tlAttnEl("caption", "tl-attn-caption tl-attn-output-caption", outTable);
  const outHead = tlAttnEl("tr", null, tlAttnEl("thead", null, outTable));
  const outBody = tlAttnEl("tbody", null, outTable);
  const closest = tlAttnEl("p", "tl-attn-closest", mix);
  closest.setAttribute("aria-live", "polite");
  const status = tlAttnEl("div", "tl-attn-status", root);

  // ---- per-sentence parts, rebuilt when the sentence or its shape changes -----------------
  let cells = null; // {score: [[td]], weight: [[td]], rowsum: [td], rows: [[tr, tr]], ...}
  let built = null; // what the parts were built for

  function tokenName(i) {
    return `“${st.tokens[i]}” (token ${i + 1})`;
  }

  function buildTable(t, kind) {
    t.head.replaceChildren();
    t.body.replaceChildren();
    const corner = tlAttnEl("th", "tl-attn-corner", t.head, "query ↓ key →");
    corner.scope = "col";
    st.tokens.forEach((tok, j) => {
      const th = tlAttnEl("th", "tl-attn-col", t.head, tok);
      th.scope = "col";
      th.dataset.col = String(j);
      th.title = `key: ${tokenName(j)}`;
    });
    if (kind === "weight") {
      const th = tlAttnEl("th", "tl-attn-col-sum", t.head, "Σ");
      th.scope = "col";
      th.title = "the row's sum";
    }
    const tds = [];
    const trs = [];
    const sums = [];
    st.tokens.forEach((tok, i) => {
      const tr = tlAttnEl("tr", "tl-attn-row", t.body);
      tr.dataset.row = String(i);
      const th = tlAttnEl("th", "tl-attn-rowhead", tr);
      th.scope = "row";
      const button = tlAttnEl("button", "tl-attn-pick", th, tok);
      button.type = "button";
      button.dataset.row = String(i);
      button.setAttribute("aria-label",
        `query ${tokenName(i)}: show its output mix (arrow keys move between queries)`);
      const row = [];
      st.tokens.forEach((_, j) => {
        const td = tlAttnEl("td", `tl-attn-cell tl-attn-${kind}`, tr);
        td.dataset.row = String(i);
        td.dataset.col = String(j);
        row.push(td);
      });
      if (kind === "weight") {
        const td = tlAttnEl("td", "tl-attn-rowsum", tr);
        td.dataset.row = String(i);
        sums.push(td);
      }
      tds.push(row);
      trs.push(tr);
    });
    return { tds, trs, sums };
  }

  function build() {
    const s = buildTable(scoreT, "score");
    const w = buildTable(weightT, "weight");
    querySel.replaceChildren();
    bars.replaceChildren();
    const barRows = st.tokens.map((tok, j) => {
      const o = tlAttnEl("option", null, querySel, `${j + 1}. ${tok}`);
      o.value = String(j);
      const row = tlAttnEl("div", "tl-attn-bar-row", bars);
      row.dataset.col = String(j);
      tlAttnEl("span", "tl-attn-bar-token", row, tok);
      const bar = tlAttnEl("span", "tl-attn-bar", row);
      bar.setAttribute("aria-hidden", "true");
      const fill = tlAttnEl("span", "tl-attn-bar-fill", bar);
      const value = tlAttnEl("span", "tl-attn-bar-value", row);
      return { row, fill, value };
    });
    cells = { score: s.tds, weight: w.tds, rowsum: w.sums, rows: [s.trs, w.trs], barRows };
    built = { tokens: [...st.tokens] };
  }

  function buildOutput(r) {
    // The output table's header and rows follow d_v, the features and whether X fits.
    const names = !st.wv && st.features
      ? st.features
      : Array.from({ length: r.d_v }, (_, m) => `v${m + 1}`);
    outHead.replaceChildren();
    outBody.replaceChildren();
    const corner = tlAttnEl("th", "tl-attn-corner", outHead, "");
    corner.scope = "col";
    names.forEach((name, m) => {
      const th = tlAttnEl("th", "tl-attn-dim", outHead, name);
      th.scope = "col";
      th.dataset.dim = String(m);
    });
    const line = (cls, label, values, cellCls) => {
      const tr = tlAttnEl("tr", cls, outBody);
      const th = tlAttnEl("th", null, tr, label);
      th.scope = "row";
      values.forEach((val, m) => {
        const td = tlAttnEl("td", cellCls, tr, tlAttnFmt(val));
        td.dataset.dim = String(m);
        td.dataset.value = String(Number(val));
      });
    };
    const i = st.selected;
    if (r.closest_to === "inputs") line("tl-attn-out-input", "input x", st.vectors[i], null);
    line("tl-attn-out-output", "output", r.output[i], "tl-attn-out");
  }

  function describe() {
    const x = st.positions && st.d % 2 === 0
      ? `X' = X + ${st.position_scale === 1 ? "" : `${st.position_scale} × `}P (sinusoidal ` +
        "positions); "
      : "";
    const src = x ? "X'" : "X";
    let proj;
    if (!st.wq && !st.wk && !st.wv) proj = `Q = K = V = ${src}; `;
    else {
      proj = ["Q", "K", "V"].map((n, c) => {
        const w = [st.wq, st.wk, st.wv][c];
        return w ? `${n} = ${src}·W${n.toLowerCase()}` : `${n} = ${src}`;
      }).join(", ") + "; ";
    }
    const dK = st.wq ? st.wq[0].length : st.d;
    const scaled = st.scale ? ` / √${dK}` : "";
    const mask = st.causal ? "; a key after the query is masked (−∞, weight 0)" : "";
    return `${x}${proj}scores = Q·Kᵀ${scaled} / T${mask}; weights = softmax of each row; ` +
      "output = weights · V.";
  }

  function place() {
    title.textContent = st.examples[st.example].label;
    const labels = st.examples.map((ex) => ex.label);
    if (!tlAttnSame([...exampleSel.options].map((o) => o.textContent), labels)) {
      exampleSel.replaceChildren();
      labels.forEach((label, e) => {
        const o = tlAttnEl("option", null, exampleSel, label);
        o.value = String(e);
      });
    }
    exampleSel.value = String(st.example);
    pickWrap.hidden = st.examples.length <= 1;
    scaleBox.checked = st.scale;
    causalBox.checked = st.causal;
    const odd = st.d % 2 !== 0;
    positionsBox.disabled = odd;
    positionsBox.checked = st.positions && !odd;
    positionsNote.textContent = odd ? ` (needs an even d; here d = ${st.d})` : "";
    positionsBox.parentElement.title = odd
      ? `the sinusoidal encoding needs an even d; these vectors have d = ${st.d}`
      : "add the sinusoidal position vectors to the inputs first";
    slider.value = String(st.temperature);
    tempValue.textContent = Number.isInteger(st.temperature * 10)
      ? st.temperature.toFixed(1)
      : String(st.temperature);
    formula.textContent = describe();
    querySel.value = String(st.selected);
    cells.rows.forEach((trs) => trs.forEach((tr, i) => {
      tr.classList.toggle("tl-attn-selected", i === st.selected);
      tr.querySelector(".tl-attn-pick").setAttribute("aria-pressed",
        i === st.selected ? "true" : "false");
    }));
  }

  function show(r, source) {
    numbers = r;
    const dK = r.d_k;
    scoreT.caption.textContent = st.scale ? `Scores: Q·Kᵀ / √${dK} / T` : "Scores: Q·Kᵀ / T";
    st.tokens.forEach((_, i) => {
      let sum = 0;
      st.tokens.forEach((__, j) => {
        const s = r.scores[i][j];
        const td = cells.score[i][j];
        const masked = s === null || s === undefined;
        if (masked) {
          td.dataset.masked = "true";
          td.dataset.value = "-Infinity";
          td.textContent = TL_ATTN_MASKED;
          td.title = "masked: a key after the query";
        } else {
          delete td.dataset.masked;
          td.dataset.value = String(Number(s));
          td.textContent = tlAttnFmt(s);
          td.title = "";
        }
        const w = Number(r.weights[i][j]);
        sum += w;
        const wd = cells.weight[i][j];
        wd.dataset.value = String(w);
        wd.textContent = tlAttnFmt(w);
        if (masked) wd.dataset.masked = "true";
        else delete wd.dataset.masked;
        const level = Math.max(0, Math.min(1, w));
        wd.style.setProperty("--tl-attn-w", String(level));
        wd.classList.toggle("tl-attn-strong", level > 0.55);
      });
      cells.rowsum[i].dataset.value = String(sum);
      cells.rowsum[i].textContent = tlAttnFmt(sum);
    });
    showMix(r);
    status.dataset.source = source;
    status.textContent = source === "kernel"
      ? "Computed by tokenlab in the Python kernel."
      : "Computed in your browser (no kernel needed).";
  }

  function showMix(r) {
    const i = st.selected;
    mixNote.textContent = ` weights of ${tokenName(i)} over the keys, and its output`;
    bars.setAttribute("aria-label", `attention weights of ${tokenName(i)}`);
    cells.barRows.forEach(({ row, fill, value }, j) => {
      const w = Number(r.weights[i][j]);
      fill.style.width = `${Math.max(0, Math.min(1, w)) * 100}%`;
      value.dataset.value = String(w);
      value.textContent = tlAttnFmt(w);
      row.classList.toggle("tl-attn-masked", r.scores[i][j] === null);
    });
    outCaption.textContent = `Output of “${st.tokens[i]}” = Σ weight × V`;
    buildOutput(r);
    const j = Number(r.closest[i]);
    const c = Number(r.cosines[i][j]);
    closest.dataset.closest = String(j);
    closest.dataset.value = String(c);
    closest.dataset.closestTo = r.closest_to;
    const what = r.closest_to === "inputs" ? "input vector" : "value vector";
    const self = j === i ? " (its own)" : "";
    closest.textContent = `The output of ${tokenName(i)} is closest (cosine ${tlAttnFmt(c)}) ` +
      `to the ${what} of ${tokenName(j)}${self}.`;
  }

  function showBrowser() {
    show(tlAttnCompute(st), "browser");
  }

  function rebuildIfNeeded() {
    if (!built || !tlAttnSame(built.tokens, st.tokens)) build();
  }

  let committing = false;

  function commit(names) {
    // The browser's numbers at once; in a live kernel Python answers through `result`.
    rebuildIfNeeded();
    place();
    showBrowser();
    committing = true;
    try {
      for (const name of names) model.set(name, st[name]);
      model.save_changes(); // no kernel on the static site: nothing listens, nothing breaks
    } catch (err) {
      // No kernel and no comm: the widget still computes in the page.
    } finally {
      committing = false;
    }
  }

  function select(i, focusIn) {
    const n = st.tokens.length;
    const next = Math.min(Math.max(i, 0), n - 1);
    if (focusIn) {
      const button = focusIn.querySelector(`.tl-attn-pick[data-row="${next}"]`);
      if (button) button.focus();
    }
    if (next === st.selected) return;
    st.selected = next;
    place();
    if (numbers) showMix(numbers);
    committing = true;
    try {
      model.set("selected", next);
      model.save_changes();
    } catch (err) {
      // No kernel: nothing to tell.
    } finally {
      committing = false;
    }
  }

  // ---- events ---------------------------------------------------------------------------
  exampleSel.addEventListener("change", () => {
    const e = Number(exampleSel.value);
    if (!Number.isInteger(e) || e === st.example) return;
    st.example = e;
    st.tokens = st.examples[e].tokens;
    st.vectors = st.examples[e].vectors;
    st.selected = Math.min(st.selected, st.tokens.length - 1);
    commit(["example", "selected"]);
  });
  for (const [box, name] of [[scaleBox, "scale"], [causalBox, "causal"],
    [positionsBox, "positions"]]) {
    box.addEventListener("change", () => {
      if (box.checked === st[name]) return;
      st[name] = box.checked;
      commit([name]);
    });
  }
  slider.addEventListener("input", () => {
    const t = Number(slider.value);
    if (!(t > 0) || t === st.temperature) return;
    st.temperature = t;
    commit(["temperature"]);
  });
  querySel.addEventListener("change", () => select(Number(querySel.value), null));

  const ROW_KEYS = { ArrowUp: -1, ArrowDown: 1 };
  for (const t of [scoreT, weightT]) {
    t.body.addEventListener("click", (evt) => {
      const button = evt.target.closest && evt.target.closest(".tl-attn-pick");
      if (button) select(Number(button.dataset.row), t.body);
    });
    t.body.addEventListener("keydown", (evt) => {
      const button = evt.target.closest && evt.target.closest(".tl-attn-pick");
      if (!button || evt.altKey || evt.ctrlKey || evt.metaKey) return;
      const i = Number(button.dataset.row);
      let next = null;
      if (evt.key in ROW_KEYS) next = i + ROW_KEYS[evt.key];
      else if (evt.key === "Home") next = 0;
      else if (evt.key === "End") next = st.tokens.length - 1;
      if (next === null) return;
      evt.preventDefault();
      select(next, t.body);
    });
  }

  // ---- the model changed elsewhere (Python, another view): follow it ---------------------
  function onState() {
    if (committing) return;
    const next = readState();
    if (tlAttnSame(next, st)) return;
    st = next;
    rebuildIfNeeded();
    place();
    showBrowser();
    onResult(); // a kernel result that already fits the new state
  }

  function onResult() {
    const r = model.get("result") || {};
    const n = st.tokens.length;
    const square = (m) => Array.isArray(m) && m.length === n &&
      m.every((row) => Array.isArray(row) && row.length === n);
    const rows = (m) => Array.isArray(m) && m.length === n && m.every(Array.isArray);
    const fits = tlAttnSame(r.tokens, st.tokens) && tlAttnSame(r.vectors, st.vectors) &&
      tlAttnSame(r.wq, st.wq) && tlAttnSame(r.wk, st.wk) && tlAttnSame(r.wv, st.wv) &&
      r.scale === st.scale && r.causal === st.causal &&
      r.positions === (st.positions && st.d % 2 === 0) &&
      r.position_scale === st.position_scale && r.temperature === st.temperature &&
      square(r.scores) && square(r.weights) && square(r.cosines) && rows(r.output) &&
      Array.isArray(r.closest) && r.closest.length === n &&
      (r.closest_to === "inputs" || r.closest_to === "values") &&
      Number.isInteger(r.d_k) && Number.isInteger(r.d_v) &&
      r.output.every((row) => row.length === r.d_v);
    if (fits) show(r, "kernel");
  }

  const names = ["examples", "example", "wq", "wk", "wv", "features", "scale", "causal",
    "positions", "position_scale", "temperature", "selected"];
  const listeners = [
    ...names.map((n) => [`change:${n}`, onState]),
    ["change:result", onResult],
  ];
  for (const [event, handler] of listeners) model.on(event, handler);

  build();
  place();
  showBrowser();
  return () => {
    for (const [event, handler] of listeners) model.off(event, handler);
  };
}

export default { render };
