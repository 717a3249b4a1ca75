// ---- Similarity explorer (tokenlab.widgets.SimilarityWidget) ---------------------------------
// A query q and 1 to 4 keys drawn as arrows on a plane; drag their tips and compare, per key,
// the dot product, the cosine, the scaled dot product and the softmax weight. Every number is
// computed here in the browser, so the widget works on the static site with no kernel. In a
// live kernel each change also reaches Python, which recomputes "result" with tokenlab; when
// that result is for exactly the vectors and temperature on screen, the widget shows it.
//
// Model state:
//   query        [x, y]                     (read; written on every drag or key press)
//   key_vectors  [[x, y], ...]  1 to 4 keys (read; written likewise); not "keys", which
//                ipywidgets reserves for the list of synced traits
//   labels       [str]          a name per key (read; missing names show as k1, k2, ...)
//   temperature  number > 0                 (read; written when the slider moves)
//   result       {query, keys, temperature, dot: [..], cosine: [..], scaled_dot: [..],
//                weights: [..]}  from the kernel (read only)
//
// The numbers, for d = 2 and eps = 1e-8 (torch.nn.functional.cosine_similarity's formula):
//   dot        q·k = qx*kx + qy*ky
//   cosine     q·k / (max(|q|, eps) * max(|k|, eps))      so a zero vector gives 0, not NaN,
//              computed as (q / max(|q|, eps)) · (k / max(|k|, eps)), clamped to [-1, 1]
//   scaled_dot q·k / sqrt(d)
//   weight     softmax over the keys of scaled_dot / temperature (max subtracted first)
//
// DOM contract (browser tests rely on it; keep it stable):
//   .tl-sim                                 root element
//   svg.tl-sim-plane                        the plane, -6 to 6 on both axes, grid and axes. Its
//                                           user coordinates are the plane's with y flipped:
//                                           the point (x, y) is at SVG (x, -y).
//   circle.tl-sim-handle[data-vec=V]        the handle at a vector's tip; V = "q" for the
//                                           query, "0", "1", ... for key i. data-x, data-y:
//                                           its position, String(number). Focusable
//                                           (tabindex 0): arrow keys move it by 0.5. Dragged
//                                           with a pointer it snaps to the 0.5 grid; drags and
//                                           keys keep it within [-6, 6].
//   .tl-sim-caption                         "q = (x, y)"
//   tr.tl-sim-row[data-key=i]               one table row per key i, in order
//     th.tl-sim-key                         the key's label and position
//     td[data-metric=M]                     M = dot, cosine, scaled_dot, weight; data-value =
//                                           String(number) at full precision; the text is
//                                           the number to 3 decimals ("-0.000" shows "0.000")
//     td[data-metric=weight] .tl-sim-bar-fill   a bar, style width = weight * 100 %
//   input.tl-sim-temp                       type=range, 0.1 to 5, step 0.1: the temperature
//   .tl-sim-temp-value                      the temperature shown
//   .tl-sim-verdict                         a sentence naming the key(s) with the highest
//                                           cosine and the highest dot product (ties: all);
//                                           data-best-cosine, data-best-dot: their indices,
//                                           space-separated ("0 1"). aria-live=polite
//   .tl-sim-status[data-source=S]           S = "browser" or "kernel": whose numbers are shown
// All text is set with textContent, never parsed as HTML.

const TL_SIM_NS = "http://www.w3.org/2000/svg";
const TL_SIM_EPS = 1e-8;
const TL_SIM_MAX = 6; // the plane is [-6, 6] x [-6, 6]
const TL_SIM_STEP = 0.5; // snapping grid and keyboard step
const TL_SIM_PAD = 0.7; // room around the plane for labels, in plane units
const TL_SIM_R = 0.36; // handle radius, in plane units
const TL_SIM_METRICS = ["dot", "cosine", "scaled_dot", "weight"];
let tlSimInstances = 0;

function tlSimCompute(query, keys, temperature) {
  const d = query.length;
  const dotOf = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);
  // As torch (and tokenlab.similarity.cosine): each vector divided by its clamped norm, then
  // the two dotted, then clamped to [-1, 1] against rounding.
  const unit = (v) => {
    const n = Math.max(Math.sqrt(dotOf(v, v)), TL_SIM_EPS);
    return v.map((x) => x / n);
  };
  const qu = unit(query);
  const dot = keys.map((k) => dotOf(query, k));
  const cosine = keys.map((k) => Math.min(1, Math.max(-1, dotOf(qu, unit(k)))));
  const scaled = dot.map((v) => v / Math.sqrt(d));
  const z = scaled.map((v) => v / temperature);
  const top = Math.max(...z);
  const e = z.map((v) => Math.exp(v - top));
  const sum = e.reduce((s, v) => s + v, 0);
  return { dot, cosine, scaled_dot: scaled, weights: e.map((v) => v / sum) };
}

function tlSimBest(values) {
  // Indices of the largest values; values within a rounding error of the top tie.
  const top = Math.max(...values);
  const tol = 1e-9 * Math.max(1, Math.abs(top));
  return values.flatMap((v, i) => (top - v <= tol ? [i] : []));
}

function tlSimFmt(v) {
  const s = Number(v).toFixed(3);
  return s === "-0.000" ? "0.000" : s;
}

function tlSimCoord(v) {
  return Number.isInteger(v * 2) ? String(v) : Number(v).toFixed(2);
}

function tlSimSnap(v) {
  const s = Math.round(v / TL_SIM_STEP) * TL_SIM_STEP;
  return Math.min(TL_SIM_MAX, Math.max(-TL_SIM_MAX, s)) + 0; // + 0 turns -0 into 0
}

function tlSimClamp(v) {
  return Math.min(TL_SIM_MAX, Math.max(-TL_SIM_MAX, v)) + 0;
}

function tlSimNames(names) {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

function tlSimSvg(tag, attrs, parent) {
  const node = document.createElementNS(TL_SIM_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
  if (parent) parent.appendChild(node);
  return node;
}

function tlSimEl(tag, className, parent, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

function tlSimSame(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

function render({ model, el }) {
  tlSimInstances += 1;
  const uid = `tl-sim-${tlSimInstances}-${Math.random().toString(36).slice(2, 8)}`;

  function readState() {
    const num = (v, fallback) => (Number.isFinite(Number(v)) ? Number(v) : fallback);
    const vec = (v) => [num((v || [])[0], 0), num((v || [])[1], 0)];
    const keys = (model.get("key_vectors") || []).map(vec);
    const raw = model.get("labels") || [];
    const temperature = num(model.get("temperature"), 1);
    return {
      query: vec(model.get("query")),
      keys,
      labels: keys.map((_, i) => (typeof raw[i] === "string" ? raw[i] : `k${i + 1}`)),
      temperature: temperature > 0 ? temperature : 1,
    };
  }
  let st = readState();

  // ---- skeleton -------------------------------------------------------------------------
  const root = tlSimEl("div", "tl-sim", el);
  const body = tlSimEl("div", "tl-sim-body", root);
  const figure = tlSimEl("div", "tl-sim-figure", body);
  const lo = -TL_SIM_MAX - TL_SIM_PAD;
  const size = 2 * (TL_SIM_MAX + TL_SIM_PAD);
  const svg = tlSimSvg("svg", {
    class: "tl-sim-plane",
    viewBox: `${lo} ${lo} ${size} ${size}`,
    role: "group",
    "aria-label": "The query and the keys as arrows on a plane from -6 to 6",
  }, figure);
  const grid = tlSimSvg("g", { class: "tl-sim-grid", "aria-hidden": "true" }, svg);
  for (let i = -TL_SIM_MAX; i <= TL_SIM_MAX; i += 1) {
    const cls = i === 0 ? "tl-sim-axis" : "tl-sim-gridline";
    tlSimSvg("line", { class: cls, x1: i, y1: -TL_SIM_MAX, x2: i, y2: TL_SIM_MAX }, grid);
    tlSimSvg("line", { class: cls, x1: -TL_SIM_MAX, y1: i, x2: TL_SIM_MAX, y2: i }, grid);
    if (i !== 0 && i % 2 === 0) {
      const t1 = tlSimSvg("text", { class: "tl-sim-tick", x: i, y: 0.6, "font-size": 0.42,
        "text-anchor": "middle" }, grid);
      t1.textContent = String(i);
      const t2 = tlSimSvg("text", { class: "tl-sim-tick", x: -0.2, y: -i + 0.15,
        "font-size": 0.42, "text-anchor": "end" }, grid);
      t2.textContent = String(i);
    }
  }
  const arrows = tlSimSvg("g", { class: "tl-sim-arrows" }, svg);
  const handles = tlSimSvg("g", { class: "tl-sim-handles" }, svg);
  tlSimEl("div", "tl-sim-hint", figure,
    "Drag a tip, or focus it with Tab and move it with the arrow keys.");

  const panel = tlSimEl("div", "tl-sim-panel", body);
  const table = tlSimEl("table", "tl-sim-table", tlSimEl("div", "tl-sim-table-wrap", panel));
  const caption = tlSimEl("caption", "tl-sim-caption", table);
  const head = tlSimEl("tr", null, tlSimEl("thead", null, table));
  const sqrtD = `√${st.query.length}`;
  for (const [text, title] of [
    ["key", "the key and its position"],
    ["q·k", "dot product"],
    ["cosine", "cosine similarity: q·k / (|q| |k|)"],
    [`q·k / ${sqrtD}`, "scaled dot product"],
    ["weight", "softmax over the keys of (q·k / √d) / T"],
  ]) {
    const th = tlSimEl("th", null, head, text);
    th.title = title;
    th.scope = "col";
  }
  const tbody = tlSimEl("tbody", null, table);

  const tempRow = tlSimEl("div", "tl-sim-temp-row", panel);
  const tempLabel = tlSimEl("label", "tl-sim-temp-label", tempRow, "temperature T ");
  tempLabel.htmlFor = `${uid}-temp`;
  const slider = tlSimEl("input", "tl-sim-temp", tempRow);
  Object.assign(slider, { type: "range", min: "0.1", max: "5", step: "0.1", id: `${uid}-temp` });
  const tempValue = tlSimEl("output", "tl-sim-temp-value", tempRow);
  tempValue.htmlFor = slider.id;
  tlSimEl("div", "tl-sim-formula", panel,
    `weights = softmax(q·k / ${sqrtD} / T) over the keys; a small T sharpens them, ` +
    "a large T flattens them.");
  const verdict = tlSimEl("p", "tl-sim-verdict", panel);
  verdict.setAttribute("aria-live", "polite");
  const status = tlSimEl("div", "tl-sim-status", root);

  // ---- per-vector parts, rebuilt when the number of keys or their labels change ----------
  let views = {}; // vec id -> {shaft, head, label, handle}
  let rows = []; // per key: {th, cells: {metric: td}, fill}

  function colorClass(vec) {
    return `tl-sim-c-${vec}`;
  }

  function build() {
    arrows.replaceChildren();
    handles.replaceChildren();
    tbody.replaceChildren();
    views = {};
    rows = [];
    // Keys first, the query last: it is drawn on top.
    const ids = [...st.keys.map((_, i) => String(i)), "q"];
    for (const vec of ids) {
      const name = vec === "q" ? "q" : st.labels[Number(vec)];
      const g = tlSimSvg("g", { class: `tl-sim-vec ${colorClass(vec)}`, "data-vec": vec },
        arrows);
      const shaft = tlSimSvg("line", { class: "tl-sim-shaft", x1: 0, y1: 0, x2: 0, y2: 0 }, g);
      const headPoly = tlSimSvg("polygon", { class: "tl-sim-head", points: "" }, g);
      const label = tlSimSvg("text", { class: "tl-sim-label", "font-size": 0.56,
        "text-anchor": "middle", "dominant-baseline": "central" }, g);
      label.textContent = name;
      const handle = tlSimSvg("circle", {
        class: `tl-sim-handle ${colorClass(vec)}`, r: TL_SIM_R, cx: 0, cy: 0,
        tabindex: 0, "data-vec": vec, "aria-roledescription": "draggable point",
      }, handles);
      views[vec] = { shaft, head: headPoly, label, handle, name };
    }
    st.keys.forEach((_, i) => {
      const tr = tlSimEl("tr", "tl-sim-row", tbody);
      tr.dataset.key = String(i);
      const th = tlSimEl("th", "tl-sim-key", tr);
      th.scope = "row";
      tlSimEl("span", `tl-sim-swatch ${colorClass(i)}`, th).setAttribute("aria-hidden", "true");
      tlSimEl("span", "tl-sim-key-name", th, st.labels[i]);
      const pos = tlSimEl("span", "tl-sim-key-pos", th);
      const cells = {};
      let fill = null;
      for (const metric of TL_SIM_METRICS) {
        const td = tlSimEl("td", null, tr);
        td.dataset.metric = metric;
        if (metric === "weight") {
          tlSimEl("span", "tl-sim-num", td);
          const bar = tlSimEl("span", "tl-sim-bar", td);
          bar.setAttribute("aria-hidden", "true");
          fill = tlSimEl("span", `tl-sim-bar-fill ${colorClass(i)}`, bar);
        }
        cells[metric] = td;
      }
      rows.push({ pos, cells, fill });
    });
  }

  function position(vec) {
    return vec === "q" ? st.query : st.keys[Number(vec)];
  }

  function place() {
    for (const [vec, view] of Object.entries(views)) {
      const [x, y] = position(vec);
      const len = Math.hypot(x, y);
      const { shaft, head: headPoly, label, handle, name } = view;
      handle.setAttribute("cx", String(x));
      handle.setAttribute("cy", String(-y));
      handle.dataset.x = String(x);
      handle.dataset.y = String(y);
      handle.setAttribute("aria-label",
        `${name === "q" ? "query q" : `key ${name}`} at (${tlSimCoord(x)}, ${tlSimCoord(y)}); ` +
        "arrow keys move it by 0.5");
      // The arrow ends at the handle's rim: shaft, then a head whose tip touches the handle.
      const headLen = 0.5;
      const reach = len - TL_SIM_R;
      if (reach > headLen) {
        const [ux, uy] = [x / len, y / len];
        const [tx, ty] = [ux * reach, uy * reach];
        const [bx, by] = [ux * (reach - headLen), uy * (reach - headLen)];
        const [px, py] = [-uy * 0.22, ux * 0.22];
        shaft.setAttribute("x2", String(bx));
        shaft.setAttribute("y2", String(-by));
        headPoly.setAttribute("points",
          `${tx},${-ty} ${bx + px},${-(by + py)} ${bx - px},${-(by - py)}`);
        shaft.style.display = "";
        headPoly.style.display = "";
      } else {
        shaft.style.display = "none";
        headPoly.style.display = "none";
      }
      // The name sits beside the tip, on the arrow's right (so that vectors along one line,
      // like the lecture's (0, 4) and (0, 5), do not cover each other's names).
      const [ux, uy] = len > 0 ? [x / len, y / len] : [0, 1];
      const edge = TL_SIM_MAX + TL_SIM_PAD - 0.35;
      const lx = Math.min(edge, Math.max(-edge, x + ux * 0.2 + uy * 0.75));
      const ly = Math.min(edge, Math.max(-edge, y + uy * 0.2 - ux * 0.75));
      label.setAttribute("x", String(lx));
      label.setAttribute("y", String(-ly));
    }
    rows.forEach((row, i) => {
      const [x, y] = st.keys[i];
      row.pos.textContent = `(${tlSimCoord(x)}, ${tlSimCoord(y)})`;
    });
    const [qx, qy] = st.query;
    caption.textContent = `q = (${tlSimCoord(qx)}, ${tlSimCoord(qy)})`;
    slider.value = String(st.temperature);
    tempValue.textContent = Number.isInteger(st.temperature * 10)
      ? st.temperature.toFixed(1)
      : String(st.temperature);
  }

  function show(numbers, source) {
    const byMetric = { ...numbers, weight: numbers.weights };
    rows.forEach((row, i) => {
      for (const metric of TL_SIM_METRICS) {
        const v = Number(byMetric[metric][i]);
        const td = row.cells[metric];
        td.dataset.value = String(v);
        if (metric === "weight") {
          td.querySelector(".tl-sim-num").textContent = tlSimFmt(v);
          row.fill.style.width = `${Math.max(0, Math.min(1, v)) * 100}%`;
        } else {
          td.textContent = tlSimFmt(v);
        }
      }
    });
    const bestCos = tlSimBest(numbers.cosine.map(Number));
    const bestDot = tlSimBest(numbers.dot.map(Number));
    verdict.dataset.bestCosine = bestCos.join(" ");
    verdict.dataset.bestDot = bestDot.join(" ");
    const phrase = (best, values) => {
      const names = tlSimNames(best.map((i) => st.labels[i]));
      const tie = best.length > 1 ? " tie" : "";
      return `${names}${tie} (${tlSimFmt(values[best[0]])})`;
    };
    let text = `Highest cosine: ${phrase(bestCos, numbers.cosine)}. ` +
      `Highest dot product: ${phrase(bestDot, numbers.dot)}.`;
    if (st.query.every((v) => v === 0)) {
      text += " q is the zero vector: it has no direction, so every cosine is 0.";
    } else if (!tlSimSame(bestCos, bestDot)) {
      text += " They disagree: cosine sees only the direction, the dot product also grows " +
        "with the length.";
    }
    verdict.textContent = text;
    status.dataset.source = source;
    status.textContent = source === "kernel"
      ? "Computed by tokenlab in the Python kernel."
      : "Computed in your browser (no kernel needed).";
  }

  function showBrowser() {
    show(tlSimCompute(st.query, st.keys, st.temperature), "browser");
  }

  let committing = false;

  function commit() {
    // The browser's numbers at once; in a live kernel Python answers through `result`.
    place();
    showBrowser();
    committing = true;
    try {
      model.set("query", [...st.query]);
      model.set("key_vectors", st.keys.map((k) => [...k]));
      model.set("temperature", st.temperature);
      model.save_changes(); // no kernel on the static site: nothing listens, nothing breaks
    } catch (err) {
      // No kernel and no comm: the widget still computes in the page.
    } finally {
      committing = false;
    }
  }

  function moveTo(vec, x, y) {
    const [ox, oy] = position(vec);
    if (x === ox && y === oy) return;
    if (vec === "q") st.query = [x, y];
    else st.keys[Number(vec)] = [x, y];
    commit();
  }

  // ---- pointer: drag a handle; its grab offset is kept, the position snaps to 0.5 ----------
  let drag = null;

  function toPlane(evt) {
    const ctm = svg.getScreenCTM();
    if (!ctm) return null;
    const p = new DOMPoint(evt.clientX, evt.clientY).matrixTransform(ctm.inverse());
    return [p.x, -p.y];
  }

  svg.addEventListener("pointerdown", (evt) => {
    const handle = evt.target.closest && evt.target.closest(".tl-sim-handle");
    if (!handle || evt.button !== 0) return;
    const p = toPlane(evt);
    if (!p) return;
    evt.preventDefault();
    const vec = handle.dataset.vec;
    const [x, y] = position(vec);
    drag = { vec, id: evt.pointerId, dx: p[0] - x, dy: p[1] - y };
    svg.setPointerCapture(evt.pointerId);
    handle.focus({ preventScroll: true });
    root.classList.add("tl-sim-dragging");
  });
  svg.addEventListener("pointermove", (evt) => {
    if (!drag || evt.pointerId !== drag.id) return;
    const p = toPlane(evt);
    if (p) moveTo(drag.vec, tlSimSnap(p[0] - drag.dx), tlSimSnap(p[1] - drag.dy));
  });
  function endDrag(evt) {
    if (!drag || evt.pointerId !== drag.id) return;
    if (svg.hasPointerCapture(evt.pointerId)) svg.releasePointerCapture(evt.pointerId);
    drag = null;
    root.classList.remove("tl-sim-dragging");
  }
  svg.addEventListener("pointerup", endDrag);
  svg.addEventListener("pointercancel", endDrag);
  svg.addEventListener("lostpointercapture", endDrag);

  // ---- keyboard: arrow keys move the focused handle by 0.5 -------------------------------
  const KEY_STEPS = {
    ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1],
  };
  svg.addEventListener("keydown", (evt) => {
    const handle = evt.target.closest && evt.target.closest(".tl-sim-handle");
    const step = KEY_STEPS[evt.key];
    if (!handle || !step || evt.altKey || evt.ctrlKey || evt.metaKey) return;
    evt.preventDefault();
    const vec = handle.dataset.vec;
    const [x, y] = position(vec);
    moveTo(vec, tlSimClamp(x + step[0] * TL_SIM_STEP), tlSimClamp(y + step[1] * TL_SIM_STEP));
  });

  slider.addEventListener("input", () => {
    const t = Number(slider.value);
    if (!(t > 0) || t === st.temperature) return;
    st.temperature = t;
    commit();
  });

  // ---- the model changed elsewhere (Python, another view): follow it ---------------------
  function onState() {
    if (committing) return;
    const next = readState();
    if (tlSimSame(next, st)) return;
    const rebuild = !tlSimSame(next.labels, st.labels);
    st = next;
    if (rebuild) build();
    place();
    showBrowser();
  }

  function onResult() {
    const r = model.get("result") || {};
    const fits = (list) => Array.isArray(list) && list.length === st.keys.length;
    if (tlSimSame(r.query, st.query) && tlSimSame(r.keys, st.keys) &&
        r.temperature === st.temperature && fits(r.dot) && fits(r.cosine) &&
        fits(r.scaled_dot) && fits(r.weights)) {
      show(r, "kernel");
    }
  }

  const listeners = [
    ...["query", "key_vectors", "labels", "temperature"].map((n) => [`change:${n}`, onState]),
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
