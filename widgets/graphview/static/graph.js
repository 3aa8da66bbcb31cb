// The graph widget's browser side (an anywidget ES module; nothing is fetched from anywhere).
//
// Python lays the graph out (widgets/graphview/scene.py) and sends a "scene": nodes with their text rows and
// positions, edges as polylines, module boxes, a legend and the frames of the step-by-step walk. This file
// only draws it as SVG, walks the frames, and reports clicks (the `selected` trait); Python answers with the
// details panel's HTML (the `details` trait). Colours come from CSS variables, so JupyterLab's dark theme works.

const NS = "http://www.w3.org/2000/svg";
const ROW_H = 16, SPARK_H = 20, PAD_X = 9, PAD_Y = 5, LEGEND_H = 46;

// Inside the SVG, so a downloaded file is styled the same (the variables are filled in on download).
const SVG_STYLE = `
text { font-family: var(--gv-mono); font-size: 12px; fill: var(--gv-fg); white-space: pre; }
.node > rect { fill: var(--gv-node); stroke: var(--gv-border); stroke-width: 1.2; }
.node.kind-op > rect { fill: var(--gv-op); }
.node.kind-module > rect { stroke-width: 2.2; }
.node.kind-const > rect { stroke-dasharray: 3 2; }
.node .name { font-weight: bold; }
.node .dim, .node .pending { opacity: 0.75; }
.node .pending { font-style: italic; }
.node .acc { font-weight: bold; }
.node .rule { font-size: 11px; }
.node.state-acc > rect { stroke-width: 2.5; stroke-dasharray: 5 2; }
.node.now > rect { stroke: var(--gv-hot); stroke-width: 3.5; }
.node.sel > rect { stroke: var(--gv-hot); stroke-width: 2.5; stroke-dasharray: 2 2; }
.node:focus { outline: none; }
.node:focus > rect { stroke: var(--gv-hot); stroke-width: 3; }
.spark rect { fill: currentColor; opacity: 0.8; }
.edge path { fill: none; stroke: var(--gv-line); stroke-width: 1.2; }
.edge.flow path { stroke: var(--gv-hot); stroke-width: 2.4; }
.edge.back path { stroke-dasharray: 6 3; }
.edge text { font-size: 10.5px; fill: var(--gv-dim); paint-order: stroke; stroke: var(--gv-bg); stroke-width: 4px; }
.edge.flow text { font-size: 12px; font-weight: bold; fill: var(--gv-fg); }
.cluster rect { fill: none; stroke: var(--gv-cluster); stroke-dasharray: 4 3; }
.cluster text { font-family: var(--gv-sans); font-size: 11px; fill: var(--gv-dim); }
.legend text { font-family: var(--gv-sans); font-size: 10px; fill: var(--gv-dim); }
.arrow { fill: var(--gv-line); } .arrow-hot { fill: var(--gv-hot); }`;
const VARIABLES = ["--gv-bg", "--gv-fg", "--gv-dim", "--gv-line", "--gv-node", "--gv-op", "--gv-border",
  "--gv-hot", "--gv-cluster", "--gv-mono", "--gv-sans"];

function el(tag, attrs = {}, parent = null, ns = NS) {
  const e = document.createElementNS(ns, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}
const html = (tag, attrs = {}, parent = null) => el(tag, attrs, parent, "http://www.w3.org/1999/xhtml");

// A polyline as a smooth path: each segment leaves and enters vertically.
function pathOf(points) {
  let d = `M${points[0][0]},${points[0][1]}`;
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1], [x1, y1] = points[i], dy = (y1 - y0) / 2;
    d += ` C${x0},${y0 + dy} ${x1},${y1 - dy} ${x1},${y1}`;
  }
  return d;
}

function drawRows(g, rows, color) {
  let y = PAD_Y;
  for (const row of rows) {
    if (row.spark) {
      const bars = el("g", { class: "spark", transform: `translate(${PAD_X},${y + 3})`, style: `color:${color}` }, g);
      const top = Math.max(1, ...row.spark), bw = 96 / row.spark.length;
      row.spark.forEach((c, i) => {
        const bh = (c / top) * 14;
        el("rect", { x: (i * bw).toFixed(1), y: (14 - bh).toFixed(1), width: (bw - 1).toFixed(1), height: bh.toFixed(1) }, bars);
      });
      el("title", {}, bars).textContent = `histogram from ${row.range[0]} to ${row.range[1]}`;
      y += SPARK_H;
    } else {
      const t = el("text", { x: PAD_X, y: y + 12, class: row.cls || "" }, g);
      t.textContent = row.text;
      if (color) t.style.fill = color;
      y += ROW_H;
    }
  }
}

// The state of every node at frame k: the frames' changes applied in order over the final picture.
function statesAt(scene, k) {
  const states = {};
  for (let i = 0; i <= k && i < scene.frames.length; i++) {
    for (const [id, change] of Object.entries(scene.frames[i].set)) states[id] = { ...(states[id] || {}), ...change };
  }
  return states;
}

function render({ model, el: root }) {
  // The student's language: the Python side sends translations of the English texts below (empty for English).
  const L = (text) => (model.get("labels") || {})[text] || text;
  root.classList.add("gv");
  const bar = html("div", { class: "gv-bar" }, root);
  const walk = html("div", { class: "gv-walk", role: "group", "aria-label": "step through the passes" }, bar);
  const button = (parent, label, text, act) => {
    const b = html("button", { type: "button", "aria-label": label, title: label, "data-act": act }, parent);
    b.textContent = text;
    return b;
  };
  button(walk, L("First step"), "|◀", "first");
  button(walk, L("Previous step"), "◀", "prev");
  const play = button(walk, L("Play the walk"), "▶ " + L("play"), "play");
  button(walk, L("Next step"), "▶", "next");
  button(walk, L("Last step"), "▶|", "last");
  const slider = html("input", { type: "range", min: 0, value: 0, "aria-label": "step of the walk" }, walk);
  const counter = html("span", { class: "gv-counter" }, walk);
  const tools = html("div", { class: "gv-tools" }, bar);
  const fit = button(tools, L("Fit the graph to the width, or show it at full size"), L("full size"), "fit");
  button(tools, L("Download the drawing as SVG"), "⤓ SVG", "svg");
  button(tools, L("Download the drawing as PNG"), "⤓ PNG", "png");
  html("span", { class: "gv-hint" }, tools).textContent = L("click a node (or Tab, arrows, Enter) for its details");
  const note = html("div", { class: "gv-note", "aria-live": "polite" }, root);
  const main = html("div", { class: "gv-main" }, root);
  // Arrow keys and Enter belong to the graph here, not to JupyterLab's notebook shortcuts.
  const canvas = html("div", { class: "gv-canvas", "data-lm-suppress-shortcuts": "true" }, main);
  const panel = html("aside", { class: "gv-details", "aria-label": "details of the selected node" }, main);
  const table = html("details", { class: "gv-table" }, root);
  html("summary", {}, table).textContent = L("Text view: the graph as a table (for screen readers)");

  let scene = null, svg = null, nodes = {}, edges = {}, timer = null, fitted = true, focusId = null;
  const uid = Math.random().toString(36).slice(2, 10);  // arrowhead ids of this view: several graphs share a page

  function draw() {
    const t0 = performance.now();
    scene = JSON.parse(model.get("scene") || "{}");
    scene.frames = scene.frames || [];
    canvas.textContent = "";
    nodes = {}; edges = {};
    if (!scene.nodes) return;
    const W = Math.max(scene.width, 240), H = scene.height + LEGEND_H;
    svg = el("svg", { xmlns: NS, width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "group",
      "aria-label": `${scene.label}: ${scene.nodes.length} nodes; use the arrow keys to move, Enter for details` }, canvas);
    el("style", {}, svg).textContent = SVG_STYLE;
    const defs = el("defs", {}, svg);
    for (const [id, cls] of [["gv-arrow", "arrow"], ["gv-arrow-hot", "arrow-hot"]]) {
      const m = el("marker", { id: id + uid, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 8,
        markerHeight: 8, markerUnits: "userSpaceOnUse", orient: "auto-start-reverse" }, defs);
      el("path", { d: "M0,0 L10,5 L0,10 z", class: cls }, m);
    }
    // The legend on top, so a tall graph scrolled inside its output still shows what the colours mean.
    drawLegend();
    const content = el("g", { transform: `translate(0,${LEGEND_H})` }, svg);
    for (const c of scene.clusters) {
      const g = el("g", { class: "cluster" }, content);
      const [x, y, w, h] = c.box;
      el("rect", { x, y, width: w, height: h, rx: 8 }, g);
      el("text", { x: x + 8, y: y + 14 }, g).textContent = c.label;
    }
    for (const e of scene.edges) {
      const g = el("g", { class: "edge", "data-src": e.src, "data-dst": e.dst }, content);
      const path = el("path", { d: pathOf(e.points), "marker-end": `url(#gv-arrow${uid})` }, g);
      const mid = e.points[Math.floor(e.points.length / 2)], prev = e.points[Math.floor(e.points.length / 2) - 1];
      const [lx, ly] = prev ? [(mid[0] + prev[0]) / 2, (mid[1] + prev[1]) / 2] : mid;
      const left = e.side < 0;  // the second of two parallel edges (w * w) is labelled on its left
      const label = el("text", { x: lx + (left ? -8 : 6), y: ly + (left ? -4 : 4), "text-anchor": left ? "end" : "start" }, g);
      label.textContent = e.label || "";
      edges[e.id] = { g, path, label, data: e };
    }
    for (const n of scene.nodes) {
      const g = el("g", { class: `node kind-${n.kind}`, "data-id": n.id, "data-name": n.alt.name, role: "button",
        tabindex: -1, transform: `translate(${(n.x - n.w / 2).toFixed(1)},${(n.y - n.h / 2).toFixed(1)})` }, content);
      const rect = el("rect", { width: n.w, height: n.h, rx: n.kind === "op" || n.kind === "output" ? n.h / 2 : 5 }, g);
      const body = el("g", {}, g);
      g.addEventListener("click", () => select(n.id));
      nodes[n.id] = { g, rect, body, data: n };
    }
    // Tab lands on the top-left node first (an input), then the arrow keys move from there.
    const topLeft = [...scene.nodes].sort((a, b) => a.y - b.y || a.x - b.x)[0];
    const first = focusId && nodes[focusId] ? focusId : topLeft ? topLeft.id : null;
    if (first) nodes[first].g.setAttribute("tabindex", 0);
    slider.max = Math.max(0, scene.frames.length - 1);
    walk.style.display = scene.frames.length ? "" : "none";
    const step = model.get("step");
    show(step >= 0 && step < scene.frames.length ? step : scene.start || 0);
    setFit(fitted);
    markSelected();
    root.dataset.renderMs = (performance.now() - t0).toFixed(1);
  }

  function drawLegend() {
    const lg = scene.legend;
    if (!lg) return;
    const g = el("g", { class: "legend", transform: "translate(10,6)" }, svg);
    el("text", { x: 0, y: 8 }, g).textContent = `${lg.title}: ${lg.ends[0]} … ${lg.ends[1]}`;
    const w = 220, step = w / lg.stops.length;
    lg.stops.forEach((c, i) => el("rect", { x: (i * step).toFixed(1), y: 13, width: (step + 0.5).toFixed(1), height: 9, fill: c }, g));
    lg.ticks.forEach((t, i) => {
      const x = lg.ticks.length > 1 ? (i * w) / (lg.ticks.length - 1) : w / 2;
      el("text", { x: x.toFixed(1), y: 33, "text-anchor": i === 0 ? "start" : i === lg.ticks.length - 1 ? "end" : "middle" }, g).textContent = t;
    });
  }

  // Show frame k: node texts, fills and states, the gradients flowing on edges, the explanation, the table.
  function show(k) {
    const frames = scene.frames, states = frames.length ? statesAt(scene, k) : {};
    const frame = frames[k];
    for (const [id, node] of Object.entries(nodes)) {
      const n = node.data, s = states[id] || {};
      const fill = s.fill !== undefined ? s.fill : n.fill;
      node.rect.style.fill = fill || "";
      node.body.textContent = "";
      drawRows(node.body, [...n.head, ...(s.value || n.value), ...(s.grad || n.grad)], fill ? textColor(fill) : "");
      node.g.classList.toggle("now", !!frame && frame.current.includes(id));
      node.g.classList.toggle("state-acc", s.state === "acc");
      node.g.dataset.grad = gradText(s.grad || n.grad);
      node.g.setAttribute("aria-label", ariaOf(n, s));
    }
    for (const edge of Object.values(edges)) {
      const flow = frame && frame.edges[edge.data.id];
      edge.g.classList.toggle("flow", !!flow);
      edge.g.classList.toggle("back", !!(flow && flow.back));
      edge.label.textContent = flow ? flow.text : edge.data.label || "";
      // A gradient flows against the edge: the arrow turns round.
      const marker = `url(#gv-arrow${flow ? "-hot" : ""}${uid})`;
      edge.path.setAttribute(flow && flow.back ? "marker-start" : "marker-end", marker);
      edge.path.removeAttribute(flow && flow.back ? "marker-end" : "marker-start");
    }
    note.textContent = "";
    if (frame) {
      html("div", { class: `gv-title phase-${frame.phase}` }, note).textContent = `${frame.title}`;
      for (const line of frame.lines) html("div", {}, note).textContent = line;
      slider.value = k;
      counter.textContent = `step ${k + 1} of ${frames.length} · ${frame.phase}`;
    }
    fillTable(states, frame);
  }

  const textColor = (hex) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    return 0.299 * r + 0.587 * g + 0.114 * b > 140 ? "#000000" : "#ffffff";
  };
  const gradText = (rows) => rows.map((r) => r.text || "").join(" ").replace(/\s+/g, " ").trim();
  const ariaOf = (n, s) => [n.alt.name, n.alt.kind, n.alt.shape, n.alt.value && `value ${s.altValue || n.alt.value}`,
    n.kind !== "op" && n.alt.grad !== "" ? `gradient ${s.altGrad || n.alt.grad}` : ""].filter(Boolean).join(", ");

  function fillTable(states, frame) {
    for (const old of table.querySelectorAll("table")) old.remove();
    const t = html("table", {}, table);
    html("caption", {}, t).textContent = frame ? `At ${frame.title} (step ${Number(slider.value) + 1})` : scene.label;
    const head = html("tr", {}, html("thead", {}, t));
    for (const c of ["node", "kind", "shape", "value", "gradient", "used by"]) html("th", { scope: "col" }, head).textContent = L(c);
    const body = html("tbody", {}, t);
    for (const n of scene.nodes) {
      const s = states[n.id] || {}, tr = html("tr", { "data-id": n.id }, body);
      html("th", { scope: "row" }, tr).textContent = n.alt.name;
      for (const v of [n.alt.kind, n.alt.shape, s.altValue || n.alt.value, s.altGrad || n.alt.grad, n.alt.users])
        html("td", {}, tr).textContent = v;
    }
  }

  function setStep(k) {
    if (!scene || !scene.frames.length) return;
    k = Math.max(0, Math.min(scene.frames.length - 1, k));
    show(k);
    model.set("step", k);
    model.save_changes();
  }

  function select(id) {
    focus(id);
    model.set("selected", id);
    model.save_changes();
  }

  function markSelected() {
    const sel = model.get("selected");
    for (const [id, node] of Object.entries(nodes)) node.g.classList.toggle("sel", id === sel);
  }

  function focus(id) {
    for (const node of Object.values(nodes)) node.g.setAttribute("tabindex", -1);
    nodes[id].g.setAttribute("tabindex", 0);
    nodes[id].g.focus();
    focusId = id;
  }

  // Arrow keys move to the nearest node in that direction; Enter or Space opens its details.
  canvas.addEventListener("keydown", (ev) => {
    const current = ev.target.closest && ev.target.closest(".node");
    if (!current) return;
    const me = nodes[current.dataset.id].data;
    if (ev.key === "Enter" || ev.key === " ") { select(me.id); ev.preventDefault(); ev.stopPropagation(); return; }
    const dir = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] }[ev.key];
    if (!dir) return;
    ev.stopPropagation();
    let best = null, bestScore = Infinity;
    for (const { data: n } of Object.values(nodes)) {
      const dx = n.x - me.x, dy = n.y - me.y, along = dx * dir[0] + dy * dir[1];
      if (n.id === me.id || along <= 0) continue;
      const score = along + 2 * Math.abs(dx * dir[1] + dy * dir[0]);
      if (score < bestScore) { best = n.id; bestScore = score; }
    }
    if (best) focus(best);
    ev.preventDefault();
  });

  function setFit(on) {
    fitted = on;
    if (!svg) return;
    svg.style.maxWidth = on ? "100%" : "none";
    svg.style.height = "auto";
    fit.textContent = on ? L("full size") : L("fit width");
  }

  function exported() {
    const clone = svg.cloneNode(true), style = getComputedStyle(root);
    clone.setAttribute("style", VARIABLES.map((v) => `${v}:${style.getPropertyValue(v).trim()}`).join(";"));
    const bg = el("rect", { width: "100%", height: "100%", fill: style.getPropertyValue("--gv-bg").trim() || "#fff" });
    clone.insertBefore(bg, clone.querySelector("defs").nextSibling);
    clone.querySelectorAll("[tabindex]").forEach((n) => n.removeAttribute("tabindex"));
    return new XMLSerializer().serializeToString(clone);
  }

  function download(blob, name) {
    const a = html("a", { href: URL.createObjectURL(blob), download: name }, document.body);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  function downloadPng() {
    const img = new Image(), scale = 2;
    img.onload = () => {
      const c = html("canvas", { width: svg.width.baseVal.value * scale, height: svg.height.baseVal.value * scale });
      const ctx = c.getContext("2d");
      ctx.scale(scale, scale);
      ctx.drawImage(img, 0, 0);
      c.toBlob((blob) => download(blob, "graph.png"), "image/png");
    };
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(exported());
  }

  bar.addEventListener("click", (ev) => {
    const act = ev.target.closest("button") && ev.target.closest("button").dataset.act;
    const k = Number(slider.value), last = scene ? scene.frames.length - 1 : 0;
    if (act !== "play" && act && timer) stopPlay();
    if (act === "first") setStep(0);
    else if (act === "prev") setStep(k - 1);
    else if (act === "next") setStep(k + 1);
    else if (act === "last") setStep(last);
    else if (act === "play") timer ? stopPlay() : startPlay();
    else if (act === "fit") setFit(!fitted);
    else if (act === "svg") download(new Blob([exported()], { type: "image/svg+xml" }), "graph.svg");
    else if (act === "png") downloadPng();
  });
  slider.addEventListener("input", () => setStep(Number(slider.value)));

  function startPlay() {
    if (Number(slider.value) >= scene.frames.length - 1) setStep(0);
    play.textContent = "⏸ " + L("pause");
    timer = setInterval(() => {
      if (Number(slider.value) >= scene.frames.length - 1) return stopPlay();
      setStep(Number(slider.value) + 1);
    }, Number(root.dataset.playMs || 1200));
  }
  function stopPlay() {
    clearInterval(timer);
    timer = null;
    play.textContent = "▶ " + L("play");
  }

  function showDetails() {
    const content = model.get("details");
    panel.innerHTML = content;
    main.classList.toggle("with-details", !!content);
    const close = panel.querySelector("[data-act=close]");
    if (close) close.addEventListener("click", () => { model.set("selected", ""); model.save_changes(); });
  }

  model.on("change:scene", draw);
  model.on("change:step", () => { const k = model.get("step"); if (scene && k >= 0 && k !== Number(slider.value)) show(k); });
  model.on("change:selected", markSelected);
  model.on("change:details", showDetails);
  draw();
  showDetails();
  return () => stopPlay();
}

export default { render };
