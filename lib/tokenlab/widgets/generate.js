// ---- Generation widget (tokenlab.widgets.GenerateWidget) -------------------------------------
// A small GPT (tokenlab.lm.GPT) runs its forward pass here, in the browser: the reader types a
// prompt, moves the temperature / top-k / top-p sliders, sees the next token's distribution as
// bars (the 10 most likely tokens), and samples the text token by token. Everything works on the
// static site with no kernel. In a live kernel each change also reaches Python, which recomputes
// "result" with the model itself; when a new result is for exactly the text and settings on
// screen, the bars show it (the first render always shows the browser's own numbers) (sampling always uses the browser's numbers, which the kernel's equal
// to float32 rounding).
//
// Model state:
//   config       {vocab_size, width, heads, head_dim, layers, context, ff, positions, tied, eps}
//                (read)
//   tensors      [[name, shape, offset]]: where each tensor starts in the weights (read)
//   weights      base64 of every tensor's float32 values, little-endian, one after the other
//                (read); names: tok.weight (V x W), positions (context x W: the table the model
//                adds, learned or sinusoidal), blocks.{i}.ln1/ln2.{weight,bias},
//                blocks.{i}.attn.{q,k,v,out}_proj.{weight,bias} (W x W), blocks.{i}.ff.0.* (ff x
//                W), blocks.{i}.ff.2.* (W x ff), ln_f.{weight,bias}, head.weight (V x W, only
//                when not tied to tok.weight); a missing bias counts as zeros
//   vocab        [V str]: token id -> its text (read)
//   prompt       str (read; written by the prompt box)
//   generated    [int]: the ids sampled after the prompt (read; written by Sample and Reset)
//   temperature  number >= 0, 0 = greedy (read; written by its slider, 0 to 2 step 0.05)
//   top_k        int >= 1 or null = off (read; written by its slider, 0 = off, 1 to V)
//   top_p        number in (0, 1] or null = off (read; written by its slider, 0.05 to 1 step
//                0.05, 1 = off)
//   seed         int, 0 to 2^32 - 1 (read; written by the seed box)
//   result       tokenlab.widgets.generate.next_token(...) from the kernel (read only)
//
// The numbers (float64 from the float32 weights):
//   ids     = the prompt matched against the vocabulary, longest entry first at each place
//             (characters that start no entry are skipped and named), then `generated`;
//             the model sees only the last `context` of them
//   x       = tok[ids] + positions[0..L-1]
//   block   : x += out_proj(attention(ln1 x)); x += ff.2(gelu(ff.0(ln2 x)))   (pre-norm)
//             attention: per head h (columns h*head_dim ... of q, k, v), causal softmax of
//             q_i k_j / sqrt(head_dim) over j <= i, times v; LayerNorm: biased variance, eps;
//             gelu(x) = x/2 (1 + erf(x / sqrt 2)) with an erf good to ~1e-15
//   logits  = head(ln_f x) at the last position
//   probs   = tlGenFilter(logits, T, k, p), as tokenlab.lm.filter_logits: T = 0 puts all the
//             probability on the first most likely token; else softmax(logits / T), then
//             top-k keeps exactly the k most likely (k < V), then, renormalized, top-p (p < 1)
//             keeps the smallest set of most likely tokens whose total reaches p (the most
//             likely always kept); renormalized at the end. Ranks: higher probability first,
//             the lower id first on a tie.
//   sample  = the first id whose cumulative probability exceeds u, u = draw n (n = number of
//             tokens sampled so far, from 0) of mulberry32(seed)
//
// DOM contract (browser tests rely on it; keep it stable):
//   .tl-gen                           root element
//   input.tl-gen-prompt               the prompt (type=text); typing forgets the samples
//   input.tl-gen-temp                 type=range 0 to 2 step 0.05; .tl-gen-temp-value its value
//   input.tl-gen-topk                 type=range 0 to V step 1 (0 = off); .tl-gen-topk-value
//   input.tl-gen-topp                 type=range 0.05 to 1 step 0.05 (1 = off); .tl-gen-topp-value
//   input.tl-gen-seed                 type=number, the seed
//   button.tl-gen-sample              samples one token; button.tl-gen-sample-many samples 20;
//                                     both disabled when the model sees no token
//   button.tl-gen-reset               forgets the sampled tokens
//   .tl-gen-output                    the text: span.tl-gen-output-prompt (the prompt as the
//                                     model reads it) and span.tl-gen-output-new (the samples);
//                                     data-generated = JSON of the sampled ids
//   .tl-gen-note                      aria-live; data-skipped = JSON of the skipped characters,
//                                     data-dropped = how many earlier tokens did not fit
//   .tl-gen-kept                      data-kept = how many tokens can be sampled
//   .tl-gen-bar-row[data-id=i][data-rank=r]   one per shown token (most likely first, at most
//                                     10, only tokens that can be sampled):
//     .tl-gen-bar-token               the token (space "␣", newline "⏎", tab "⇥")
//     .tl-gen-bar-fill                style width = probability * 100 %
//     .tl-gen-bar-value               data-value = the probability at full precision; text
//                                     as a percentage with one decimal
//   .tl-gen-status[data-source=S]     S = "browser" or "kernel": whose numbers the bars show
// All text is set with textContent, never parsed as HTML.

const TL_GEN_BARS = 10;
const TL_GEN_MANY = 20;
const TL_GEN_TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
let tlGenInstances = 0;

// ---- numbers (exported for the node tests) ----------------------------------------------------

export function tlGenErf(x) {
  // Below 2: erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (1 3 5 ... (2n+1)), a series
  // of positive terms (no cancellation); from 2: 1 - erfc(x), erfc from its continued fraction
  // evaluated from the bottom; 1 past 6. Within ~1e-15 of Python's math.erf (tested).
  if (Number.isNaN(x)) return NaN;
  const sign = x < 0 ? -1 : 1;
  const ax = Math.abs(x);
  if (ax >= 6) return sign;
  const x2 = ax * ax;
  if (ax < 2) {
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 200; n += 1) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    return sign * TL_GEN_TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  }
  // erfc(x) = exp(-x^2) / sqrt(pi) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + 2 / ...))))
  let f = ax;
  for (let k = 120; k >= 1; k -= 1) f = ax + (k / 2) / f;
  return sign * (1 - Math.exp(-x2) / Math.sqrt(Math.PI) / f);
}

export function tlGenGelu(x) {
  return 0.5 * x * (1 + tlGenErf(x * Math.SQRT1_2));
}

function tlGenBytes(b64) {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i += 1) out[i] = s.charCodeAt(i);
  return out;
}

export function tlGenDecode(config, tensors, weights) {
  // {config, t: {name: Float64Array}}; throws if the state does not describe a whole model.
  const bytes = tlGenBytes(weights);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const t = {};
  for (const [name, shape, offset] of tensors) {
    const n = shape.reduce((a, b) => a * b, 1);
    if ((offset + n) * 4 > bytes.byteLength) throw new Error(`weights too short for ${name}`);
    const a = new Float64Array(n);
    for (let i = 0; i < n; i += 1) a[i] = view.getFloat32((offset + i) * 4, true);
    t[name] = a;
  }
  const W = config.width;
  const need = (name, size) => {
    if (!t[name]) {
      if (name.endsWith(".bias")) t[name] = new Float64Array(size);
      else throw new Error(`weights lack ${name}`);
    }
    if (t[name].length !== size) throw new Error(`${name} has the wrong size`);
  };
  need("tok.weight", config.vocab_size * W);
  need("positions", config.context * W);
  for (let i = 0; i < config.layers; i += 1) {
    const p = `blocks.${i}.`;
    for (const ln of ["ln1", "ln2"]) {
      need(`${p}${ln}.weight`, W);
      need(`${p}${ln}.bias`, W);
    }
    for (const proj of ["q_proj", "k_proj", "v_proj", "out_proj"]) {
      need(`${p}attn.${proj}.weight`, W * W);
      need(`${p}attn.${proj}.bias`, W);
    }
    need(`${p}ff.0.weight`, config.ff * W);
    need(`${p}ff.0.bias`, config.ff);
    need(`${p}ff.2.weight`, W * config.ff);
    need(`${p}ff.2.bias`, W);
  }
  need("ln_f.weight", W);
  need("ln_f.bias", W);
  if (!t["head.weight"]) t["head.weight"] = t["tok.weight"];
  need("head.weight", config.vocab_size * W);
  return { config, t };
}

function tlGenLayerNorm(x, rows, W, w, b, eps, out) {
  for (let i = 0; i < rows; i += 1) {
    const o = i * W;
    let mean = 0;
    for (let c = 0; c < W; c += 1) mean += x[o + c];
    mean /= W;
    let v = 0;
    for (let c = 0; c < W; c += 1) v += (x[o + c] - mean) * (x[o + c] - mean);
    const inv = 1 / Math.sqrt(v / W + eps);
    for (let c = 0; c < W; c += 1) out[o + c] = (x[o + c] - mean) * inv * w[c] + b[c];
  }
}

function tlGenLinear(x, rows, nIn, w, b, nOut, out) {
  // out[i][o] = b[o] + sum_c x[i][c] w[o][c]   (torch's Linear: w is nOut x nIn)
  for (let i = 0; i < rows; i += 1) {
    const xi = i * nIn;
    for (let o = 0; o < nOut; o += 1) {
      const wo = o * nIn;
      let s = b[o];
      for (let c = 0; c < nIn; c += 1) s += x[xi + c] * w[wo + c];
      out[i * nOut + o] = s;
    }
  }
}

export function tlGenForward(model, ids, allPositions = false, kv = null) {
  // Logits: a Float64Array of V for the last position, or (allPositions) an array of them for
  // every position computed. With `kv` (an object kept between calls) the keys and values of
  // each layer are kept: when the ids extend the last call's ids, only the new positions are
  // computed. Every row is computed by the same operations either way, so the logits are the
  // same bits as a recomputation from scratch.
  const { config, t } = model;
  const W = config.width;
  const H = config.heads;
  const D = config.head_dim;
  const F = config.ff;
  const V = config.vocab_size;
  const eps = config.eps;
  const L = ids.length;
  if (L < 1 || L > config.context) throw new Error(`need 1 to ${config.context} ids, got ${L}`);
  let start = 0;
  let K;
  let Vs;
  if (kv) {
    const extends_ = Array.isArray(kv.ids) && kv.ids.length <= L &&
      kv.ids.every((id, i) => id === ids[i]);
    if (!extends_ || !kv.k) {
      kv.ids = [];
      kv.k = Array.from({ length: config.layers }, () => new Float64Array(config.context * W));
      kv.v = Array.from({ length: config.layers }, () => new Float64Array(config.context * W));
    }
    start = Math.min(kv.ids.length, L - 1);
    K = kv.k;
    Vs = kv.v;
  } else {
    K = Array.from({ length: config.layers }, () => new Float64Array(L * W));
    Vs = Array.from({ length: config.layers }, () => new Float64Array(L * W));
  }
  const n = L - start; // the rows computed now: positions start .. L-1
  const x = new Float64Array(n * W);
  const tok = t["tok.weight"];
  const pos = t.positions;
  for (let r = 0; r < n; r += 1) {
    const i = start + r;
    for (let c = 0; c < W; c += 1) x[r * W + c] = tok[ids[i] * W + c] + pos[i * W + c];
  }
  const h = new Float64Array(n * W);
  const q = new Float64Array(n * W);
  const att = new Float64Array(n * W);
  const tmp = new Float64Array(n * W);
  const hid = new Float64Array(n * F);
  const scores = new Float64Array(L);
  const scale = 1 / Math.sqrt(D);
  for (let layer = 0; layer < config.layers; layer += 1) {
    const p = `blocks.${layer}.`;
    const k = K[layer];
    const v = Vs[layer];
    tlGenLayerNorm(x, n, W, t[`${p}ln1.weight`], t[`${p}ln1.bias`], eps, h);
    tlGenLinear(h, n, W, t[`${p}attn.q_proj.weight`], t[`${p}attn.q_proj.bias`], W, q);
    tlGenLinear(h, n, W, t[`${p}attn.k_proj.weight`], t[`${p}attn.k_proj.bias`], W,
      k.subarray(start * W, L * W));
    tlGenLinear(h, n, W, t[`${p}attn.v_proj.weight`], t[`${p}attn.v_proj.bias`], W,
      v.subarray(start * W, L * W));
    att.fill(0);
    for (let hh = 0; hh < H; hh += 1) {
      const off = hh * D;
      for (let r = 0; r < n; r += 1) {
        const i = start + r;
        let top = -Infinity;
        for (let j = 0; j <= i; j += 1) {
          let s = 0;
          for (let c = 0; c < D; c += 1) s += q[r * W + off + c] * k[j * W + off + c];
          s *= scale;
          scores[j] = s;
          if (s > top) top = s;
        }
        let sum = 0;
        for (let j = 0; j <= i; j += 1) {
          scores[j] = Math.exp(scores[j] - top);
          sum += scores[j];
        }
        for (let j = 0; j <= i; j += 1) {
          const wgt = scores[j] / sum;
          for (let c = 0; c < D; c += 1) att[r * W + off + c] += wgt * v[j * W + off + c];
        }
      }
    }
    tlGenLinear(att, n, W, t[`${p}attn.out_proj.weight`], t[`${p}attn.out_proj.bias`], W, tmp);
    for (let m = 0; m < n * W; m += 1) x[m] += tmp[m];
    tlGenLayerNorm(x, n, W, t[`${p}ln2.weight`], t[`${p}ln2.bias`], eps, h);
    tlGenLinear(h, n, W, t[`${p}ff.0.weight`], t[`${p}ff.0.bias`], F, hid);
    for (let m = 0; m < n * F; m += 1) hid[m] = tlGenGelu(hid[m]);
    tlGenLinear(hid, n, F, t[`${p}ff.2.weight`], t[`${p}ff.2.bias`], W, tmp);
    for (let m = 0; m < n * W; m += 1) x[m] += tmp[m];
  }
  if (kv) kv.ids = ids.slice();
  const rows = allPositions ? Array.from({ length: n }, (_, r) => r) : [n - 1];
  const head = t["head.weight"];
  const zeros = new Float64Array(V);
  const out = rows.map((r) => {
    const xr = new Float64Array(W);
    tlGenLayerNorm(x.subarray(r * W, (r + 1) * W), 1, W, t["ln_f.weight"], t["ln_f.bias"], eps,
      xr);
    const logits = new Float64Array(V);
    tlGenLinear(xr, 1, W, head, zeros, V, logits);
    return logits;
  });
  return allPositions ? out : out[0];
}

export function tlGenRank(probs) {
  // Ids by probability, highest first; the lower id first on a tie.
  return Array.from(probs, (_, i) => i).sort((a, b) => probs[b] - probs[a] || a - b);
}

function tlGenNormalize(p) {
  let s = 0;
  for (let i = 0; i < p.length; i += 1) s += p[i];
  for (let i = 0; i < p.length; i += 1) p[i] /= s;
  return p;
}

export function tlGenFilter(logits, temperature, topK, topP) {
  const V = logits.length;
  const out = new Float64Array(V);
  if (temperature === 0) {
    let best = 0;
    for (let i = 1; i < V; i += 1) if (logits[i] > logits[best]) best = i;
    out[best] = 1;
    return out;
  }
  let top = -Infinity;
  for (let i = 0; i < V; i += 1) top = Math.max(top, logits[i] / temperature);
  for (let i = 0; i < V; i += 1) out[i] = Math.exp(logits[i] / temperature - top);
  tlGenNormalize(out);
  if (topK !== null && topK !== undefined && topK < V) {
    const order = tlGenRank(out);
    for (let r = topK; r < V; r += 1) out[order[r]] = 0;
  }
  if (topP !== null && topP !== undefined && topP < 1) {
    tlGenNormalize(out);
    const order = tlGenRank(out);
    let before = 0;
    for (let r = 0; r < V; r += 1) {
      const i = order[r];
      const keep = r === 0 || before < topP;
      before += out[i];
      if (!keep) out[i] = 0;
    }
  }
  return tlGenNormalize(out);
}

export function tlGenEncode(text, vocab) {
  // {ids, skipped}: at each place the longest vocabulary entry that matches; a character that
  // starts none is skipped (Python's str indexing: code points, as here with Array.from).
  const chars = Array.from(text);
  const index = new Map(vocab.map((tok, i) => [tok, i]));
  const longest = Math.max(1, ...vocab.map((tok) => Array.from(tok).length));
  const ids = [];
  const skipped = [];
  let pos = 0;
  while (pos < chars.length) {
    let found = false;
    for (let size = Math.min(longest, chars.length - pos); size > 0; size -= 1) {
      const i = index.get(chars.slice(pos, pos + size).join(""));
      if (i !== undefined) {
        ids.push(i);
        pos += size;
        found = true;
        break;
      }
    }
    if (!found) {
      skipped.push(chars[pos]);
      pos += 1;
    }
  }
  return { ids, skipped };
}

export function tlGenMulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function tlGenSampleIndex(probs, u) {
  let total = 0;
  let last = 0;
  for (let i = 0; i < probs.length; i += 1) {
    if (probs[i] > 0) {
      last = i;
      total += probs[i];
      if (u < total) return i;
    }
  }
  return last;
}

export function tlGenNext(net, vocab, prompt, generated, temperature, topK, topP, cache) {
  // The next token's distribution, as tokenlab.widgets.generate.next_token: {promptIds,
  // skipped, ids (what the model sees: the last `context`), dropped, logits, probs}; logits and
  // probs are null when the model sees no id. `cache` (an object, optional) keeps the logits of
  // the last ids, so moving a slider does not rerun the model, and the keys and values of every
  // layer, so a sampled token (or a character typed at the end) computes one new position.
  const { ids: promptIds, skipped } = tlGenEncode(prompt, vocab);
  const all = promptIds.concat(generated);
  const context = net ? net.config.context : 0;
  const seen = all.slice(Math.max(0, all.length - context));
  const r = { promptIds, skipped, ids: seen, dropped: all.length - seen.length, logits: null,
    probs: null };
  if (!net || !seen.length) return r;
  const key = seen.join(",");
  let logits;
  if (cache && cache.key === key) logits = cache.logits;
  else {
    if (cache && !cache.kv) cache.kv = {};
    logits = tlGenForward(net, seen, false, cache ? cache.kv : null);
    if (cache) Object.assign(cache, { key, logits });
  }
  r.logits = logits;
  r.probs = tlGenFilter(logits, temperature, topK, topP);
  return r;
}

export function tlGenSample(net, vocab, prompt, generated, temperature, topK, topP, seed, count,
  cache) {
  // `generated` and `count` more ids: id n after the prompt (n from 0) takes draw n of
  // mulberry32(seed). Stops early if the model sees no id.
  const next = tlGenMulberry32(seed);
  for (let n = 0; n < generated.length; n += 1) next();
  let out = generated.slice();
  for (let s = 0; s < count; s += 1) {
    const r = tlGenNext(net, vocab, prompt, out, temperature, topK, topP, cache);
    if (!r.probs) break;
    out = out.concat([tlGenSampleIndex(r.probs, next())]);
  }
  return out;
}

// ---- helpers ----------------------------------------------------------------------------------

function tlGenEl(tag, className, parent, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

function tlGenSame(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function tlGenVisible(token) {
  return token.replace(/ /g, "\u2423").replace(/\n/g, "\u23ce").replace(/\t/g, "\u21e5");
}

function tlGenQuote(chars) {
  return chars.map((c) => `\u201c${tlGenVisible(c)}\u201d`).join(", ");
}

function tlGenPct(p) {
  return `${(100 * p).toFixed(1)}%`;
}

function tlGenNumber(v, fallback) {
  const x = Number(v);
  return v !== null && v !== undefined && Number.isFinite(x) ? x : fallback;
}

// ---- the view ---------------------------------------------------------------------------------

function render({ model, el }) {
  tlGenInstances += 1;
  const uid = `tl-gen-${tlGenInstances}-${Math.random().toString(36).slice(2, 8)}`;

  let net = null;
  let netError = "";
  try {
    net = tlGenDecode(model.get("config") || {}, model.get("tensors") || [],
      model.get("weights") || "");
  } catch (err) {
    netError = String(err && err.message ? err.message : err);
  }
  const V = net ? net.config.vocab_size : 0;
  const context = net ? net.config.context : 0;

  function readState() {
    const vocab = (Array.isArray(model.get("vocab")) ? model.get("vocab") : []).map(String);
    const generated = (Array.isArray(model.get("generated")) ? model.get("generated") : [])
      .map(Number).filter((i) => Number.isInteger(i) && i >= 0 && i < V);
    const k = model.get("top_k");
    const p = model.get("top_p");
    const temperature = tlGenNumber(model.get("temperature"), 1);
    return {
      vocab,
      prompt: typeof model.get("prompt") === "string" ? model.get("prompt") : "",
      generated,
      temperature: temperature >= 0 ? temperature : 1,
      top_k: Number.isInteger(k) && k >= 1 ? k : null,
      top_p: typeof p === "number" && p > 0 && p <= 1 ? p : null,
      seed: Number.isInteger(model.get("seed")) ? model.get("seed") >>> 0 : 0,
    };
  }
  let st = readState();

  // ---- skeleton -------------------------------------------------------------------------
  const root = tlGenEl("div", "tl-gen", el);
  const promptRow = tlGenEl("div", "tl-gen-prompt-row", root);
  const promptLabel = tlGenEl("label", "tl-gen-label", promptRow, "prompt ");
  const promptBox = tlGenEl("input", "tl-gen-prompt", promptRow);
  promptBox.type = "text";
  promptBox.id = `${uid}-prompt`;
  promptBox.spellcheck = false;
  promptBox.autocomplete = "off";
  promptLabel.htmlFor = promptBox.id;

  const controls = tlGenEl("div", "tl-gen-controls", root);
  function slider(cls, text, attrs, hint) {
    const row = tlGenEl("div", "tl-gen-control", controls);
    const label = tlGenEl("label", "tl-gen-label", row, text);
    const input = tlGenEl("input", `tl-gen-slider ${cls}`, row);
    Object.assign(input, { type: "range", ...attrs, id: `${uid}-${cls}` });
    label.htmlFor = input.id;
    row.title = hint;
    const value = tlGenEl("output", `${cls}-value tl-gen-value`, row);
    value.htmlFor = input.id;
    return { input, value };
  }
  const temp = slider("tl-gen-temp", "temperature", { min: "0", max: "2", step: "0.05" },
    "divide the logits by T before the softmax; 0 always takes the most likely token");
  const topk = slider("tl-gen-topk", "top-k", { min: "0", max: String(V), step: "1" },
    "keep only the k most likely tokens (0: off)");
  const topp = slider("tl-gen-topp", "top-p", { min: "0.05", max: "1", step: "0.05" },
    "keep the fewest most likely tokens whose probability reaches p (1: off)");

  const buttons = tlGenEl("div", "tl-gen-buttons", root);
  const sampleBtn = tlGenEl("button", "tl-gen-sample", buttons, "Sample next token");
  const manyBtn = tlGenEl("button", "tl-gen-sample-many", buttons, `Sample ${TL_GEN_MANY}`);
  const resetBtn = tlGenEl("button", "tl-gen-reset", buttons, "Reset");
  for (const b of [sampleBtn, manyBtn, resetBtn]) b.type = "button";
  const seedLabel = tlGenEl("label", "tl-gen-label tl-gen-seed-label", buttons, "seed ");
  const seedBox = tlGenEl("input", "tl-gen-seed", seedLabel);
  Object.assign(seedBox, { type: "number", min: "0", max: "4294967295", step: "1" });

  const output = tlGenEl("div", "tl-gen-output", root);
  output.setAttribute("aria-label", "the text so far");
  const outPrompt = tlGenEl("span", "tl-gen-output-prompt", output);
  const outNew = tlGenEl("span", "tl-gen-output-new", output);
  const note = tlGenEl("p", "tl-gen-note", root);
  note.setAttribute("aria-live", "polite");

  const dist = tlGenEl("div", "tl-gen-dist", root);
  const distTitle = tlGenEl("div", "tl-gen-dist-title", dist, "Next token");
  const kept = tlGenEl("span", "tl-gen-kept", distTitle);
  const bars = tlGenEl("div", "tl-gen-bars", dist);
  bars.setAttribute("role", "list");
  const status = tlGenEl("div", "tl-gen-status", root);

  // ---- the numbers for the state on screen --------------------------------------------------
  const cache = {};
  function compute() {
    return tlGenNext(net, st.vocab, st.prompt, st.generated, st.temperature, st.top_k, st.top_p,
      cache);
  }

  // ---- showing --------------------------------------------------------------------------
  function place(r) {
    if (promptBox.value !== st.prompt) promptBox.value = st.prompt;
    temp.input.value = String(st.temperature);
    temp.value.textContent = st.temperature === 0 ? "0 (greedy)" : String(st.temperature);
    topk.input.value = String(st.top_k === null ? 0 : Math.min(st.top_k, V));
    topk.value.textContent = st.top_k === null ? "off" : String(st.top_k);
    topp.input.value = String(st.top_p === null ? 1 : st.top_p);
    topp.value.textContent = st.top_p === null ? "off" : String(st.top_p);
    if (document.activeElement !== seedBox) seedBox.value = String(st.seed);
    const greedy = st.temperature === 0;
    topk.input.disabled = greedy;
    topp.input.disabled = greedy;
    outPrompt.textContent = r.promptIds.map((i) => st.vocab[i]).join("");
    outNew.textContent = st.generated.map((i) => st.vocab[i]).join("");
    output.dataset.generated = JSON.stringify(st.generated);
    const lines = [];
    if (netError) lines.push(`The model could not be loaded: ${netError}.`);
    if (r.skipped.length) {
      lines.push(`Not in the model's vocabulary, so skipped: ${tlGenQuote([...new Set(r.skipped)])}.`);
    }
    if (!r.ids.length && !netError) {
      lines.push("Type at least one character the model knows: it needs a token to continue.");
    }
    if (r.dropped > 0) {
      lines.push(`The model sees only the last ${context} tokens; the ${r.dropped} before ` +
        "them are left out.");
    }
    note.textContent = lines.join(" ");
    note.dataset.skipped = JSON.stringify(r.skipped);
    note.dataset.dropped = String(r.dropped);
    const can = r.probs !== null;
    sampleBtn.disabled = !can;
    manyBtn.disabled = !can;
    resetBtn.disabled = !st.generated.length;
  }

  function showBars(probs, source) {
    bars.replaceChildren();
    if (!probs) {
      kept.textContent = "";
      kept.dataset.kept = "0";
      status.dataset.source = source;
      status.textContent = "";
      return;
    }
    const order = tlGenRank(probs);
    const n = order.filter((i) => probs[i] > 0).length;
    kept.dataset.kept = String(n);
    kept.textContent = st.temperature === 0
      ? " (greedy: the most likely token, always)"
      : ` (${n} of ${V} tokens can be sampled; the ${Math.min(n, TL_GEN_BARS)} most likely shown)`;
    order.slice(0, Math.min(n, TL_GEN_BARS)).forEach((i, rank) => {
      const row = tlGenEl("div", "tl-gen-bar-row", bars);
      row.setAttribute("role", "listitem");
      row.dataset.id = String(i);
      row.dataset.rank = String(rank);
      const token = tlGenEl("span", "tl-gen-bar-token", row, tlGenVisible(st.vocab[i] ?? "?"));
      token.title = `token id ${i}`;
      const bar = tlGenEl("span", "tl-gen-bar", row);
      bar.setAttribute("aria-hidden", "true");
      const fill = tlGenEl("span", "tl-gen-bar-fill", bar);
      fill.style.width = `${Math.max(0, Math.min(1, probs[i])) * 100}%`;
      const value = tlGenEl("span", "tl-gen-bar-value", row, tlGenPct(probs[i]));
      value.dataset.value = String(probs[i]);
    });
    status.dataset.source = source;
    status.textContent = source === "kernel"
      ? "Computed by tokenlab in the Python kernel."
      : "Computed in your browser (no kernel needed).";
  }

  function refresh() {
    const numbers = compute();
    place(numbers);
    showBars(numbers.probs, "browser");
  }

  function onResult() {
    const r = model.get("result") || {};
    const fits = r.prompt === st.prompt && tlGenSame(r.generated, st.generated) &&
      r.temperature === st.temperature && r.top_k === st.top_k && r.top_p === st.top_p &&
      Array.isArray(r.probs) && r.probs.length === V &&
      r.probs.every((p) => typeof p === "number" && Number.isFinite(p));
    if (fits) showBars(r.probs, "kernel");
  }

  let committing = false;
  function commit(names) {
    refresh();
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

  function sample(count) {
    if (!net) return;
    st.generated = tlGenSample(net, st.vocab, st.prompt, st.generated, st.temperature, st.top_k,
      st.top_p, st.seed, count, cache);
    commit(["generated"]);
  }

  // ---- events ---------------------------------------------------------------------------
  promptBox.addEventListener("input", () => {
    if (promptBox.value === st.prompt) return;
    st.prompt = promptBox.value;
    st.generated = [];
    commit(["prompt", "generated"]);
  });
  temp.input.addEventListener("input", () => {
    const t = Number(temp.input.value);
    if (!(t >= 0) || t === st.temperature) return;
    st.temperature = t;
    commit(["temperature"]);
  });
  topk.input.addEventListener("input", () => {
    const k = Math.round(Number(topk.input.value));
    const next = k >= 1 ? k : null;
    if (next === st.top_k) return;
    st.top_k = next;
    commit(["top_k"]);
  });
  topp.input.addEventListener("input", () => {
    const p = Number(topp.input.value);
    const next = p > 0 && p < 1 ? p : null;
    if (next === st.top_p) return;
    st.top_p = next;
    commit(["top_p"]);
  });
  seedBox.addEventListener("change", () => {
    const s = Number(seedBox.value);
    if (!Number.isInteger(s) || s < 0 || s > 4294967295) {
      seedBox.value = String(st.seed);
      return;
    }
    if (s === st.seed) return;
    st.seed = s;
    commit(["seed"]);
  });
  sampleBtn.addEventListener("click", () => sample(1));
  manyBtn.addEventListener("click", () => sample(TL_GEN_MANY));
  resetBtn.addEventListener("click", () => {
    if (!st.generated.length) return;
    st.generated = [];
    commit(["generated"]);
  });

  // ---- the model changed elsewhere (Python, another view): follow it ---------------------
  function onState() {
    if (committing) return;
    const next = readState();
    if (tlGenSame(next, st)) return;
    st = next;
    refresh();
    onResult(); // a kernel result that already fits the new state
  }

  const names = ["vocab", "prompt", "generated", "temperature", "top_k", "top_p", "seed"];
  const listeners = [...names.map((n) => [`change:${n}`, onState]), ["change:result", onResult]];
  for (const [event, handler] of listeners) model.on(event, handler);
  refresh();
  return () => {
    for (const [event, handler] of listeners) model.off(event, handler);
  };
}

export default { render };
