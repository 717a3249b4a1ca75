// ---- Cluster explorer (tokenlab.widgets.ClusterWidget) --------------------------------------
// One task, a small cluster of 2..12 nodes, and a cross-attention placement model
// (tokenlab.cluster.PlacementAttention, embedded as its export()): the reader moves the task's
// sliders and sees, per node, its free resources against its capacity, whether the task fits,
// and the attention weight the task gives it; the model's node (the largest weight) is
// outlined, the node best-fit would pick is marked. Every number is computed here in the
// browser from the export, so the widget works on the static site with no kernel. In a live
// kernel each change of the task also reaches Python, which recomputes "result" with
// tokenlab.widgets.cluster.placement_weights; when that result is for exactly the task and
// nodes on screen, the widget shows it.
//
// Model state:
//   export    PlacementAttention.export() (read only):
//             {dim, node: TOK, task: TOK, q_proj: {weight: dim x dim, bias: [dim]}, k_proj}
//             TOK = {numeric: [[name, low, high], ...], categorical: [[name, [categories]],
//             ...], weight: dim x F_num, bias: [dim], embeddings: [n_cat x dim per
//             categorical field]}; node fields cpu_free, mem_free, gpus_free, zone; task
//             fields cpu, mem, gpus, priority
//   nodes     [{cpu_free, mem_free, gpus_free, zone, cpu_cap, mem_cap, gpus_cap}], 2..12
//             (read only; Python fills missing capacities with the range's high end, and so
//             does this file)
//   task      {cpu, mem, gpus, priority}    (read; written by the sliders and the menu)
//   best_fit  bool: mark best-fit's node and name it in the sentence (read only)
//   result    placement_weights(export, nodes, task) from the kernel (read only)
//
// The numbers (float64, as placement_weights):
//   token(r)  = bias + weight · s + sum over categorical fields c of embeddings[c][index of
//               r[c]], s_j = clamp((r[field_j] - low_j) / (high_j - low_j), 0, 1)
//               (FeatureTokenizer, linear mode)
//   q         = q_proj.weight · token(task) + q_proj.bias;  k_i likewise with k_proj, node i
//   score_i   = q·k_i / sqrt(dim)
//   feasible  cpu <= cpu_free and mem <= mem_free and gpus <= gpus_free
//   weight_i  = softmax of the scores over the feasible nodes (max subtracted first); 0 for
//               the others; all 0 when no node is feasible (never NaN)
//   chosen    the first feasible node whose weight is within 1e-12 of the largest; none
//             when no node is feasible
//   leftover  sum over cpu, mem, gpus of (free - demand) / (high - low), the node field's
//             range in the export (64, 256, 8), in that order, from 0; only for feasible
//             nodes (tokenlab.cluster.best_fit's rule; the capacities are only drawn)
//   best-fit  the first feasible node with the smallest leftover
//   reason    per infeasible node, "needs 2 GPUs, has 0" for each resource that is short
//             ("needs 8 CPU cores, has 4", "needs 64 GiB of memory, has 32 GiB"; singular for
//             a demand of 1), joined by "; "; numbers as String(x)
//
// DOM contract (browser tests rely on it; keep it stable):
//   .tl-clu                                 root element
//   fieldset.tl-clu-task                    the task's controls:
//     input.tl-clu-slider[data-field=F]     type=range for F = cpu, mem, gpus: min/max = the
//                                           export's task range, step 1, 4, 1; labelled;
//                                           aria-valuetext "8 GiB of memory" etc.
//     output.tl-clu-value[data-field=F]     the value shown ("2 cores", "8 GiB", "1 GPU");
//                                           data-value = String(v)
//     select.tl-clu-priority                one option per priority category (value = it)
//   .tl-clu-grid[role=list]                 the cluster, one card per node:
//     .tl-clu-node[data-node=i][role=listitem]   data-feasible = "true"/"false"; classes
//                                           tl-clu-infeasible, tl-clu-chosen (the model's
//                                           node, outlined), tl-clu-bestfit (best-fit's node,
//                                           only when best_fit); style --tl-clu-w = weight
//                                           (the card's shade); aria-label says it all
//       .tl-clu-node-name                   "node 1", "node 2", ...
//       .tl-clu-node-zone                   "zone a"
//       .tl-clu-badge-chosen, .tl-clu-badge-bestfit   the two markers ("model's choice",
//                                           "best-fit"), hidden unless they apply
//       .tl-clu-res[data-res=F]             one per resource: free vs capacity
//         .tl-clu-res-fill                  style width = free / capacity * 100 %
//         .tl-clu-res-need                  the task's demand, style left = demand / capacity
//                                           * 100 % (clamped to 100 %); hidden when capacity 0
//         .tl-clu-res-text                  "12 / 32"
//       .tl-clu-wfill                       style width = weight * 100 %
//       .tl-clu-wvalue                      data-value = String(weight); text to 2 decimals
//       .tl-clu-reason                      why the task does not fit (empty when it does)
//   .tl-clu-sentence                        "The model places the task on node 3 (weight
//                                           0.62); best-fit would choose node 3." (without
//                                           best_fit: "... (weight 0.62).") or
//                                           "No node can fit this task."; data-chosen = i or
//                                           "", data-best-fit = i or "", data-value = the
//                                           chosen weight or ""; aria-live=polite
//   table.tl-clu-table                      one row per node:
//     tr.tl-clu-row[data-node=i]            class tl-clu-infeasible, tl-clu-chosen as above
//       th                                  "node 1"
//       td.tl-clu-zone                      the zone
//       td.tl-clu-fits                      "yes" or "no"
//       td.tl-clu-score                     data-value = String(score); text to 2 decimals
//       td.tl-clu-weight                    data-value = String(weight); text to 2 decimals
//       td.tl-clu-leftover                  (only with best_fit) data-value = String(leftover)
//                                           or "" (infeasible, text "—")
//   .tl-clu-status[data-source=S]           S = "browser" or "kernel": whose numbers are shown
// Numbers on screen with 2 decimals are toFixed(2) ("-0.00" shows "0.00").
// All text is set with textContent, never parsed as HTML.

const TL_CLU_TIE = 1e-12; // weights this close to the largest tie; the first wins
// Per resource: the task's field, the node's free and capacity fields, the slider's step and
// label, the card's short name, the reason's unit after "has N", and its words for 1 and many.
const TL_CLU_RES = [
  { field: "cpu", free: "cpu_free", cap: "cpu_cap", step: 1, label: "CPU cores", short: "CPU",
    unit: "", one: "CPU core", many: "CPU cores" },
  { field: "mem", free: "mem_free", cap: "mem_cap", step: 4, label: "memory (GiB)",
    short: "mem", unit: " GiB", one: "GiB of memory", many: "GiB of memory" },
  { field: "gpus", free: "gpus_free", cap: "gpus_cap", step: 1, label: "GPUs", short: "GPU",
    unit: "", one: "GPU", many: "GPUs" },
];
let tlCluInstances = 0;

// ---- helpers --------------------------------------------------------------------------------

function tlCluNum(v) {
  const x = Number(v);
  return Number.isFinite(x) ? x : 0;
}

function tlCluFmt(v) {
  const s = Number(v).toFixed(2);
  return s === "-0.00" ? "0.00" : s;
}

function tlCluEl(tag, className, parent, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

function tlCluCanon(v) {
  // JSON with sorted keys: two states are the same whatever order their keys came in.
  if (Array.isArray(v)) return `[${v.map(tlCluCanon).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${tlCluCanon(v[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v === undefined ? null : v);
}

function tlCluSame(a, b) {
  return tlCluCanon(a) === tlCluCanon(b);
}

function tlCluVec(v, n) {
  return Array.from({ length: n }, (_, i) => tlCluNum((Array.isArray(v) ? v : [])[i]));
}

function tlCluMat(m, rows, cols) {
  return Array.from({ length: rows }, (_, i) => tlCluVec((Array.isArray(m) ? m : [])[i], cols));
}

// ---- the export, the nodes and the task, cleaned (Python checked them already) -----------

function tlCluTok(raw, dim) {
  const t = raw && typeof raw === "object" ? raw : {};
  const numeric = (Array.isArray(t.numeric) ? t.numeric : []).map((f) => {
    const lo = tlCluNum(f[1]);
    const hi = tlCluNum(f[2]);
    return [String(f[0]), lo, hi > lo ? hi : lo + 1];
  });
  const categorical = (Array.isArray(t.categorical) ? t.categorical : []).map((c) =>
    [String(c[0]), (Array.isArray(c[1]) ? c[1] : []).map(String)]);
  return {
    numeric,
    categorical,
    weight: tlCluMat(t.weight, dim, numeric.length),
    bias: tlCluVec(t.bias, dim),
    embeddings: categorical.map(([, cats], c) =>
      tlCluMat((Array.isArray(t.embeddings) ? t.embeddings : [])[c], cats.length, dim)),
  };
}

function tlCluExport(raw) {
  const e = raw && typeof raw === "object" ? raw : {};
  const dim = Math.max(1, Math.trunc(tlCluNum(e.dim)));
  const proj = (p) => ({ weight: tlCluMat((p || {}).weight, dim, dim),
    bias: tlCluVec((p || {}).bias, dim) });
  return { dim, node: tlCluTok(e.node, dim), task: tlCluTok(e.task, dim),
    q_proj: proj(e.q_proj), k_proj: proj(e.k_proj) };
}

function tlCluRange(tok, name) {
  const f = tok.numeric.find((x) => x[0] === name);
  return f ? [f[1], f[2]] : [0, 1];
}

function tlCluCats(tok, name) {
  const c = tok.categorical.find((x) => x[0] === name);
  return c ? c[1] : [];
}

function tlCluNodes(raw, exp) {
  return (Array.isArray(raw) ? raw : []).map((n) => {
    const node = n && typeof n === "object" ? n : {};
    const out = {};
    for (const { free, cap } of TL_CLU_RES) {
      out[free] = tlCluNum(node[free]);
      out[cap] = node[cap] === null || node[cap] === undefined
        ? tlCluRange(exp.node, free)[1] : tlCluNum(node[cap]);
    }
    out.zone = String(node.zone);
    return out;
  });
}

function tlCluTask(raw, exp) {
  const t = raw && typeof raw === "object" ? raw : {};
  const out = {};
  for (const { field } of TL_CLU_RES) out[field] = tlCluNum(t[field]);
  out.priority = typeof t.priority === "string"
    ? t.priority : (tlCluCats(exp.task, "priority")[0] || "");
  return out;
}

// ---- the numbers ------------------------------------------------------------------------

function tlCluToken(tok, record, dim) {
  // FeatureTokenizer, linear mode: the numeric map of the scaled readings, then each
  // categorical field's embedding row.
  const s = tok.numeric.map(([name, lo, hi]) =>
    Math.min(1, Math.max(0, (tlCluNum(record[name]) - lo) / (hi - lo))));
  const out = new Array(dim);
  for (let r = 0; r < dim; r += 1) {
    let acc = tok.bias[r];
    for (let j = 0; j < s.length; j += 1) acc += tok.weight[r][j] * s[j];
    out[r] = acc;
  }
  tok.categorical.forEach(([name, cats], c) => {
    const idx = cats.indexOf(record[name]);
    if (idx < 0) return;
    for (let r = 0; r < dim; r += 1) out[r] += tok.embeddings[c][idx][r];
  });
  return out;
}

function tlCluLinear(p, x) {
  return p.weight.map((row, r) => {
    let acc = p.bias[r];
    for (let c = 0; c < x.length; c += 1) acc += row[c] * x[c];
    return acc;
  });
}

function tlCluLeftover(node, task, exp) {
  // null: the task does not fit; else best-fit's leftover, in plain float arithmetic, left to
  // right from 0, as tokenlab.cluster.best_fit: each free resource over its range's span.
  if (TL_CLU_RES.some(({ field, free }) => task[field] > node[free])) return null;
  let left = 0;
  for (const { field, free } of TL_CLU_RES) {
    const [lo, hi] = tlCluRange(exp.node, free);
    left += (node[free] - task[field]) / (hi - lo);
  }
  return left;
}

function tlCluReason(node, task) {
  const parts = [];
  for (const { field, free, unit, one, many } of TL_CLU_RES) {
    if (task[field] > node[free]) {
      parts.push(`needs ${String(task[field])} ${task[field] === 1 ? one : many}, has ` +
        `${String(node[free])}${unit}`);
    }
  }
  return parts.length ? parts.join("; ") : null;
}

function tlCluCompute(st) {
  const { exp, nodes, task } = st;
  const dim = exp.dim;
  const q = tlCluLinear(exp.q_proj, tlCluToken(exp.task, task, dim));
  const scores = nodes.map((n) => {
    const k = tlCluLinear(exp.k_proj, tlCluToken(exp.node, n, dim));
    let acc = 0;
    for (let r = 0; r < dim; r += 1) acc += q[r] * k[r];
    return acc / Math.sqrt(dim);
  });
  const leftover = nodes.map((n) => tlCluLeftover(n, task, exp));
  const feasible = leftover.map((l) => l !== null);
  const live = scores.filter((s, i) => feasible[i] && Number.isFinite(s));
  let weights = scores.map(() => 0);
  let chosen = null;
  if (live.length) {
    const top = Math.max(...live);
    const e = scores.map((s, i) => (feasible[i] && Number.isFinite(s) ? Math.exp(s - top) : 0));
    const sum = e.reduce((a, b) => a + b, 0);
    weights = e.map((v) => (sum > 0 ? v / sum : 0));
    const best = Math.max(...weights.filter((w, i) => feasible[i]));
    chosen = weights.findIndex((w, i) => feasible[i] && w >= best - TL_CLU_TIE);
  }
  let bestFit = null;
  leftover.forEach((l, i) => {
    if (l !== null && (bestFit === null || l < leftover[bestFit])) bestFit = i;
  });
  return {
    task, nodes, dim, scores, feasible, weights, chosen, best_fit: bestFit, leftover,
    reasons: nodes.map((n) => tlCluReason(n, task)),
  };
}

// ---- the view -------------------------------------------------------------------------------

function render({ model, el }) {
  tlCluInstances += 1;
  const uid = `tl-clu-${tlCluInstances}-${Math.random().toString(36).slice(2, 8)}`;

  function readState() {
    const exp = tlCluExport(model.get("export"));
    return {
      exp,
      nodes: tlCluNodes(model.get("nodes"), exp),
      task: tlCluTask(model.get("task"), exp),
      bestFit: model.get("best_fit") !== false,
    };
  }
  let st = readState();

  // ---- skeleton -------------------------------------------------------------------------
  const root = tlCluEl("div", "tl-clu", el);
  const taskBox = tlCluEl("fieldset", "tl-clu-task", root);
  tlCluEl("legend", "tl-clu-legend", taskBox, "The task");
  const sliders = {};
  const outputs = {};
  for (const { field, step, label: text } of TL_CLU_RES) {
    const row = tlCluEl("div", "tl-clu-field", taskBox);
    const label = tlCluEl("label", "tl-clu-field-name", row, text);
    const input = tlCluEl("input", "tl-clu-slider", row);
    Object.assign(input, { type: "range", step: String(step), id: `${uid}-${field}` });
    input.dataset.field = field;
    label.htmlFor = input.id;
    const out = tlCluEl("output", "tl-clu-value", row);
    out.dataset.field = field;
    out.htmlFor = input.id;
    sliders[field] = input;
    outputs[field] = out;
  }
  const prioRow = tlCluEl("div", "tl-clu-field tl-clu-prio-row", taskBox);
  const prioLabel = tlCluEl("label", "tl-clu-field-name", prioRow, "priority");
  const prioSel = tlCluEl("select", "tl-clu-priority", prioRow);
  prioSel.id = `${uid}-priority`;
  prioLabel.htmlFor = prioSel.id;

  const grid = tlCluEl("div", "tl-clu-grid", root);
  grid.setAttribute("role", "list");
  grid.setAttribute("aria-label", "The cluster's nodes");
  const sentence = tlCluEl("p", "tl-clu-sentence", root);
  sentence.setAttribute("aria-live", "polite");
  const tableWrap = tlCluEl("div", "tl-clu-table-wrap", root);
  const table = tlCluEl("table", "tl-clu-table", tableWrap);
  tlCluEl("caption", "tl-clu-caption", table,
    "Attention weights: softmax of q·k / √dim over the nodes that fit");
  const head = tlCluEl("tr", null, tlCluEl("thead", null, table));
  const body = tlCluEl("tbody", null, table);
  const status = tlCluEl("div", "tl-clu-status", root);

  // ---- parts rebuilt when the nodes, the export's options or best_fit change ---------------
  let cards = [];
  let rows = [];
  let built = null;

  function nodeName(i) {
    return `node ${i + 1}`;
  }

  function build() {
    grid.replaceChildren();
    cards = st.nodes.map((node, i) => {
      const card = tlCluEl("div", "tl-clu-node", grid);
      card.dataset.node = String(i);
      card.setAttribute("role", "listitem");
      const top = tlCluEl("div", "tl-clu-node-head", card);
      tlCluEl("span", "tl-clu-node-name", top, nodeName(i));
      tlCluEl("span", "tl-clu-node-zone", top, `zone ${node.zone}`);
      const badges = tlCluEl("div", "tl-clu-badges", card);
      badges.setAttribute("aria-hidden", "true");
      const chosen = tlCluEl("span", "tl-clu-badge tl-clu-badge-chosen", badges,
        "model's choice");
      const bestfit = tlCluEl("span", "tl-clu-badge tl-clu-badge-bestfit", badges, "best-fit");
      const res = {};
      for (const { field, free, cap, short } of TL_CLU_RES) {
        const line = tlCluEl("div", "tl-clu-res", card);
        line.dataset.res = field;
        line.setAttribute("aria-hidden", "true");
        tlCluEl("span", "tl-clu-res-name", line, short);
        const bar = tlCluEl("span", "tl-clu-res-bar", line);
        const fill = tlCluEl("span", "tl-clu-res-fill", bar);
        const c = node[cap];
        fill.style.width = `${c > 0 ? Math.min(1, Math.max(0, node[free] / c)) * 100 : 0}%`;
        const need = tlCluEl("span", "tl-clu-res-need", bar);
        tlCluEl("span", "tl-clu-res-text", line, `${String(node[free])} / ${String(c)}`);
        res[field] = need;
      }
      const wline = tlCluEl("div", "tl-clu-node-weight", card);
      wline.setAttribute("aria-hidden", "true");
      tlCluEl("span", "tl-clu-wname", wline, "weight");
      const wbar = tlCluEl("span", "tl-clu-wbar", wline);
      const wfill = tlCluEl("span", "tl-clu-wfill", wbar);
      const wvalue = tlCluEl("span", "tl-clu-wvalue", wline);
      const reason = tlCluEl("div", "tl-clu-reason", card);
      reason.setAttribute("aria-hidden", "true");
      return { card, chosen, bestfit, res, wfill, wvalue, reason };
    });

    head.replaceChildren();
    body.replaceChildren();
    const cols = ["node", "zone", "fits", "score", "weight"];
    if (st.bestFit) cols.push("leftover");
    for (const name of cols) {
      const th = tlCluEl("th", null, head, name);
      th.scope = "col";
      if (name === "leftover") th.title = "best-fit's leftover: Σ (free − demand) / range";
    }
    rows = st.nodes.map((node, i) => {
      const tr = tlCluEl("tr", "tl-clu-row", body);
      tr.dataset.node = String(i);
      const th = tlCluEl("th", null, tr, nodeName(i));
      th.scope = "row";
      tlCluEl("td", "tl-clu-zone", tr, node.zone);
      const fits = tlCluEl("td", "tl-clu-fits", tr);
      const score = tlCluEl("td", "tl-clu-score", tr);
      const weight = tlCluEl("td", "tl-clu-weight", tr);
      const leftover = st.bestFit ? tlCluEl("td", "tl-clu-leftover", tr) : null;
      return { tr, fits, score, weight, leftover };
    });
    built = { nodes: st.nodes, bestFit: st.bestFit };
  }

  function rebuildIfNeeded() {
    if (!built || !tlCluSame(built.nodes, st.nodes) || built.bestFit !== st.bestFit) build();
  }

  function place() {
    // The controls show st.task; the demand markers follow it.
    for (const { field, one, many } of TL_CLU_RES) {
      const [lo, hi] = tlCluRange(st.exp.task, field);
      const input = sliders[field];
      if (input.min !== String(lo)) input.min = String(lo);
      if (input.max !== String(hi)) input.max = String(hi);
      const v = st.task[field];
      input.value = String(v);
      const words = v === 1 ? one : many;
      input.setAttribute("aria-valuetext", `${String(v)} ${words}`);
      const out = outputs[field];
      out.dataset.value = String(v);
      const unit = { cpu: v === 1 ? "core" : "cores", mem: "GiB", gpus: v === 1 ? "GPU" : "GPUs" };
      out.textContent = `${String(v)} ${unit[field]}`;
    }
    const cats = tlCluCats(st.exp.task, "priority");
    if (!tlCluSame([...prioSel.options].map((o) => o.value), cats)) {
      prioSel.replaceChildren();
      for (const c of cats) {
        const o = tlCluEl("option", null, prioSel, c);
        o.value = c;
      }
    }
    prioSel.value = st.task.priority;
    cards.forEach(({ res }, i) => {
      const node = st.nodes[i];
      for (const { field, cap } of TL_CLU_RES) {
        const c = node[cap];
        const need = res[field];
        need.hidden = !(c > 0);
        need.style.left = `${c > 0 ? Math.min(1, Math.max(0, st.task[field] / c)) * 100 : 0}%`;
      }
    });
  }

  function show(r, source) {
    const chosen = Number.isInteger(r.chosen) ? r.chosen : null;
    const bestFit = st.bestFit && Number.isInteger(r.best_fit) ? r.best_fit : null;
    st.nodes.forEach((node, i) => {
      const w = Number(r.weights[i]);
      const ok = r.feasible[i] === true;
      const c = cards[i];
      c.card.dataset.feasible = ok ? "true" : "false";
      c.card.classList.toggle("tl-clu-infeasible", !ok);
      c.card.classList.toggle("tl-clu-chosen", i === chosen);
      c.card.classList.toggle("tl-clu-bestfit", i === bestFit);
      c.card.style.setProperty("--tl-clu-w", String(Math.max(0, Math.min(1, w))));
      c.chosen.hidden = i !== chosen;
      c.bestfit.hidden = i !== bestFit;
      c.wfill.style.width = `${Math.max(0, Math.min(1, w)) * 100}%`;
      c.wvalue.dataset.value = String(w);
      c.wvalue.textContent = tlCluFmt(w);
      const reason = ok ? "" : String(r.reasons[i] || "does not fit");
      c.reason.textContent = reason;
      const free = TL_CLU_RES.map(({ free: f, cap, many }) =>
        `${String(node[f])} of ${String(node[cap])} ${many} free`).join(", ");
      const marks = [i === chosen ? "the model's choice" : "",
        i === bestFit ? "best-fit's choice" : ""].filter(Boolean);
      c.card.setAttribute("aria-label", `${nodeName(i)}, zone ${node.zone}: ${free}; ` +
        (ok ? `weight ${tlCluFmt(w)}` : `cannot take the task: ${reason}`) +
        (marks.length ? `; ${marks.join("; ")}` : ""));

      const row = rows[i];
      row.tr.classList.toggle("tl-clu-infeasible", !ok);
      row.tr.classList.toggle("tl-clu-chosen", i === chosen);
      row.fits.textContent = ok ? "yes" : "no";
      row.fits.title = reason;
      row.score.dataset.value = String(Number(r.scores[i]));
      row.score.textContent = tlCluFmt(r.scores[i]);
      row.weight.dataset.value = String(w);
      row.weight.textContent = tlCluFmt(w);
      if (row.leftover) {
        const l = r.leftover[i];
        row.leftover.dataset.value = l === null || l === undefined ? "" : String(Number(l));
        row.leftover.textContent = l === null || l === undefined ? "—" : tlCluFmt(l);
      }
    });
    sentence.dataset.chosen = chosen === null ? "" : String(chosen);
    sentence.dataset.bestFit = bestFit === null ? "" : String(bestFit);
    sentence.dataset.value = chosen === null ? "" : String(Number(r.weights[chosen]));
    if (chosen === null) {
      sentence.textContent = "No node can fit this task.";
    } else {
      const tail = bestFit === null ? "." : `; best-fit would choose ${nodeName(bestFit)}.`;
      sentence.textContent = `The model places the task on ${nodeName(chosen)} ` +
        `(weight ${tlCluFmt(r.weights[chosen])})${tail}`;
    }
    status.dataset.source = source;
    status.textContent = source === "kernel"
      ? "Computed by tokenlab in the Python kernel."
      : "Computed in your browser (no kernel needed).";
  }

  function showBrowser() {
    show(tlCluCompute(st), "browser");
  }

  let committing = false;

  function commit() {
    // The browser's numbers at once; in a live kernel Python answers through `result`.
    place();
    showBrowser();
    committing = true;
    try {
      model.set("task", { ...st.task });
      model.save_changes(); // no kernel on the static site: nothing listens, nothing breaks
    } catch (err) {
      // No kernel and no comm: the widget still computes in the page.
    } finally {
      committing = false;
    }
  }

  // ---- events ---------------------------------------------------------------------------
  for (const { field } of TL_CLU_RES) {
    const input = sliders[field];
    const onMove = () => {
      const v = Number(input.value);
      if (!Number.isFinite(v) || v === st.task[field]) return;
      st.task = { ...st.task, [field]: v };
      commit();
    };
    input.addEventListener("input", onMove);
    input.addEventListener("change", onMove);
  }
  prioSel.addEventListener("change", () => {
    if (prioSel.value === st.task.priority) return;
    st.task = { ...st.task, priority: prioSel.value };
    commit();
  });

  // ---- the model changed elsewhere (Python, another view): follow it ---------------------
  function onState() {
    if (committing) return;
    const next = readState();
    if (tlCluSame(next, st)) return;
    st = next;
    rebuildIfNeeded();
    place();
    showBrowser();
    onResult(); // a kernel result that already fits the new state
  }

  function onResult() {
    const r = model.get("result") || {};
    const n = st.nodes.length;
    const list = (a) => Array.isArray(a) && a.length === n;
    const index = (v) => v === null || (Number.isInteger(v) && v >= 0 && v < n);
    const fits = tlCluSame(r.task, st.task) && tlCluSame(r.nodes, st.nodes) &&
      r.dim === st.exp.dim && list(r.scores) && list(r.weights) && list(r.feasible) &&
      list(r.leftover) && list(r.reasons) && index(r.chosen) && index(r.best_fit);
    if (fits) show(r, "kernel");
  }

  const listeners = [
    ...["export", "nodes", "task", "best_fit"].map((n) => [`change:${n}`, onState]),
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
