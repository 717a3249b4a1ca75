// ---- Zipf/Heaps explorer (tokenlab.widgets.ZipfHeapsWidget) ---------------------------------
// Precomputed statistics of the book's corpora, one set per corpus and tokenization level:
// Zipf's rank-count curve and Heaps' vocabulary growth, each on log-log axes with a
// least-squares fit. Every fit is computed here in the browser, so the widget works on the
// static site with no kernel. In a live kernel each change also reaches Python, which
// recomputes "result"; when that result is for exactly the selection on screen, the widget
// shows it.
//
// Model state:
//   data        {corpus: {level: {ranks: [..], counts: [..], heaps_tokens: [..],
//               heaps_types: [..], n_types?, n_tokens?}}}  (read only; ranks 1-based and
//               increasing, all numbers > 0; a level without ranks has ranks 1, 2, ...)
//   corpus      str, a key of data          (read; written when the reader picks another)
//   level       str, a key of data[corpus]  (read; written likewise)
//   rank_range  [lo, hi], 1 <= lo <= hi     (read; written when a slider moves or the
//               selection changes). Clipped to the selection: hi = min(hi, largest rank),
//               lo = min(max(lo, 1), hi).
//   result      {corpus, level, rank_range, zipf_points, zipf_slope, zipf_intercept, heaps_k,
//               heaps_beta}  from the kernel (read only)
//
// The fits (float64, as tokenlab.widgets.zipf.fit_loglog, summed in the same order):
//   fit(x, y, lo, hi): over the points with lo <= x <= hi, X = log10 x, Y = log10 y;
//     mX, mY the means; slope = sum((X - mX)(Y - mY)) / sum((X - mX)^2);
//     intercept = mY - slope * mX. Fewer than 2 points (or one x only): no fit.
//   Zipf   slope, intercept = fit(ranks, counts, lo, hi)           count ≈ 10^b · rank^a
//   Heaps  beta, log10 k   = fit(heaps_tokens, heaps_types, -∞, ∞)  types ≈ k · tokens^β
//
// DOM contract (browser tests rely on it; keep it stable):
//   .tl-zipf                                root element
//   select.tl-zipf-corpus                   one option per corpus (value = its name)
//   select.tl-zipf-level                    one option per level of the chosen corpus
//   input.tl-zipf-lo, input.tl-zipf-hi      type=range, 0 to 1000, step 1, log-scaled: slider
//                                           position p is rank round(10^(p/1000 · log10 R)),
//                                           R the largest rank. data-rank: the rank bound,
//                                           String(number). lo never passes hi (it stops
//                                           there), nor hi lo.
//   .tl-zipf-lo-value, .tl-zipf-hi-value    the two bounds shown
//   svg.tl-zipf-plot                        Zipf: rank vs count, log-log; data-lo, data-hi:
//                                           the fit range. Inside: rect.tl-zipf-band (the
//                                           range), polyline.tl-zipf-curve (every point),
//                                           polyline.tl-zipf-curve-in (the points in range),
//                                           line.tl-zipf-fitline (the fit over the range;
//                                           display none without a fit)
//   svg.tl-zipf-heaps                       Heaps: tokens vs types, log-log; the same
//                                           polyline.tl-zipf-curve and line.tl-zipf-fitline
//   [data-fit=F]                            F = zipf_slope, zipf_intercept, heaps_k,
//                                           heaps_beta: data-value = String(number) at full
//                                           precision, the text the number to 3 decimals;
//                                           without a fit data-value="" and the text "—"
//   .tl-zipf-points                         how many ranks the Zipf fit uses; data-count
//   .tl-zipf-status[data-source=S]          S = "browser" or "kernel": whose numbers are shown
// All text is set with textContent, never parsed as HTML.

const TL_ZIPF_NS = "http://www.w3.org/2000/svg";
const TL_ZIPF_STEPS = 1000; // slider positions
const TL_ZIPF_W = 360; // plot size, in SVG user units
const TL_ZIPF_H = 270;
const TL_ZIPF_M = { left: 46, right: 12, top: 12, bottom: 40 };
const TL_ZIPF_FITS = ["zipf_slope", "zipf_intercept", "heaps_k", "heaps_beta"];
let tlZipfInstances = 0;

function tlZipfFit(xs, ys, lo, hi) {
  // As tokenlab.widgets.zipf.fit_loglog: logs, means, centred sums, all in order.
  const lx = [];
  const ly = [];
  for (let i = 0; i < xs.length; i += 1) {
    if (xs[i] >= lo && xs[i] <= hi) {
      if (!(xs[i] > 0 && ys[i] > 0)) return null;
      lx.push(Math.log10(xs[i]));
      ly.push(Math.log10(ys[i]));
    }
  }
  const n = lx.length;
  if (n < 2) return null;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i += 1) {
    sx += lx[i];
    sy += ly[i];
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i += 1) {
    const dx = lx[i] - mx;
    sxx += dx * dx;
    sxy += dx * (ly[i] - my);
  }
  if (!(sxx > 0)) return null;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

function tlZipfCompute(stats, range) {
  const [lo, hi] = range;
  const zipf = tlZipfFit(stats.ranks, stats.counts, lo, hi);
  const heaps = tlZipfFit(stats.heaps_tokens, stats.heaps_types, -Infinity, Infinity);
  return {
    zipf_points: stats.ranks.filter((r) => r >= lo && r <= hi).length,
    zipf_slope: zipf ? zipf.slope : null,
    zipf_intercept: zipf ? zipf.intercept : null,
    heaps_k: heaps ? 10 ** heaps.intercept : null,
    heaps_beta: heaps ? heaps.slope : null,
  };
}

function tlZipfClip(range, maxRank) {
  const hi = Math.min(Number(range[1]), maxRank);
  const lo = Math.min(Math.max(Number(range[0]), 1), hi);
  return [lo, hi];
}

function tlZipfFmt(v) {
  const s = Number(v).toFixed(3);
  return s === "-0.000" ? "0.000" : s;
}

function tlZipfTick(e) {
  // 10^e as a short label: 1, 10, 100, 1k, ..., 1M, ...; 10^e beyond that.
  if (e < 0) return String(Number((10 ** e).toPrecision(1)));
  if (e < 3) return String(10 ** e);
  if (e < 6) return `${10 ** (e - 3)}k`;
  if (e < 9) return `${10 ** (e - 6)}M`;
  return `1e${e}`;
}

function tlZipfRank(v) {
  return Number.isInteger(v) ? v.toLocaleString("en-US") : Number(v).toFixed(1);
}

function tlZipfSvg(tag, attrs, parent) {
  const node = document.createElementNS(TL_ZIPF_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
  if (parent) parent.appendChild(node);
  return node;
}

function tlZipfEl(tag, className, parent, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

function tlZipfSame(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

function tlZipfStats(raw) {
  // One level's statistics as numbers; ranks 1, 2, ... when the data has none.
  const nums = (v) => (Array.isArray(v) ? v.map(Number) : []);
  const counts = nums(raw && raw.counts);
  const ranks = raw && Array.isArray(raw.ranks) ? nums(raw.ranks) : counts.map((_, i) => i + 1);
  return {
    ranks,
    counts,
    heaps_tokens: nums(raw && raw.heaps_tokens),
    heaps_types: nums(raw && raw.heaps_types),
    n_types: raw && Number.isFinite(Number(raw.n_types)) ? Number(raw.n_types) : null,
    n_tokens: raw && Number.isFinite(Number(raw.n_tokens)) ? Number(raw.n_tokens) : null,
  };
}

// A log-log plot: axes, decade grid and ticks; returns scales and the groups to draw in.
function tlZipfPlot(parent, cls, label, xName, yName) {
  const svg = tlZipfSvg("svg", {
    class: `tl-zipf-svg ${cls}`,
    viewBox: `0 0 ${TL_ZIPF_W} ${TL_ZIPF_H}`,
    role: "img",
    "aria-label": label,
  }, parent);
  const grid = tlZipfSvg("g", { class: "tl-zipf-grid", "aria-hidden": "true" }, svg);
  const band = tlZipfSvg("g", { class: "tl-zipf-bandlayer" }, svg);
  const lines = tlZipfSvg("g", { class: "tl-zipf-lines" }, svg);
  const x0 = TL_ZIPF_M.left;
  const x1 = TL_ZIPF_W - TL_ZIPF_M.right;
  const y0 = TL_ZIPF_H - TL_ZIPF_M.bottom;
  const y1 = TL_ZIPF_M.top;
  const xl = tlZipfSvg("text", { class: "tl-zipf-axis-label", x: (x0 + x1) / 2, y: TL_ZIPF_H - 4,
    "text-anchor": "middle" }, svg);
  xl.textContent = xName;
  const yl = tlZipfSvg("text", { class: "tl-zipf-axis-label", x: 0, y: 0, "text-anchor": "middle",
    transform: `translate(11 ${(y0 + y1) / 2}) rotate(-90)` }, svg);
  yl.textContent = yName;
  const plot = { svg, grid, band, lines, x0, x1, y0, y1, sx: null, sy: null };

  plot.scale = (xs, ys) => {
    const dom = (vs) => {
      const pos = vs.filter((v) => v > 0);
      if (!pos.length) return [0, 1];
      let lo = Math.floor(Math.log10(Math.min(...pos)) + 1e-12);
      let hi = Math.ceil(Math.log10(Math.max(...pos)) - 1e-12);
      if (hi <= lo) hi = lo + 1;
      return [lo, hi];
    };
    const [ex0, ex1] = dom(xs);
    const [ey0, ey1] = dom(ys);
    plot.sx = (v) => x0 + ((Math.log10(v) - ex0) / (ex1 - ex0)) * (x1 - x0);
    plot.sy = (v) => y0 - ((Math.log10(v) - ey0) / (ey1 - ey0)) * (y0 - y1);
    grid.replaceChildren();
    tlZipfSvg("rect", { class: "tl-zipf-frame", x: x0, y: y1, width: x1 - x0, height: y0 - y1 },
      grid);
    const every = (a, b) => Math.max(1, Math.ceil((b - a) / 6)); // at most ~6 labels
    for (let e = ex0; e <= ex1; e += 1) {
      const x = plot.sx(10 ** e);
      tlZipfSvg("line", { class: "tl-zipf-gridline", x1: x, y1: y1, x2: x, y2: y0 }, grid);
      if ((e - ex0) % every(ex0, ex1) === 0) {
        const t = tlZipfSvg("text", { class: "tl-zipf-tick", x, y: y0 + 14,
          "text-anchor": "middle" }, grid);
        t.textContent = tlZipfTick(e);
      }
    }
    for (let e = ey0; e <= ey1; e += 1) {
      const y = plot.sy(10 ** e);
      tlZipfSvg("line", { class: "tl-zipf-gridline", x1: x0, y1: y, x2: x1, y2: y }, grid);
      if ((e - ey0) % every(ey0, ey1) === 0) {
        const t = tlZipfSvg("text", { class: "tl-zipf-tick", x: x0 - 4, y: y + 4,
          "text-anchor": "end" }, grid);
        t.textContent = tlZipfTick(e);
      }
    }
  };

  plot.points = (xs, ys) => xs.map((x, i) => `${plot.sx(x).toFixed(2)},${plot.sy(ys[i]).toFixed(2)}`)
    .join(" ");

  plot.fitLine = (line, fit, xa, xb) => {
    // The fitted power law y = 10^b x^a from x = xa to x = xb (a straight line on log-log).
    if (!fit || !(xb > xa)) {
      line.style.display = "none";
      return;
    }
    const at = (x) => 10 ** (fit.intercept + fit.slope * Math.log10(x));
    const coords = [plot.sx(xa), plot.sy(at(xa)), plot.sx(xb), plot.sy(at(xb))];
    if (!coords.every(Number.isFinite)) {
      line.style.display = "none";
      return;
    }
    line.setAttribute("x1", coords[0].toFixed(2));
    line.setAttribute("y1", coords[1].toFixed(2));
    line.setAttribute("x2", coords[2].toFixed(2));
    line.setAttribute("y2", coords[3].toFixed(2));
    line.style.display = "";
  };
  return plot;
}

function render({ model, el }) {
  tlZipfInstances += 1;
  const uid = `tl-zipf-${tlZipfInstances}-${Math.random().toString(36).slice(2, 8)}`;

  function readState() {
    const raw = model.get("data") || {};
    const data = raw && typeof raw === "object" ? raw : {};
    const corpora = Object.keys(data);
    let corpus = model.get("corpus");
    if (!corpora.includes(corpus)) corpus = corpora[0] || "";
    const levels = Object.keys(data[corpus] || {});
    let level = model.get("level");
    if (!levels.includes(level)) level = levels[0] || "";
    const stats = tlZipfStats((data[corpus] || {})[level]);
    const maxRank = stats.ranks.length ? stats.ranks[stats.ranks.length - 1] : 1;
    const r = model.get("rank_range") || [];
    const want = [Number.isFinite(Number(r[0])) ? Number(r[0]) : 10,
      Number.isFinite(Number(r[1])) ? Number(r[1]) : 10000];
    return { data, corpora, corpus, levels, level, stats, maxRank,
      range: tlZipfClip(want, maxRank) };
  }
  let st = readState();

  // ---- skeleton -------------------------------------------------------------------------
  const root = tlZipfEl("div", "tl-zipf", el);
  const controls = tlZipfEl("div", "tl-zipf-controls", root);
  function picker(cls, text) {
    const wrap = tlZipfEl("label", "tl-zipf-pick", controls);
    tlZipfEl("span", "tl-zipf-pick-label", wrap, text);
    const select = tlZipfEl("select", cls, wrap);
    select.id = `${uid}-${cls}`;
    return select;
  }
  const corpusSel = picker("tl-zipf-corpus", "corpus");
  const levelSel = picker("tl-zipf-level", "level");
  const totals = tlZipfEl("span", "tl-zipf-totals", controls);

  const plots = tlZipfEl("div", "tl-zipf-plots", root);
  const zipfFig = tlZipfEl("figure", "tl-zipf-figure", plots);
  const zipfPlot = tlZipfPlot(zipfFig, "tl-zipf-plot",
    "Zipf: the count of each type against its rank, log-log, with the line fitted over the " +
    "chosen ranks", "rank", "count");
  tlZipfEl("figcaption", "tl-zipf-caption", zipfFig, "Zipf: count by rank");
  const band = tlZipfSvg("rect", { class: "tl-zipf-band", x: 0, y: zipfPlot.y1, width: 0,
    height: zipfPlot.y0 - zipfPlot.y1 }, zipfPlot.band);
  const zipfCurve = tlZipfSvg("polyline", { class: "tl-zipf-curve", points: "" }, zipfPlot.lines);
  const zipfIn = tlZipfSvg("polyline", { class: "tl-zipf-curve-in", points: "" }, zipfPlot.lines);
  const zipfLine = tlZipfSvg("line", { class: "tl-zipf-fitline" }, zipfPlot.lines);

  const heapsFig = tlZipfEl("figure", "tl-zipf-figure", plots);
  const heapsPlot = tlZipfPlot(heapsFig, "tl-zipf-heaps",
    "Heaps: the number of types seen against the number of tokens read, log-log, with the " +
    "fitted curve", "tokens read", "types seen");
  tlZipfEl("figcaption", "tl-zipf-caption", heapsFig, "Heaps: vocabulary growth");
  const heapsCurve = tlZipfSvg("polyline", { class: "tl-zipf-curve", points: "" },
    heapsPlot.lines);
  const heapsLine = tlZipfSvg("line", { class: "tl-zipf-fitline" }, heapsPlot.lines);

  const ranges = tlZipfEl("div", "tl-zipf-ranges", root);
  function slider(cls, text) {
    const row = tlZipfEl("div", "tl-zipf-range-row", ranges);
    const label = tlZipfEl("label", "tl-zipf-range-label", row, text);
    const input = tlZipfEl("input", cls, row);
    Object.assign(input, { type: "range", min: "0", max: String(TL_ZIPF_STEPS), step: "1",
      id: `${uid}-${cls}` });
    label.htmlFor = input.id;
    const out = tlZipfEl("output", `${cls}-value`, row);
    out.htmlFor = input.id;
    return { input, out };
  }
  const loS = slider("tl-zipf-lo", "fit from rank");
  const hiS = slider("tl-zipf-hi", "to rank");

  const readout = tlZipfEl("div", "tl-zipf-readout", root);
  readout.setAttribute("aria-live", "polite");
  const cells = {};
  function fitBox(title, parts) {
    const box = tlZipfEl("div", "tl-zipf-fitbox", readout);
    tlZipfEl("div", "tl-zipf-fitbox-title", box, title);
    const line = tlZipfEl("div", "tl-zipf-fitbox-line", box);
    for (const [text, fit] of parts) {
      if (text) tlZipfEl("span", "tl-zipf-fit-name", line, text);
      const v = tlZipfEl("span", "tl-zipf-fit", line, "—");
      v.dataset.fit = fit;
      v.dataset.value = "";
      cells[fit] = v;
    }
    return box;
  }
  const zipfBox = fitBox("Zipf fit: log₁₀ count ≈ a · log₁₀ rank + b",
    [["slope a = ", "zipf_slope"], ["  intercept b = ", "zipf_intercept"]]);
  const points = tlZipfEl("div", "tl-zipf-points", zipfBox);
  fitBox("Heaps fit: types ≈ k · tokens^β", [["k = ", "heaps_k"], ["  β = ", "heaps_beta"]]);
  const status = tlZipfEl("div", "tl-zipf-status", root);

  // ---- slider <-> rank ----------------------------------------------------------------------
  const logMax = () => Math.log10(Math.max(1, st.maxRank));
  const toRank = (p) => {
    const L = logMax();
    return L > 0 ? Math.min(st.maxRank, Math.max(1, Math.round(10 ** ((p / TL_ZIPF_STEPS) * L))))
      : 1;
  };
  const toPos = (rank) => {
    const L = logMax();
    return L > 0 ? Math.round((Math.log10(Math.max(1, rank)) / L) * TL_ZIPF_STEPS) : 0;
  };

  // ---- drawing ------------------------------------------------------------------------------
  function options(select, names, chosen) {
    if (!tlZipfSame([...select.options].map((o) => o.value), names)) {
      select.replaceChildren();
      for (const name of names) {
        const o = tlZipfEl("option", null, select, name);
        o.value = name;
      }
    }
    select.value = chosen;
    select.disabled = names.length <= 1;
  }

  function draw() {
    options(corpusSel, st.corpora, st.corpus);
    options(levelSel, st.levels, st.level);
    const s = st.stats;
    const parts = [];
    if (s.n_tokens !== null) parts.push(`${tlZipfRank(s.n_tokens)} tokens`);
    parts.push(`${tlZipfRank(s.n_types !== null ? s.n_types : st.maxRank)} types`);
    totals.textContent = parts.join(", ");

    zipfPlot.scale(s.ranks, s.counts);
    zipfCurve.setAttribute("points", zipfPlot.points(s.ranks, s.counts));
    heapsPlot.scale(s.heaps_tokens, s.heaps_types);
    heapsCurve.setAttribute("points", heapsPlot.points(s.heaps_tokens, s.heaps_types));
    place();
  }

  function place() {
    // The range: sliders, band and the points in it.
    const [lo, hi] = st.range;
    const disabled = !(logMax() > 0);
    for (const [sl, v] of [[loS, lo], [hiS, hi]]) {
      sl.input.disabled = disabled;
      sl.input.value = String(toPos(v));
      sl.input.dataset.rank = String(v);
      sl.out.textContent = tlZipfRank(v);
      sl.input.setAttribute("aria-valuetext", `rank ${tlZipfRank(v)}`);
    }
    zipfPlot.svg.dataset.lo = String(lo);
    zipfPlot.svg.dataset.hi = String(hi);
    const s = st.stats;
    const xa = zipfPlot.sx(lo);
    const xb = zipfPlot.sx(hi);
    band.setAttribute("x", xa.toFixed(2));
    band.setAttribute("width", Math.max(1, xb - xa).toFixed(2));
    const inside = s.ranks.map((r, i) => [r, s.counts[i]]).filter(([r]) => r >= lo && r <= hi);
    zipfIn.setAttribute("points", zipfPlot.points(inside.map((p) => p[0]),
      inside.map((p) => p[1])));
  }

  function show(numbers, source) {
    for (const fit of TL_ZIPF_FITS) {
      const v = numbers[fit];
      const ok = v !== null && v !== undefined && Number.isFinite(Number(v));
      cells[fit].dataset.value = ok ? String(Number(v)) : "";
      cells[fit].textContent = ok ? tlZipfFmt(v) : "—";
    }
    const [lo, hi] = st.range;
    const n = Number(numbers.zipf_points) || 0;
    points.dataset.count = String(n);
    points.textContent = numbers.zipf_slope === null || numbers.zipf_slope === undefined
      ? `Ranks ${tlZipfRank(lo)} to ${tlZipfRank(hi)} hold ${n} plotted point${n === 1 ? "" : "s"}:` +
        " too few to fit a line; widen the range."
      : `Fitted over ranks ${tlZipfRank(lo)} to ${tlZipfRank(hi)} (${n} plotted points).`;
    const fit = (a, b) => (numbers[a] === null || numbers[a] === undefined ? null
      : { slope: Number(numbers[a]), intercept: Number(numbers[b]) });
    zipfPlot.fitLine(zipfLine, fit("zipf_slope", "zipf_intercept"), lo, hi);
    const k = numbers.heaps_k;
    const heapsFit = k === null || k === undefined || !(Number(k) > 0) ? null
      : { slope: Number(numbers.heaps_beta), intercept: Math.log10(Number(k)) };
    const t = st.stats.heaps_tokens;
    heapsPlot.fitLine(heapsLine, heapsFit, t[0], t[t.length - 1]);
    status.dataset.source = source;
    status.textContent = source === "kernel"
      ? "Computed by tokenlab in the Python kernel."
      : "Computed in your browser (no kernel needed).";
  }

  function showBrowser() {
    show(tlZipfCompute(st.stats, st.range), "browser");
  }

  let committing = false;

  function commit() {
    // The browser's numbers at once; in a live kernel Python answers through `result`.
    showBrowser();
    committing = true;
    try {
      model.set("corpus", st.corpus);
      model.set("level", st.level);
      model.set("rank_range", [...st.range]);
      model.save_changes(); // no kernel on the static site: nothing listens, nothing breaks
    } catch (err) {
      // No kernel and no comm: the widget still computes in the page.
    } finally {
      committing = false;
    }
  }

  function select(corpus, level) {
    st.corpus = corpus;
    st.levels = Object.keys(st.data[corpus] || {});
    st.level = st.levels.includes(level) ? level : st.levels[0] || "";
    st.stats = tlZipfStats((st.data[corpus] || {})[st.level]);
    st.maxRank = st.stats.ranks.length ? st.stats.ranks[st.stats.ranks.length - 1] : 1;
    st.range = tlZipfClip(st.range, st.maxRank);
    draw();
    commit();
  }

  corpusSel.addEventListener("change", () => select(corpusSel.value, st.level));
  levelSel.addEventListener("change", () => select(st.corpus, levelSel.value));

  function onSlide(which) {
    let [lo, hi] = st.range;
    if (which === "lo") lo = Math.min(toRank(Number(loS.input.value)), hi);
    else hi = Math.max(toRank(Number(hiS.input.value)), lo);
    const changed = lo !== st.range[0] || hi !== st.range[1];
    st.range = [lo, hi];
    place();
    if (changed) commit();
  }
  loS.input.addEventListener("input", () => onSlide("lo"));
  hiS.input.addEventListener("input", () => onSlide("hi"));

  // ---- the model changed elsewhere (Python, another view): follow it ---------------------
  function onState() {
    if (committing) return;
    const next = readState();
    if (tlZipfSame(next, st)) return;
    st = next;
    draw();
    showBrowser();
  }

  function onResult() {
    const r = model.get("result") || {};
    if (r.corpus === st.corpus && r.level === st.level &&
        tlZipfSame((r.rank_range || []).map(Number), st.range) &&
        TL_ZIPF_FITS.every((f) => f in r)) {
      show(r, "kernel");
    }
  }

  const listeners = [
    ...["data", "corpus", "level", "rank_range"].map((n) => [`change:${n}`, onState]),
    ["change:result", onResult],
  ];
  for (const [event, handler] of listeners) model.on(event, handler);

  draw();
  showBrowser();
  return () => {
    for (const [event, handler] of listeners) model.off(event, handler);
  };
}

export default { render };
