// ---- Positional-encoding explorer (tokenlab.widgets.PositionalWidget) ------------------------
// The sinusoidal table P of tokenlab.positional.sinusoidal, for a sequence length L, a model
// width d and a base chosen with sliders, in three views: a heatmap of P with the query row i
// outlined; the dot products P[i]·P[j] for every j (they peak at j = i, and P[n]·P[n+k] is the
// same for every n); one (sin, cos) pair j as points on the unit circle, turned by theta_j per
// position. Every number is computed here in the browser from the six parameters (nothing
// large is embedded), so the widget works on the static site with no kernel. In a live kernel
// each change also reaches Python, which recomputes "result" with tokenlab; when that result is
// for exactly the parameters on screen, the widget shows its numbers (the heatmap's colours and
// the hovered cell stay the browser's: the result holds only the row P[i]).
//
// Model state:
//   length    int, 2..128            L, the number of positions (read; written by the slider)
//   dim       int, even, 2..128      d, the width (read; written)
//   base      number > 0             (read; written by the select, which offers 100, 1000,
//                                     10000, 100000, and the model's base if it is another)
//   position  int, 0..L-1            the query position i (read; written)
//   offset    int, 0..L-1-i          the offset k (read; written)
//   pair      int, 0..d/2-1          the pair j of the circle view (read; written)
//   result    {length, dim, base, position, offset, pair, row, dots, peak, shift_dots,
//              shift_dot, shift_deviation, theta, angle, angle_degrees, rotation, pair_points,
//              turn, turn_deviation} from the kernel (read only; see positional_summary)
// A smaller L clamps i, then k; a new i clamps k; a smaller d clamps j (as Python does).
//
// The numbers (float64, as tokenlab.positional, which computes the table in float64):
//   theta_j        Math.pow(base, -(2 * j) / d)
//   P[n][2j]       Math.sin(n * theta_j)        P[n][2j + 1]   Math.cos(n * theta_j)
//   dots[j]        P[i]·P[j], summed over the columns in order
//   shift_dots[n]  P[n]·P[n+k] for n = 0..L-1-k; shift_dot = shift_dots[i];
//                  shift_deviation = max |shift_dots[n] - shift_dot|
//   peak           the first j with the largest dots[j] (it is i)
//   angle          k * theta_j; angle_degrees = (angle * 180 / Math.PI) % 360
//   rotation       [[cos angle, sin angle], [-sin angle, cos angle]]  (relative_rotation's
//                  block for the pair: it maps (P[n,2j], P[n,2j+1]) to the same at n + k)
//   pair_points[n] [P[n][2j+1], P[n][2j]] = (cos, sin): x, y on the unit circle
//   turn_n         Math.atan2(x_n y_(n+k) - y_n x_(n+k), x_n x_(n+k) + y_n y_(n+k));
//                  turn = turn_i; turn_deviation = max over n of |wrap(turn_n - angle)|,
//                  wrap(a) = a - 2 pi Math.round(a / (2 pi))
// The browser's libm (Math.sin, Math.pow) is not the C library torch uses: results can differ
// in the last bits (about 1e-16 relative, 1e-14 for a dot product of 64 pairs); tests allow
// 1e-9.
//
// DOM contract (browser tests rely on it; keep it stable):
//   .tl-pos                                   root element
//   input.tl-pos-slider[data-param=P]         type=range, one per P = length, dim, position,
//                                             offset, pair; value, min, max, step as above;
//                                             labelled; aria-valuetext "L = 48" etc.
//   output.tl-pos-value[data-param=P]         the parameter shown; data-value = String(value)
//   select.tl-pos-base                        the base; option values String(number)
//   figure.tl-pos-panel[data-panel=V]         V = heatmap, dots, rotation
//   canvas.tl-pos-heatmap                     P, one canvas pixel per cell: pixel (x = c,
//                                             y = n) is P[n][c], scaled to the CSS box, so the
//                                             box is cut into L equal rows and d equal
//                                             columns. data-rows = L, data-cols = d,
//                                             data-row = i (the outlined row). Colour: the
//                                             diverging map TL_POS_STOPS (5 stops, -1 to 1,
//                                             linear between them, channels Math.round-ed).
//                                             Focusable (tabindex 0): arrow keys move the
//                                             cursor cell, Home/End go to the row's first/last
//                                             column, Enter makes the cursor's row i. Hovering
//                                             a cell moves the cursor there; a click on a row
//                                             makes it i.
//   .tl-pos-heat-row                          the outline of row i (top/height in %)
//   .tl-pos-heat-cursor                       the outline of the cursor cell
//   .tl-pos-readout                           the cursor cell: data-row, data-col, and a
//                                             .tl-pos-num[data-name=cell] with P[row][col]
//   .tl-pos-rowval[data-col=c]                P[i][c] for every c (in a <details>): data-value
//   svg.tl-pos-dots                           the dot products; polyline.tl-pos-dots-line
//     circle.tl-pos-dot[data-j=J]             one per j, data-value = P[i]·P[J]; the one at
//                                             j = i has class tl-pos-dot-peak, the one at
//                                             j = i + k class tl-pos-dot-shift
//   svg.tl-pos-circle                         the unit circle (SVG y = -y)
//     circle.tl-pos-pt[data-n=N]              one per position, data-x, data-y = the point;
//                                             class tl-pos-pt-i at n = i, tl-pos-pt-k at i + k
//   .tl-pos-fact[data-fact=F]                 F = peak, shift, theta, angle: the sentences
//   .tl-pos-num[data-name=NAME]               every number in the sentences and the readout:
//                                             data-value = String(number) at full precision;
//                                             text: integers as they are, |v| < 1e-3 as
//                                             toExponential(1), others toFixed(4). NAME =
//                                             position, peak, peak_dot, half_dim, shift_j,
//                                             shift_dot, shift_count, shift_deviation,
//                                             col_sin, col_cos, theta, offset, angle,
//                                             angle_degrees, turn, turn_deviation,
//                                             rotation_00, rotation_01, rotation_10,
//                                             rotation_11, cell
//   .tl-pos-status[data-source=S]             S = "browser" or "kernel": whose numbers are shown
// All text is set with textContent, never parsed as HTML.

const TL_POS_NS = "http://www.w3.org/2000/svg";
const TL_POS_MAX = 128; // the largest L and d
const TL_POS_BASES = [100, 1000, 10000, 100000];
// RdBu (ColorBrewer): -1 blue, 0 near white, +1 red.
const TL_POS_STOPS = [[33, 102, 172], [146, 197, 222], [247, 247, 247], [244, 165, 130],
  [178, 24, 43]];
const TL_POS_SUB = "₀₁₂₃₄₅₆₇₈₉";
// The dot-product chart, in SVG user units.
const TL_POS_CHART = { w: 360, h: 220, left: 42, right: 12, top: 14, bottom: 34 };
let tlPosInstances = 0;

function tlPosWrap(a) {
  const turn = 2 * Math.PI;
  return a - turn * Math.round(a / turn);
}

function tlPosCompute(st) {
  const { length: L, dim: d, base, position: i, offset: k, pair: j } = st;
  const half = d / 2;
  const freqs = [];
  for (let m = 0; m < half; m += 1) freqs.push(Math.pow(base, -(2 * m) / d));
  const matrix = [];
  for (let n = 0; n < L; n += 1) {
    const row = new Array(d);
    for (let m = 0; m < half; m += 1) {
      const a = n * freqs[m];
      row[2 * m] = Math.sin(a);
      row[2 * m + 1] = Math.cos(a);
    }
    matrix.push(row);
  }
  const dot = (a, b) => {
    let s = 0;
    for (let c = 0; c < a.length; c += 1) s += a[c] * b[c];
    return s;
  };
  const dots = matrix.map((r) => dot(matrix[i], r));
  let peak = 0;
  for (let m = 1; m < L; m += 1) if (dots[m] > dots[peak]) peak = m;
  const shiftDots = [];
  for (let n = 0; n + k < L; n += 1) shiftDots.push(dot(matrix[n], matrix[n + k]));
  const shiftDot = shiftDots[i];
  const theta = freqs[j];
  const angle = k * theta;
  const points = matrix.map((r) => [r[2 * j + 1], r[2 * j]]);
  const turns = [];
  for (let n = 0; n + k < L; n += 1) {
    const [x0, y0] = points[n];
    const [x1, y1] = points[n + k];
    turns.push(Math.atan2(x0 * y1 - y0 * x1, x0 * x1 + y0 * y1));
  }
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return {
    matrix,
    row: matrix[i].slice(),
    dots,
    peak,
    shift_dots: shiftDots,
    shift_dot: shiftDot,
    shift_deviation: Math.max(...shiftDots.map((v) => Math.abs(v - shiftDot))),
    theta,
    angle,
    angle_degrees: (angle * 180 / Math.PI) % 360,
    rotation: [[c, s], [-s, c]],
    pair_points: points,
    turn: turns[i],
    turn_deviation: Math.max(...turns.map((t) => Math.abs(tlPosWrap(t - angle)))),
  };
}

function tlPosColor(v) {
  const t = (Math.min(1, Math.max(-1, v)) + 1) * 2; // 0..4 across the stops
  const s = Math.min(3, Math.floor(t));
  const f = t - s;
  const a = TL_POS_STOPS[s];
  const b = TL_POS_STOPS[s + 1];
  return [0, 1, 2].map((ch) => Math.round(a[ch] + (b[ch] - a[ch]) * f));
}

function tlPosFmt(v) {
  const x = Number(v);
  if (Number.isInteger(x)) return String(x); // -0 shows "0"
  if (Math.abs(x) < 1e-3) return x.toExponential(1);
  return x.toFixed(4);
}

function tlPosSub(n) {
  return String(n).split("").map((ch) => TL_POS_SUB[Number(ch)]).join("");
}

function tlPosSvg(tag, attrs, parent) {
  const node = document.createElementNS(TL_POS_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
  if (parent) parent.appendChild(node);
  return node;
}

function tlPosEl(tag, className, parent, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

function tlPosSame(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

function tlPosClampState(raw) {
  // Any state to a valid one: the sliders' ranges, then i, k and j within L and d.
  const int = (v, lo, hi, fallback) => {
    const x = Number(v);
    return Number.isFinite(x) ? Math.min(hi, Math.max(lo, Math.round(x))) : fallback;
  };
  const length = int(raw.length, 2, TL_POS_MAX, 48);
  const dim = 2 * int(Math.floor(Number(raw.dim) / 2), 1, TL_POS_MAX / 2, 16);
  const b = Number(raw.base);
  const base = Number.isFinite(b) && b > 0 ? b : 10000;
  const position = int(raw.position, 0, length - 1, 0);
  const offset = int(raw.offset, 0, length - 1 - position, 0);
  const pair = int(raw.pair, 0, dim / 2 - 1, 0);
  return { length, dim, base, position, offset, pair };
}

function render({ model, el }) {
  tlPosInstances += 1;
  const uid = `tl-pos-${tlPosInstances}-${Math.random().toString(36).slice(2, 8)}`;
  const PARAMS = ["length", "dim", "base", "position", "offset", "pair"];

  function readState() {
    const raw = {};
    for (const name of PARAMS) raw[name] = model.get(name);
    return tlPosClampState(raw);
  }
  let st = readState();
  let browser = null; // tlPosCompute(st)
  let cursor = { row: st.position, col: 0 };

  // ---- skeleton -------------------------------------------------------------------------
  const root = tlPosEl("div", "tl-pos", el);
  const nums = {}; // name -> span.tl-pos-num
  function num(parent, name) {
    const span = tlPosEl("span", "tl-pos-num", parent, "");
    span.dataset.name = name;
    nums[name] = span;
    return span;
  }
  function sentence(parent, cls, parts) {
    // parts: strings (text) and {n: name} (a number)
    const p = tlPosEl("p", cls, parent);
    for (const part of parts) {
      if (typeof part === "string") p.appendChild(document.createTextNode(part));
      else num(p, part.n);
    }
    return p;
  }

  const sliders = {};
  function slider(parent, param, text, hint) {
    const row = tlPosEl("div", "tl-pos-control", parent);
    const label = tlPosEl("label", "tl-pos-label", row, text);
    const input = tlPosEl("input", "tl-pos-slider", row);
    Object.assign(input, { type: "range", id: `${uid}-${param}` });
    input.dataset.param = param;
    label.htmlFor = input.id;
    if (hint) input.title = hint;
    const out = tlPosEl("output", "tl-pos-value", row);
    out.htmlFor = input.id;
    out.dataset.param = param;
    input.addEventListener("input", () => onSlide(param, Number(input.value)));
    sliders[param] = { input, out };
    return row;
  }

  const controls = tlPosEl("div", "tl-pos-controls", root);
  slider(controls, "length", "sequence length L", "number of positions (rows of P)");
  slider(controls, "dim", "model width d", "number of dimensions (columns of P), even");
  const baseRow = tlPosEl("div", "tl-pos-control", controls);
  const baseLabel = tlPosEl("label", "tl-pos-label", baseRow, "base");
  const baseSel = tlPosEl("select", "tl-pos-base", baseRow);
  baseSel.id = `${uid}-base`;
  baseSel.title = "the wavelengths grow from 2π to 2π · base";
  baseLabel.htmlFor = baseSel.id;
  slider(controls, "position", "query position i", "the row outlined in the heatmap");
  slider(controls, "offset", "offset k", "compare position i with position i + k");

  const panels = tlPosEl("div", "tl-pos-panels", root);

  // ---- panel 1: the heatmap ----
  const heatFig = tlPosEl("figure", "tl-pos-panel tl-pos-panel-heat", panels);
  heatFig.dataset.panel = "heatmap";
  tlPosEl("figcaption", "tl-pos-title", heatFig, "The table P[n, c]: position n ↓, dimension " +
    "c →");
  const heatGrid = tlPosEl("div", "tl-pos-heat-grid", heatFig);
  const yAxis = tlPosEl("div", "tl-pos-heat-yaxis", heatGrid);
  yAxis.setAttribute("aria-hidden", "true");
  const yTop = tlPosEl("span", "tl-pos-heat-tick", yAxis, "0");
  tlPosEl("span", "tl-pos-heat-axis-name", yAxis, "n ↓");
  const yBottom = tlPosEl("span", "tl-pos-heat-tick", yAxis, "");
  const frame = tlPosEl("div", "tl-pos-heat-frame", heatGrid);
  const canvas = tlPosEl("canvas", "tl-pos-heatmap", frame);
  canvas.tabIndex = 0;
  canvas.setAttribute("role", "group");
  canvas.setAttribute("aria-roledescription", "heatmap");
  const rowBox = tlPosEl("div", "tl-pos-heat-row", frame);
  rowBox.setAttribute("aria-hidden", "true");
  const cursorBox = tlPosEl("div", "tl-pos-heat-cursor", frame);
  cursorBox.setAttribute("aria-hidden", "true");
  tlPosEl("span", "tl-pos-heat-corner", heatGrid);
  const xAxis = tlPosEl("div", "tl-pos-heat-xaxis", heatGrid);
  xAxis.setAttribute("aria-hidden", "true");
  tlPosEl("span", "tl-pos-heat-tick", xAxis, "0");
  tlPosEl("span", "tl-pos-heat-axis-name", xAxis, "c →");
  const xRight = tlPosEl("span", "tl-pos-heat-tick", xAxis, "");
  const legend = tlPosEl("div", "tl-pos-legend", heatFig);
  legend.setAttribute("aria-hidden", "true");
  tlPosEl("span", null, legend, "−1");
  tlPosEl("span", "tl-pos-legend-bar", legend);
  tlPosEl("span", null, legend, "+1");
  const readout = tlPosEl("p", "tl-pos-readout", heatFig);
  readout.setAttribute("aria-live", "polite");
  const readLabel = tlPosEl("span", "tl-pos-readout-label", readout);
  readout.appendChild(document.createTextNode(" = "));
  num(readout, "cell");
  readout.id = `${uid}-readout`;
  canvas.setAttribute("aria-describedby", readout.id);
  tlPosEl("p", "tl-pos-hint", heatFig, "Hover a cell, or focus the heatmap and use the arrow " +
    "keys, to read it; click a row or press Enter to make it i.");
  const rowDetails = tlPosEl("details", "tl-pos-rowvals", heatFig);
  const rowSummary = tlPosEl("summary", null, rowDetails, "");
  const rowList = tlPosEl("div", "tl-pos-rowlist", rowDetails);

  // ---- panel 2: the dot products ----
  const C = TL_POS_CHART;
  const dotsFig = tlPosEl("figure", "tl-pos-panel tl-pos-panel-dots", panels);
  dotsFig.dataset.panel = "dots";
  tlPosEl("figcaption", "tl-pos-title", dotsFig, "P[i]·P[j] for every position j");
  const dsvg = tlPosSvg("svg", {
    class: "tl-pos-dots", viewBox: `0 0 ${C.w} ${C.h}`, role: "img",
  }, dotsFig);
  const dAxes = tlPosSvg("g", { class: "tl-pos-axes", "aria-hidden": "true" }, dsvg);
  const dPeakLine = tlPosSvg("line", { class: "tl-pos-dots-peakline" }, dsvg);
  const dShiftLine = tlPosSvg("line", { class: "tl-pos-dots-shiftline" }, dsvg);
  const dLine = tlPosSvg("polyline", { class: "tl-pos-dots-line", points: "" }, dsvg);
  const dPoints = tlPosSvg("g", { class: "tl-pos-dots-points" }, dsvg);
  const dLabels = tlPosSvg("g", { class: "tl-pos-dots-labels", "aria-hidden": "true" }, dsvg);
  const facts = tlPosEl("div", "tl-pos-facts", dotsFig);
  const peakFact = sentence(facts, "tl-pos-fact", [
    "The curve peaks at j = i = ", { n: "position" }, " (first maximum at j = ", { n: "peak" },
    "): P[i]·P[i] = ", { n: "peak_dot" }, " = d/2 = ", { n: "half_dim" },
    ", one sin² + cos² = 1 per pair.",
  ]);
  peakFact.dataset.fact = "peak";
  const shiftFact = sentence(facts, "tl-pos-fact", [
    "At j = i + k = ", { n: "shift_j" }, ": P[i]·P[i+k] = ", { n: "shift_dot" },
    ". The same for every i: over all ", { n: "shift_count" },
    " positions n with n + k < L, P[n]·P[n+k] differs from it by at most ",
    { n: "shift_deviation" }, " (rounding): it depends only on k.",
  ]);
  shiftFact.dataset.fact = "shift";

  // ---- panel 3: the rotation ----
  const rotFig = tlPosEl("figure", "tl-pos-panel tl-pos-panel-rot", panels);
  rotFig.dataset.panel = "rotation";
  tlPosEl("figcaption", "tl-pos-title", rotFig, "One (sin, cos) pair: a point on the unit " +
    "circle per position");
  const rotBody = tlPosEl("div", "tl-pos-rot-body", rotFig);
  const csvg = tlPosSvg("svg", {
    class: "tl-pos-circle", viewBox: "-1.42 -1.42 2.84 2.84", role: "img",
  }, rotBody);
  const cAxes = tlPosSvg("g", { class: "tl-pos-axes", "aria-hidden": "true" }, csvg);
  tlPosSvg("line", { class: "tl-pos-axis", x1: -1.25, y1: 0, x2: 1.25, y2: 0 }, cAxes);
  tlPosSvg("line", { class: "tl-pos-axis", x1: 0, y1: -1.25, x2: 0, y2: 1.25 }, cAxes);
  tlPosSvg("circle", { class: "tl-pos-unit", cx: 0, cy: 0, r: 1 }, cAxes);
  // The axes' names in the corners, clear of the circle's points.
  const xName = tlPosSvg("text", { class: "tl-pos-circle-axis", x: 1.4, y: 1.38,
    "text-anchor": "end" }, cAxes);
  const yName = tlPosSvg("text", { class: "tl-pos-circle-axis", x: -1.4, y: -1.3,
    "text-anchor": "start" }, cAxes);
  const cArc = tlPosSvg("path", { class: "tl-pos-arc", d: "" }, csvg);
  const rayI = tlPosSvg("line", { class: "tl-pos-ray tl-pos-ray-i", x1: 0, y1: 0 }, csvg);
  const rayK = tlPosSvg("line", { class: "tl-pos-ray tl-pos-ray-k", x1: 0, y1: 0 }, csvg);
  const cPoints = tlPosSvg("g", { class: "tl-pos-pts" }, csvg);
  const labI = tlPosSvg("text", { class: "tl-pos-pt-label tl-pos-pt-label-i",
    "text-anchor": "middle", "dominant-baseline": "central" }, csvg);
  labI.textContent = "i";
  const labK = tlPosSvg("text", { class: "tl-pos-pt-label tl-pos-pt-label-k",
    "text-anchor": "middle", "dominant-baseline": "central" }, csvg);
  labK.textContent = "i+k";
  const rotSide = tlPosEl("div", "tl-pos-rot-side", rotBody);
  slider(rotSide, "pair", "pair j", "the columns 2j (sin) and 2j + 1 (cos)");
  const thetaFact = sentence(rotSide, "tl-pos-fact", [
    "Columns ", { n: "col_sin" }, " (sin, the y axis) and ", { n: "col_cos" },
    " (cos, the x axis) turn by θⱼ = base^(−2j/d) = ", { n: "theta" },
    " radians per position.",
  ]);
  thetaFact.dataset.fact = "theta";
  const angleFact = sentence(rotSide, "tl-pos-fact", [
    "From i to i + k the point turns by k·θⱼ = ", { n: "offset" }, " × θⱼ = ", { n: "angle" },
    " rad (", { n: "angle_degrees" }, "° after whole turns), whatever i. Measured between " +
    "the points: ", { n: "turn" }, " rad at i, and within ", { n: "turn_deviation" },
    " of k·θⱼ (whole turns removed) for every n.",
  ]);
  angleFact.dataset.fact = "angle";
  const matrixBox = tlPosEl("div", "tl-pos-matrix", rotSide);
  tlPosEl("span", "tl-pos-matrix-name", matrixBox,
    "relative_rotation(k) on this pair, (sin, cos) ↦ the same at i + k:");
  const grid = tlPosEl("span", "tl-pos-matrix-grid", matrixBox);
  for (const name of ["rotation_00", "rotation_01", "rotation_10", "rotation_11"]) {
    num(grid, name);
  }

  const status = tlPosEl("div", "tl-pos-status", root);

  // ---- drawing ------------------------------------------------------------------------------
  function controlsShow() {
    const ranges = {
      length: [2, TL_POS_MAX, 1, "L"],
      dim: [2, TL_POS_MAX, 2, "d"],
      position: [0, st.length - 1, 1, "i"],
      offset: [0, st.length - 1 - st.position, 1, "k"],
      pair: [0, st.dim / 2 - 1, 1, "j"],
    };
    for (const [param, [lo, hi, step, symbol]] of Object.entries(ranges)) {
      const { input, out } = sliders[param];
      // min and max before value: the browser clamps the value to them.
      input.min = String(lo);
      input.max = String(hi);
      input.step = String(step);
      input.value = String(st[param]);
      input.setAttribute("aria-valuetext", `${symbol} = ${st[param]}`);
      out.textContent = String(st[param]);
      out.dataset.value = String(st[param]);
    }
    const bases = TL_POS_BASES.includes(st.base) ? TL_POS_BASES
      : [...TL_POS_BASES, st.base].sort((a, b) => a - b);
    const values = bases.map(String);
    if (!tlPosSame([...baseSel.options].map((o) => o.value), values)) {
      baseSel.replaceChildren();
      for (const b of bases) {
        const o = tlPosEl("option", null, baseSel, String(b));
        o.value = String(b);
      }
    }
    baseSel.value = String(st.base);
  }

  function drawHeat() {
    const { length: L, dim: d } = st;
    canvas.width = d;
    canvas.height = L;
    canvas.dataset.rows = String(L);
    canvas.dataset.cols = String(d);
    canvas.dataset.row = String(st.position);
    canvas.setAttribute("aria-label", `Heatmap of P: ${L} positions by ${d} dimensions, ` +
      `colours from −1 (blue) to +1 (red), row i = ${st.position} outlined. Arrow keys move ` +
      "the cell read out below; Enter makes its row i.");
    const ctx = canvas.getContext("2d");
    const img = ctx.createImageData(d, L);
    for (let n = 0; n < L; n += 1) {
      for (let c = 0; c < d; c += 1) {
        const [r, g, b] = tlPosColor(browser.matrix[n][c]);
        const at = 4 * (n * d + c);
        img.data[at] = r;
        img.data[at + 1] = g;
        img.data[at + 2] = b;
        img.data[at + 3] = 255;
      }
    }
    ctx.putImageData(img, 0, 0);
    rowBox.style.top = `${(100 * st.position) / L}%`;
    rowBox.style.height = `${100 / L}%`;
    yBottom.textContent = String(L - 1);
    xRight.textContent = String(d - 1);
    showCursor();
  }

  function showCursor() {
    const { length: L, dim: d } = st;
    cursor.row = Math.min(L - 1, Math.max(0, cursor.row));
    cursor.col = Math.min(d - 1, Math.max(0, cursor.col));
    const { row, col } = cursor;
    cursorBox.style.top = `${(100 * row) / L}%`;
    cursorBox.style.height = `${100 / L}%`;
    cursorBox.style.left = `${(100 * col) / d}%`;
    cursorBox.style.width = `${100 / d}%`;
    const j = Math.floor(col / 2);
    const fn = col % 2 === 0 ? "sin" : "cos";
    readLabel.textContent = `P[${row}, ${col}] = ${fn}(${row}·θ${tlPosSub(j)})`;
    readout.dataset.row = String(row);
    readout.dataset.col = String(col);
    const v = browser.matrix[row][col];
    nums.cell.dataset.value = String(v);
    nums.cell.textContent = tlPosFmt(v);
  }

  function drawChart(numbers) {
    const { length: L, dim: d, position: i, offset: k } = st;
    const x0 = C.left;
    const x1 = C.w - C.right;
    const y0 = C.h - C.bottom;
    const y1 = C.top;
    const sx = (j) => x0 + (L > 1 ? (j / (L - 1)) * (x1 - x0) : 0);
    const sy = (v) => y0 - ((v + d / 2) / d) * (y0 - y1);
    dAxes.replaceChildren();
    tlPosSvg("rect", { class: "tl-pos-frame", x: x0, y: y1, width: x1 - x0, height: y0 - y1 },
      dAxes);
    tlPosSvg("line", { class: "tl-pos-zero", x1: x0, y1: sy(0), x2: x1, y2: sy(0) }, dAxes);
    for (const v of [-d / 2, 0, d / 2]) {
      const t = tlPosSvg("text", { class: "tl-pos-tick", x: x0 - 4, y: sy(v) + 3.5,
        "text-anchor": "end" }, dAxes);
      t.textContent = String(v);
    }
    for (const j of [0, L - 1]) {
      const t = tlPosSvg("text", { class: "tl-pos-tick", x: sx(j), y: y0 + 13,
        "text-anchor": "middle" }, dAxes);
      t.textContent = String(j);
    }
    const xl = tlPosSvg("text", { class: "tl-pos-axis-label", x: (x0 + x1) / 2, y: C.h - 4,
      "text-anchor": "middle" }, dAxes);
    xl.textContent = "position j";
    const yl = tlPosSvg("text", { class: "tl-pos-axis-label", x: 11, y: (y0 + y1) / 2,
      "text-anchor": "middle", transform: `rotate(-90 11 ${(y0 + y1) / 2})` }, dAxes);
    yl.textContent = "P[i]·P[j]";
    for (const [line, j] of [[dPeakLine, i], [dShiftLine, i + k]]) {
      line.setAttribute("x1", sx(j).toFixed(2));
      line.setAttribute("x2", sx(j).toFixed(2));
      line.setAttribute("y1", String(y1));
      line.setAttribute("y2", String(y0));
    }
    dShiftLine.style.display = k === 0 ? "none" : "";
    const dots = numbers.dots.map(Number);
    dLine.setAttribute("points",
      dots.map((v, j) => `${sx(j).toFixed(2)},${sy(v).toFixed(2)}`).join(" "));
    dPoints.replaceChildren();
    const r = L > 64 ? 1.6 : 2.2;
    dots.forEach((v, j) => {
      let cls = "tl-pos-dot";
      if (j === i) cls += " tl-pos-dot-peak";
      if (j === i + k) cls += " tl-pos-dot-shift";
      const rr = j === i || j === i + k ? 4.2 : r;
      const c = tlPosSvg("circle", { class: cls, cx: sx(j).toFixed(2), cy: sy(v).toFixed(2),
        r: rr, "data-j": j, "data-value": String(v) }, dPoints);
      const title = tlPosSvg("title", {}, c);
      title.textContent = `P[${i}]·P[${j}] = ${tlPosFmt(v)}`;
    });
    // The lines' names at the foot of the frame, one above the other, beside their line.
    dLabels.replaceChildren();
    const label = (text, j, y, cls) => {
      const right = sx(j) > x1 - 40;
      const t = tlPosSvg("text", { class: `tl-pos-dots-label ${cls}`,
        x: (sx(j) + (right ? -3 : 3)).toFixed(2), y, "text-anchor": right ? "end" : "start" },
      dLabels);
      t.textContent = text;
    };
    if (k === 0) {
      label("j = i = i + k", i, y0 - 6, "tl-pos-dots-label-peak");
    } else {
      label("j = i", i, y0 - 20, "tl-pos-dots-label-peak");
      label("j = i + k", i + k, y0 - 6, "tl-pos-dots-label-shift");
    }
    dsvg.setAttribute("aria-label", `Dot products P[${i}]·P[j] for j from 0 to ${L - 1}: ` +
      `highest at j = ${i}, and ${tlPosFmt(dots[i + k])} at j = ${i + k}.`);
  }

  function drawCircle(numbers) {
    const { length: L, position: i, offset: k, pair: j } = st;
    const pts = numbers.pair_points.map((p) => [Number(p[0]), Number(p[1])]);
    cPoints.replaceChildren();
    const small = L > 64 ? 0.028 : 0.038;
    pts.forEach(([x, y], n) => {
      if (n === i || n === i + k) return; // drawn last, on top
      tlPosSvg("circle", { class: "tl-pos-pt", cx: x, cy: -y, r: small, "data-n": n,
        "data-x": String(x), "data-y": String(y) }, cPoints);
    });
    const order = k === 0 ? [[i, "tl-pos-pt tl-pos-pt-i tl-pos-pt-k"]]
      : [[i, "tl-pos-pt tl-pos-pt-i"], [i + k, "tl-pos-pt tl-pos-pt-k"]];
    for (const [n, cls] of order) {
      const [x, y] = pts[n];
      tlPosSvg("circle", { class: cls, cx: x, cy: -y, r: 0.075, "data-n": n,
        "data-x": String(x), "data-y": String(y) }, cPoints);
    }
    const [xi, yi] = pts[i];
    const [xk, yk] = pts[i + k];
    for (const [ray, x, y] of [[rayI, xi, yi], [rayK, xk, yk]]) {
      ray.setAttribute("x2", String(x));
      ray.setAttribute("y2", String(-y));
    }
    const place = (lab, x, y, dx) => {
      const len = Math.hypot(x, y) || 1;
      lab.setAttribute("x", String((x / len) * 1.2 + dx));
      lab.setAttribute("y", String(-(y / len) * 1.2));
    };
    place(labI, xi, yi, k === 0 ? -0.1 : 0);
    place(labK, xk, yk, k === 0 ? 0.14 : 0);
    labK.style.display = "";
    // The arc: counterclockwise from i by k·θ minus whole turns.
    const sweep = Number(numbers.angle) % (2 * Math.PI);
    const a0 = Math.atan2(yi, xi);
    const rr = 0.32;
    if (sweep > 1e-9 && sweep < 2 * Math.PI - 1e-9) {
      const a1 = a0 + sweep;
      const large = sweep > Math.PI ? 1 : 0;
      cArc.setAttribute("d", `M ${rr * Math.cos(a0)} ${-rr * Math.sin(a0)} A ${rr} ${rr} 0 ` +
        `${large} 0 ${rr * Math.cos(a1)} ${-rr * Math.sin(a1)}`);
      cArc.style.display = "";
    } else {
      cArc.setAttribute("d", "");
      cArc.style.display = "none";
    }
    xName.textContent = `x = P[n, ${2 * j + 1}] = cos nθ`;
    yName.textContent = `y = P[n, ${2 * j}] = sin nθ`;
    csvg.setAttribute("aria-label", `Pair ${j}: the ${L} points (cos nθ, sin nθ) on the unit ` +
      `circle, θ = ${tlPosFmt(numbers.theta)} rad; point i = ${i} and point i + k = ${i + k} ` +
      "highlighted.");
  }

  function setNum(name, v) {
    const x = Number(v);
    nums[name].dataset.value = String(x);
    nums[name].textContent = tlPosFmt(x);
  }

  function show(numbers, source) {
    const { dim: d, position: i, offset: k, pair: j } = st;
    // The row P[i], as numbers.
    rowSummary.textContent = `P[${i}] as numbers (${d} columns)`;
    if (rowList.children.length !== d) {
      rowList.replaceChildren();
      for (let c = 0; c < d; c += 1) {
        const item = tlPosEl("span", "tl-pos-rowitem", rowList);
        tlPosEl("span", "tl-pos-rowcol", item, `${c}:`);
        const v = tlPosEl("span", "tl-pos-rowval", item);
        v.dataset.col = String(c);
      }
    }
    rowList.querySelectorAll(".tl-pos-rowval").forEach((node, c) => {
      const v = Number(numbers.row[c]);
      node.dataset.value = String(v);
      node.textContent = tlPosFmt(v);
    });
    drawChart(numbers);
    drawCircle(numbers);
    const dots = numbers.dots.map(Number);
    setNum("position", i);
    setNum("peak", numbers.peak);
    setNum("peak_dot", dots[i]);
    setNum("half_dim", d / 2);
    setNum("shift_j", i + k);
    setNum("shift_dot", numbers.shift_dot);
    setNum("shift_count", numbers.shift_dots.length);
    setNum("shift_deviation", numbers.shift_deviation);
    setNum("col_sin", 2 * j);
    setNum("col_cos", 2 * j + 1);
    setNum("theta", numbers.theta);
    setNum("offset", k);
    setNum("angle", numbers.angle);
    setNum("angle_degrees", numbers.angle_degrees);
    setNum("turn", numbers.turn);
    setNum("turn_deviation", numbers.turn_deviation);
    setNum("rotation_00", numbers.rotation[0][0]);
    setNum("rotation_01", numbers.rotation[0][1]);
    setNum("rotation_10", numbers.rotation[1][0]);
    setNum("rotation_11", numbers.rotation[1][1]);
    status.dataset.source = source;
    status.textContent = source === "kernel"
      ? "Computed by tokenlab in the Python kernel (the heatmap in your browser)."
      : "Computed in your browser (no kernel needed).";
  }

  function showBrowser() {
    browser = tlPosCompute(st);
    controlsShow();
    drawHeat();
    show(browser, "browser");
  }

  let committing = false;

  function commit() {
    // The browser's numbers at once; in a live kernel Python answers through `result`.
    showBrowser();
    committing = true;
    try {
      for (const name of PARAMS) model.set(name, st[name]);
      model.save_changes(); // no kernel on the static site: nothing listens, nothing breaks
    } catch (err) {
      // No kernel and no comm: the widget still computes in the page.
    } finally {
      committing = false;
    }
  }

  function update(changes) {
    const next = tlPosClampState({ ...st, ...changes });
    if (tlPosSame(next, st)) {
      controlsShow(); // put a slider back where the state says
      return;
    }
    if (next.position !== st.position) cursor.row = next.position;
    st = next;
    commit();
  }

  function onSlide(param, value) {
    if (!Number.isFinite(value)) return;
    update({ [param]: value });
  }

  baseSel.addEventListener("change", () => {
    const b = Number(baseSel.value);
    if (b > 0) update({ base: b });
  });

  // ---- the heatmap: pointer and keys --------------------------------------------------------
  function cellAt(evt) {
    const box = canvas.getBoundingClientRect();
    if (!(box.width > 0 && box.height > 0)) return null;
    const col = Math.floor(((evt.clientX - box.left) / box.width) * st.dim);
    const row = Math.floor(((evt.clientY - box.top) / box.height) * st.length);
    if (row < 0 || row >= st.length || col < 0 || col >= st.dim) return null;
    return { row, col };
  }
  canvas.addEventListener("pointermove", (evt) => {
    const cell = cellAt(evt);
    if (!cell || (cell.row === cursor.row && cell.col === cursor.col)) return;
    cursor = cell;
    showCursor();
  });
  canvas.addEventListener("click", (evt) => {
    const cell = cellAt(evt);
    if (!cell) return;
    cursor = cell;
    showCursor();
    update({ position: cell.row });
  });
  const MOVES = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  canvas.addEventListener("keydown", (evt) => {
    if (evt.altKey || evt.ctrlKey || evt.metaKey) return;
    const step = MOVES[evt.key];
    if (step) {
      cursor = { row: cursor.row + step[0], col: cursor.col + step[1] };
    } else if (evt.key === "Home" || evt.key === "End") {
      cursor = { row: cursor.row, col: evt.key === "Home" ? 0 : st.dim - 1 };
    } else if (evt.key === "Enter" || evt.key === " ") {
      evt.preventDefault();
      update({ position: cursor.row });
      return;
    } else {
      return;
    }
    evt.preventDefault();
    showCursor();
  });

  // ---- the model changed elsewhere (Python, another view): follow it ---------------------
  function onState() {
    if (committing) return;
    const next = readState();
    if (tlPosSame(next, st)) return;
    if (next.position !== st.position) cursor.row = next.position;
    st = next;
    showBrowser();
  }

  function onResult() {
    const r = model.get("result") || {};
    const sized = (list, n) => Array.isArray(list) && list.length === n;
    const finite = ["peak", "shift_dot", "shift_deviation", "theta", "angle", "angle_degrees",
      "turn", "turn_deviation"].every((name) => Number.isFinite(Number(r[name])));
    if (PARAMS.every((name) => r[name] === st[name]) && finite &&
        sized(r.row, st.dim) && sized(r.dots, st.length) &&
        sized(r.shift_dots, st.length - st.offset) && sized(r.pair_points, st.length) &&
        sized(r.rotation, 2) && r.rotation.every((line) => sized(line, 2))) {
      show(r, "kernel");
    }
  }

  const listeners = [
    ...PARAMS.map((n) => [`change:${n}`, onState]),
    ["change:result", onResult],
  ];
  for (const [event, handler] of listeners) model.on(event, handler);

  showBrowser();
  return () => {
    for (const [event, handler] of listeners) model.off(event, handler);
  };
}

export default { render };
