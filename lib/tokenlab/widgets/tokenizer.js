// ---- Tokenizer explorer (render part) ------------------------------------------------------
// This file is appended to widgets/js/tokenize.js (the browser port of tokenlab.text and
// tokenlab.bpe) to form one ES module, the widget's _esm. On the static site it computes every
// tokenization in the browser; in a live kernel, Python (tokenlab) recomputes each one and the
// widget shows the kernel's answer as soon as it arrives.
//
// DOM contract (browser tests rely on it):
//   .tl-tok                         root
//   input.tl-tok-input              the sentence
//   input.tl-tok-standardize        checkbox: standardize first
//   .tl-tok-row[data-level=L]       one row per level L in: word, char, bigram, jamo, bpe
//   .tl-tok-row .tl-tok-count       "N tokens"
//   .tl-tok-chip[data-token=T]      one chip per token, in order; BPE chips also carry data-id
//   .tl-tok-status[data-source=S]   S = "browser" or "kernel"

const TL_LEVELS = [
  ["word", "Words"],
  ["char", "Characters"],
  ["bigram", "Word bigrams"],
  ["jamo", "Jamo (자모)"],
  ["bpe", "BPE subwords"],
];

function tlTokenizeAll(text, doStandardize, bpeTok) {
  const t = doStandardize ? standardize(text) : text;
  const words = wordTokens(t);
  const out = {
    word: words,
    char: charTokens(t),
    bigram: ngrams(words, 2),
    jamo: jamoTokens(t),
  };
  if (bpeTok) {
    const ids = bpeTok.encode(t);
    out.bpe = bpeTok.tokenStrings(ids);
    out.bpe_ids = ids;
  }
  return out;
}

function tlColor(token) {
  // Same token, same colour: repeats stand out.
  return `hsl(${tokenHue(token)}, 70%, 82%)`;
}

function tlBpeLabel(bpeTok, id, token) {
  // A byte-level token can be part of a character (a Hangul syllable is 3 bytes in UTF-8):
  // show such a token's bytes in hex instead of a replacement character.
  if (!bpeTok || !token.includes("\uFFFD")) return [token, `id ${id}`];
  const hex = bytesHex(bpeTok.tokenKey(id));
  return [`<${hex}>`, `id ${id}: bytes ${hex}, part of a character`];
}

function render({ model, el }) {
  const bpeState = model.get("bpe") || {};
  const bpeTok = bpeState.merges ? new BPE(bpeState.merges, bpeState.pattern) : null;
  const root = document.createElement("div");
  root.className = "tl-tok";

  const controls = document.createElement("div");
  controls.className = "tl-tok-controls";
  const input = document.createElement("input");
  input.type = "text";
  input.className = "tl-tok-input";
  input.setAttribute("aria-label", "Sentence to tokenize");
  input.value = model.get("text");
  const stdLabel = document.createElement("label");
  const std = document.createElement("input");
  std.type = "checkbox";
  std.className = "tl-tok-standardize";
  std.checked = model.get("standardize");
  stdLabel.append(std, " standardize first");
  controls.append(input, stdLabel);

  const rows = {};
  const table = document.createElement("div");
  for (const [level, title] of TL_LEVELS) {
    if (level === "bpe" && !bpeTok) continue;
    const row = document.createElement("div");
    row.className = "tl-tok-row";
    row.dataset.level = level;
    const label = document.createElement("div");
    label.className = "tl-tok-label";
    label.textContent = title;
    const count = document.createElement("span");
    count.className = "tl-tok-count";
    label.append(count);
    const chips = document.createElement("div");
    chips.className = "tl-tok-chips";
    chips.setAttribute("aria-live", "polite");
    row.append(label, chips);
    table.append(row);
    rows[level] = { count, chips };
  }
  const status = document.createElement("div");
  status.className = "tl-tok-status";
  root.append(controls, table, status);
  el.append(root);

  function show(levels, source) {
    for (const [level, { count, chips }] of Object.entries(rows)) {
      const tokens = levels[level] || [];
      const ids = level === "bpe" ? levels.bpe_ids || [] : [];
      count.textContent = `${tokens.length} token${tokens.length === 1 ? "" : "s"}`;
      chips.replaceChildren();
      if (tokens.length === 0) {
        const empty = document.createElement("span");
        empty.className = "tl-tok-empty";
        empty.textContent = "(none)";
        chips.append(empty);
      }
      tokens.forEach((token, i) => {
        const chip = document.createElement("span");
        chip.className = "tl-tok-chip";
        chip.dataset.token = token;
        if (level === "bpe") {
          chip.dataset.id = String(ids[i]);
          [chip.textContent, chip.title] = tlBpeLabel(bpeTok, ids[i], token);
        } else {
          chip.textContent = token;
          chip.title = token;
        }
        chip.style.background = tlColor(token);
        chips.append(chip);
      });
    }
    status.dataset.source = source;
    status.textContent = source === "kernel"
      ? "Computed by tokenlab in the Python kernel."
      : "Computed in your browser (no kernel needed).";
  }

  function update() {
    show(tlTokenizeAll(input.value, std.checked, bpeTok), "browser");
    // In a live kernel this reaches Python, which answers through `result`.
    model.set("text", input.value);
    model.set("standardize", std.checked);
    model.save_changes();
  }

  function onResult() {
    const result = model.get("result") || {};
    if (result.text === input.value && result.standardize === std.checked && result.levels) {
      show(result.levels, "kernel");
    }
  }

  input.addEventListener("input", update);
  std.addEventListener("change", update);
  model.on("change:result", onResult);
  show(tlTokenizeAll(input.value, std.checked, bpeTok), "browser");
  return () => model.off("change:result", onResult);
}

export default { render };
