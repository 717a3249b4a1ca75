// ---- Tokenizer comparison (render part) -----------------------------------------------------
// Appended to widgets/js/tokenize.js and widgets/js/realtok.js to form one ES module, the
// TokenizerCompareWidget's _esm. The book's BPE and BERT's WordPiece come in the widget state;
// the cl100k_base / o200k_base rank files are fetched from the site's own static folder
// (vendor/tiktoken/, put there by tools/fetch_static.py). In a live kernel, Python (tokenlab)
// recomputes all four on every change and the widget shows the kernel's answer.
//
// DOM contract (browser tests rely on it):
//   .tl-cmp                                   root
//   input.tl-cmp-input                        the sentence
//   .tl-cmp-chars[data-count=N]               its length in characters (code points)
//   .tl-cmp-panel[data-tokenizer=K]           K in: bpe, wordpiece, cl100k_base, o200k_base;
//                                             data-state: ready | loading | unavailable | kernel
//   .tl-cmp-panel .tl-cmp-count[data-count=N] "N tokens"
//   .tl-cmp-panel .tl-cmp-ratio[data-value=R] "R tokens per character" (R = N / characters)
//   .tl-cmp-chip[data-id=I][data-token=T]     one chip per token, in order; .tl-cmp-unk: [UNK]
//   .tl-cmp-status[data-source=S]             S = "browser" or "kernel"

const TL_CMP_ORDER = ["bpe", "wordpiece", "cl100k_base", "o200k_base"];
const TL_CMP_RANKS = new Map(); // rank file URL -> Promise<Map>, shared by every widget on a page

function tlCmpVendor() {
  // tokenlab-widgets.js (loaded on every page with widgets) says where the site's vendor folder
  // is; failing that, Sphinx's data-content_root on <html> does.
  if (typeof globalThis.TOKENLAB_VENDOR === "string") return globalThis.TOKENLAB_VENDOR;
  const root = typeof document !== "undefined" ? document.documentElement.dataset.content_root : undefined;
  if (root === undefined) return null;
  return new URL(`${root}_static/vendor/`, document.baseURI).href;
}

function tlCmpRanks(file, size) {
  const vendor = tlCmpVendor();
  if (!vendor) return Promise.reject(new Error("no static folder on this page"));
  const url = `${vendor}tiktoken/${file}`;
  let ranks = TL_CMP_RANKS.get(url);
  if (ranks === undefined) {
    ranks = fetch(url)
      .then((r) => {
        if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
        return r.text();
      })
      .then((text) => {
        const map = parseTiktokenRanks(text);
        if (size && map.size !== size) {
          throw new Error(`${url} has ${map.size} ranks, expected ${size}`);
        }
        return map;
      });
    TL_CMP_RANKS.set(url, ranks);
  }
  return ranks;
}

function tlCmpLabel(key, token) {
  // A byte-level token can be part of a character (a Hangul syllable is 3 bytes of UTF-8): show
  // its bytes in hex rather than a replacement character. key: the token's bytes, or null.
  if (key === null || !token.includes("\uFFFD")) return [token, null];
  const hex = bytesHex(key);
  return [`<${hex}>`, `bytes ${hex}, part of a character`];
}

function render({ model, el }) {
  const labels = model.get("labels") || {};
  const bpeState = model.get("bpe") || {};
  const tokenizers = {};
  if (bpeState.merges) tokenizers.bpe = BPE.fromDict(bpeState);
  const wpState = model.get("wordpiece") || {};
  if (wpState.vocab) tokenizers.wordpiece = new WordPiece(wpState);
  const encodings = model.get("encodings") || [];

  const root = document.createElement("div");
  root.className = "tl-cmp";
  const controls = document.createElement("div");
  controls.className = "tl-cmp-controls";
  const input = document.createElement("input");
  input.type = "text";
  input.className = "tl-cmp-input";
  input.setAttribute("aria-label", "Sentence to tokenize");
  input.value = model.get("text");
  const chars = document.createElement("span");
  chars.className = "tl-cmp-chars";
  controls.append(input, chars);

  const grid = document.createElement("div");
  grid.className = "tl-cmp-grid";
  const panels = {};
  const keys = TL_CMP_ORDER.filter(
    (k) => tokenizers[k] || encodings.some((e) => e.name === k),
  );
  for (const key of keys) {
    const panel = document.createElement("section");
    panel.className = "tl-cmp-panel";
    panel.dataset.tokenizer = key;
    const head = document.createElement("div");
    head.className = "tl-cmp-head";
    const title = document.createElement("span");
    title.className = "tl-cmp-title";
    title.textContent = labels[key] || key;
    const count = document.createElement("span");
    count.className = "tl-cmp-count";
    const ratio = document.createElement("span");
    ratio.className = "tl-cmp-ratio";
    head.append(title, count, ratio);
    const chips = document.createElement("div");
    chips.className = "tl-cmp-chips";
    chips.setAttribute("aria-live", "polite");
    panel.append(head, chips);
    grid.append(panel);
    panels[key] = { panel, count, ratio, chips };
  }
  const status = document.createElement("div");
  status.className = "tl-cmp-status";
  root.append(controls, grid, status);
  el.append(root);

  function showPanel(key, tokens, ids, state) {
    const { panel, count, ratio, chips } = panels[key];
    const n = Array.from(input.value).length;
    panel.dataset.state = state;
    chips.replaceChildren();
    if (tokens === null) {
      count.textContent = "";
      count.dataset.count = "";
      ratio.textContent = "";
      ratio.dataset.value = "";
      const note = document.createElement("span");
      note.className = "tl-cmp-note";
      note.textContent = state === "loading"
        ? "loading the merge ranks..."
        : "rank file not on this page: waiting for the kernel";
      chips.append(note);
      return;
    }
    const r = n ? ids.length / n : 0;
    count.dataset.count = String(ids.length);
    count.textContent = `${ids.length} token${ids.length === 1 ? "" : "s"}`;
    ratio.dataset.value = String(r);
    ratio.textContent = `${r.toFixed(2)} per character`;
    const tok = tokenizers[key];
    tokens.forEach((token, i) => {
      const chip = document.createElement("span");
      chip.className = "tl-cmp-chip";
      chip.dataset.id = String(ids[i]);
      chip.dataset.token = token;
      const byteLevel = key !== "wordpiece" && tok && tok.tokenKey;
      const [text, note] = tlCmpLabel(byteLevel ? tok.tokenKey(ids[i]) : null, token);
      chip.textContent = text;
      chip.title = `id ${ids[i]}${note ? `: ${note}` : ""}`;
      if (key === "wordpiece" && token === (wpState.unk || "[UNK]")) {
        chip.classList.add("tl-cmp-unk");
      } else {
        chip.style.setProperty("--tl-cmp-hue", String(tokenHue(token)));
      }
      chips.append(chip);
    });
  }

  function browserPanel(key) {
    const tok = tokenizers[key];
    if (!tok) {
      showPanel(key, null, null, panels[key].panel.dataset.state || "loading");
      return;
    }
    if (key === "wordpiece") {
      const tokens = tok.tokenize(input.value);
      showPanel(key, tokens, tokens.map((t) => tok.ids.get(t)), "ready");
    } else {
      const ids = tok.encode(input.value);
      showPanel(key, tok.tokenStrings(ids), ids, "ready");
    }
  }

  function showChars() {
    const n = Array.from(input.value).length;
    chars.dataset.count = String(n);
    chars.textContent = `${n} character${n === 1 ? "" : "s"}`;
  }

  function showBrowser() {
    showChars();
    for (const key of keys) browserPanel(key);
    status.dataset.source = "browser";
    status.textContent = "Computed in your browser (no kernel needed).";
  }

  function onResult() {
    const result = model.get("result") || {};
    if (result.text !== input.value || !result.tokenizers) return;
    showChars();
    for (const key of keys) {
      const entry = result.tokenizers[key];
      if (entry) showPanel(key, entry.tokens, entry.ids, "kernel");
    }
    status.dataset.source = "kernel";
    status.textContent = "Computed by tokenlab in the Python kernel.";
  }

  function update() {
    showBrowser();
    // In a live kernel this reaches Python, which answers through `result`.
    model.set("text", input.value);
    model.save_changes();
  }

  let alive = true;
  for (const enc of encodings) {
    panels[enc.name].panel.dataset.state = "loading";
    tlCmpRanks(enc.file, enc.size)
      .then((ranks) => {
        if (!alive) return;
        tokenizers[enc.name] = new Tiktoken(enc.name, ranks, enc.pattern);
        if (status.dataset.source === "browser") browserPanel(enc.name);
        root.dataset.loaded = String(Number(root.dataset.loaded || 0) + 1);
      })
      .catch((err) => {
        if (!alive) return;
        // Not an error on a page that does not serve the ranks (a notebook): the kernel answers.
        console.warn(`tokenlab: ${enc.name} stays with the kernel (${err.message})`);
        panels[enc.name].panel.dataset.state = "unavailable";
        if (status.dataset.source === "browser") browserPanel(enc.name);
      });
  }

  input.addEventListener("input", update);
  model.on("change:result", onResult);
  showBrowser();
  return () => {
    alive = false;
    model.off("change:result", onResult);
  };
}

export default { render };
