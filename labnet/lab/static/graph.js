// The graph, drawn as SVG and edited by hand. Every gesture is an intent (the Lab method a
// notebook would call); the drawing follows the `graph` trait that comes back, never the
// gesture itself. A refused gesture (a cycle, widths that differ, an edge into the input)
// snaps back and shows the lab's reason beside it.
//
//   drag a palette module onto the graph      add (onto an edge: into that edge)
//   click a palette module                    add, right of the rest
//   drag from a node's output port to a node  connect
//   drag a node                               move
//   click a node or an edge, then Delete or × remove / disconnect
//   double-click a Linear or a LeakyReLU      set its width or its slope
//   Ctrl+Z, Ctrl+Shift+Z (or Ctrl+Y)          undo, redo

import {Gestures} from "./gestures.js";
import {colourTable, edgePath, fitCanvas, h, key, logLevel, num, paintValues, svg, tableColour,
  typedArray, watchSize} from "./util.js";

const MIN_SCALE = 14;  // pixels a column, at least: a deep graph fits with small nodes
const MAX_SCALE = 150;
const ZOOM = 1.25;
const MIN_FONT = 7.5;  // pixels: a node's label smaller than this is left out

export class GraphView {
  /**
   * @param {import("./protocol.js").Channel} channel
   * @param {HTMLElement} root
   */
  constructor(channel, root) {
    this.channel = channel;
    this.root = root;
    this.graph = {nodes: [], edges: [], output: null, error: null};
    this.selected = null;  // {node} or {edge: [src, dst]}
    this.pan = [0, 0];
    this.zoom = 1;
    this.highlight = {picked: null, walk: null};
    this.palette = h("div", {class: "lab-palette", role: "toolbar"});
    this.svg = svg("svg", {class: "lab-graph-svg", tabindex: 0, "aria-label": "the graph"});
    this.layer = svg("g");
    this.edgeLayer = svg("g", {class: "lab-edges"});
    this.nodeLayer = svg("g", {class: "lab-nodes"});
    this.layer.append(this.edgeLayer, this.nodeLayer);
    this.svg.append(defs(), this.layer);
    this.refusal = h("div", {class: "lab-refusal", role: "alert", hidden: true});
    this.thumbCanvas = h("canvas", {class: "lab-thumbs"});
    this.tile = document.createElement("canvas");  // one thumbnail, n×n, drawn scaled
    this.area = h("div", {class: "lab-graph-area"}, this.svg, this.thumbCanvas,
      this.refusal);
    this.element = h("div", {class: "lab-graph-box"}, this.palette, this.area);
    this.nodes = new Map();  // id as text → {group, rect, canvas, node}
    this.edges = new Map();  // "src→dst" → {path, hit, edge}
    this.table = null;
    this.gradient = null;
    this.decades = 4;
    this.gestures = new Gestures(this);
    watchSize(this.area, () => this.render());
    watchSize(this.thumbCanvas, () => {  // (its own size may come after the area's)
      if (this.lastThumbs) this.applyThumbs(...this.lastThumbs);
    });
  }

  // -- state from the kernel ------------------------------------------------------------------
  /** @param {Object} settings  the `settings` trait */
  setSettings(settings) {
    const colours = settings.colours;
    this.table = colourTable(colours.boundary);
    this.gradient = colourTable(colours.gradient);
    this.decades = colours.decades;
    const kinds = settings.choices.palette;
    if (this.paletteKinds && this.paletteKinds.join() === kinds.join()) return;
    this.paletteKinds = kinds;
    this.buildPalette(settings.choices);
  }

  /** @param {import("./protocol.js").GraphState} graph */
  setGraph(graph) {
    const old = new Set(this.graph.nodes.map(n => String(n.id)));
    const now = new Set(graph.nodes.map(n => String(n.id)));
    const changed = [...now].filter(id => !old.has(id)).length
      + [...old].filter(id => !now.has(id)).length;
    this.graph = graph;
    if (changed > 1) {  // another graph (a preset, an Open): all of it in view again
      this.zoom = 1;
      this.pan = [0, 0];
    }
    const ids = new Set(graph.nodes.map(n => String(n.id)));
    if (this.selected && this.selected.node !== undefined && !ids.has(String(this.selected.node)))
      this.selected = null;
    if (this.selected && this.selected.edge && !graph.edges.some(
      e => key(...e) === key(...this.selected.edge))) this.selected = null;
    this.undoButton.disabled = !graph.can_undo;
    this.redoButton.disabled = !graph.can_redo;
    this.render();
  }

  /** @param {import("./protocol.js").ViewState} view */
  setView(view) {
    const rescaled = this.viewState && this.viewState.scale !== view.scale;
    this.viewState = view;
    this.edgeMode.value = view.edges;
    this.highlight.picked = view.picked;
    if (rescaled) this.render();  // presentation mode: nodes sized for the new scale
    else this.outline();
  }

  /** @param {?Object} walk  the `walk` trait */
  setWalk(walk) {
    this.highlight.walk = walk && walk.node !== undefined ? walk.node : null;
    this.outline();
  }

  /** The lab has no network (a file saved without one): no thumbnails, no norms. */
  clearThumbs() {
    this.lastThumbs = null;
    const canvas = this.thumbCanvas;
    canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
    this.render();
  }

  /** Thumbnails and gradient norms (a ThumbsFrame); kept, to draw again after a resize. */
  thumbs(content, buffers) {
    this.lastThumbs = [content, buffers];
    this.applyThumbs(content, buffers);
    this.channel.painted("thumbs", content.frame);
  }

  applyThumbs(content, buffers) {
    const n = content.n;
    // the tooltips' numbers twice a second (changing an SVG title costs a style pass)
    const titles = !this.titledAt || performance.now() - this.titledAt > 500;
    if (titles) this.titledAt = performance.now();
    const all = buffers[0];
    const bytes = typedArray(Uint8Array, all);
    this.paintThumbs(content.nodes, bytes, n);
    const norms = Object.values(content.grad_norms).filter(v => v > 0);
    const top = Math.max(...norms, 1e-300);
    for (const [id, drawn] of this.nodes) {
      const norm = content.grad_norms[id];
      const trained = norm !== undefined && norm !== null;
      drawn.rect.style.stroke = trained ? tableColour(this.gradient,
        logLevel(norm, top, this.decades)) : "";
      if (titles) drawn.title.textContent = `${drawn.node.id}: ${drawn.node.label}`
        + (trained ? ` · ‖dL/d output‖ = ${num(norm)}` : " · not trained yet");
    }
    const flows = content.edges.map(e => e[2]).filter(v => v > 0);
    const flowTop = Math.max(...flows, 1e-300);
    const weights = content.edge_mode === "weights";
    for (const [src, dst, value] of content.edges) {
      const drawn = this.edges.get(key(src, dst));
      if (!drawn) continue;
      const level = logLevel(value, flowTop, this.decades);
      drawn.path.style.strokeWidth = `${(1 + 3.5 * level) * Math.min(1, this.box / 40)}px`;
      drawn.path.style.stroke = weights ? "" : tableColour(this.gradient, level);
      if (titles) drawn.title.textContent = `${src} → ${dst} · `
        + `${weights ? "‖weight‖" : "‖gradient‖"} = ${num(value)}`;
    }
  }

  /** Every node's thumbnail, drawn at its place on the thumbnails' canvas. */
  paintThumbs(nodes, bytes, n) {
    const canvas = this.thumbCanvas;
    fitCanvas(canvas);
    const context = canvas.getContext("2d");
    context.clearRect(0, 0, canvas.width, canvas.height);
    if (!this.table) return;
    const ratio = canvas.width / Math.max((canvas.labnetSize || [canvas.clientWidth])[0], 1);
    if (this.tile.width !== n) {
      this.tile.width = this.tile.height = n;
      this.tileImage = new ImageData(n, n);
    }
    const tile = this.tile.getContext("2d");
    context.imageSmoothingEnabled = true;
    nodes.forEach((info, i) => {
      const drawn = this.nodes.get(String(info.id));
      if (!drawn || !drawn.thumb || drawn.group.classList.contains("lab-dragging")) return;
      paintValues(bytes.subarray(i * n * n, (i + 1) * n * n), this.table, this.tileImage);
      tile.putImageData(this.tileImage, 0, 0);
      const [x, y, size] = drawn.thumb;
      context.drawImage(this.tile, (x + this.pan[0]) * ratio, (y + this.pan[1]) * ratio,
        size * ratio, size * ratio);
    });
  }

  // -- drawing --------------------------------------------------------------------------------
  /** The graph's nodes and edges, drawn anew (after an edit, or a resize). */
  render() {
    const width = this.area.clientWidth;
    const height = this.area.clientHeight;
    if (!width || !height) return;
    this.fitTo(width, height);
    this.nodeLayer.replaceChildren();
    this.edgeLayer.replaceChildren();
    this.nodes.clear();
    this.edges.clear();
    this.lanes = new Map();
    for (const node of this.graph.nodes) this.drawNode(node);
    for (const [src, dst] of this.graph.edges) this.drawEdge(src, dst);
    this.layer.setAttribute("transform", `translate(${this.pan[0]},${this.pan[1]})`);
    this.outline();
    if (this.lastThumbs) this.applyThumbs(...this.lastThumbs);
  }

  /** Scale and offset from graph units to pixels, so the graph fits the area. */
  fitTo(width, height) {
    const xs = this.graph.nodes.map(n => n.x);
    const ys = this.graph.nodes.map(n => n.y);
    const [x0, x1] = [Math.min(...xs, 0), Math.max(...xs, 0)];
    const [y0, y1] = [Math.min(...ys, 0), Math.max(...ys, 0)];
    // the whole graph fits, nodes, ports and ids included (a deep one with small nodes: zoom
    // in to read them), bigger with the lab's scale on a projector
    const size = this.fontScale();
    const fit = Math.min(fitting(width - 12, x1 - x0, 0.72, 92 * size),
      fitting(height - 18, y1 - y0, 0.92, 118 * size));
    this.size = size;  // (read once a drawing: reading a style makes the page work it out)
    this.scale = Math.max(MIN_SCALE, Math.min(MAX_SCALE * size, fit * this.zoom));
    this.box = Math.max(12, Math.min(92 * size, this.scale * 0.72));
    this.offset = [(width - (x1 - x0) * this.scale) / 2 - x0 * this.scale,
      (height - (y1 - y0) * this.scale) / 2 - y0 * this.scale];
  }

  /** The lab's scale (1, or 1.4 in presentation mode). */
  fontScale() {
    return parseFloat(getComputedStyle(this.root).getPropertyValue("--lab-scale")) || 1;
  }

  /** Zoom by ``factor`` (0: back to the whole graph), around the point ``[x, y]`` of the area. */
  zoomBy(factor, around = null) {
    const width = this.area.clientWidth;
    const height = this.area.clientHeight;
    if (!factor) {
      this.zoom = 1;
      this.pan = [0, 0];
      return this.render();
    }
    const [cx, cy] = around || [width / 2, height / 2];
    const [gx, gy] = this.toGraph(cx, cy);
    this.zoom = Math.max(1, Math.min(12, this.zoom * factor));
    this.fitTo(width, height);
    const [px, py] = this.toPixels(gx, gy);  // keep the point under the pointer where it is
    this.pan = [cx - px, cy - py];
    this.render();
  }

  toPixels(x, y) {
    return [this.offset[0] + x * this.scale, this.offset[1] + y * this.scale];
  }

  toGraph(px, py) {
    return [(px - this.pan[0] - this.offset[0]) / this.scale,
      (py - this.pan[1] - this.offset[1]) / this.scale];
  }

  drawNode(node) {
    const [x, y] = this.toPixels(node.x, node.y);
    const box = this.box;
    const compact = box < 36;
    const classes = ["lab-node", `lab-node-${node.kind === "input" ? "input" : "module"}`];
    if (!node.trained) classes.push("lab-untrained");
    if (node.id === this.graph.output) classes.push("lab-output");
    const group = svg("g", {class: classes.join(" "), "data-node": node.id,
      transform: `translate(${x},${y})`});
    const title = svg("title", {}, `${node.id}: ${node.label}`);
    const heightBox = compact ? box : box * 1.28;
    const rect = svg("rect", {x: -box / 2, y: -heightBox / 2, width: box, height: heightBox,
      rx: Math.min(6, box / 5), class: "lab-node-box",
      style: box < 30 ? `stroke-width:${Math.max(1.5, box / 10)}px` : null});
    group.append(title, rect);
    // where its thumbnail goes, on the thumbnails' canvas over the drawing (one canvas for
    // all: a canvas each cost the page a frame of its own to finish, a dozen times a second)
    const size = box - 8;
    const thumb = compact ? null : [x - size / 2, y - heightBox / 2 + 4, size];
    // the long label if it fits the box, else the short one ("L25"), else none (the title
    // names the node when the pointer is on it)
    // the label's room: below the thumbnail (a compact node: the whole box); the text at
    // most as tall as that room, so a projector's larger text never runs over the border
    // (and as wide as the box leaves between its ports, a compact one's in the middle)
    const port = Math.max(2.5, Math.min(6, box * 0.18));
    const room = compact ? box : heightBox - box + 2;
    const across = box - 4 - (compact ? 2 * port : 0);
    let fontSize = Math.min(0.85 * 13 * this.size, box * 0.45, room);
    const fits = label => label.length * 0.6 * fontSize <= across;
    let text = !compact && fits(node.label) ? node.label : node.short;
    if (!fits(text)) fontSize = across / (0.6 * text.length);  // smaller, if still readable
    if (fontSize < MIN_FONT) text = "";  // (the node's title names it under the pointer)
    if (text) group.append(svg("text", {class: "lab-node-label", x: 0,
      y: compact ? fontSize * 0.35 : heightBox / 2 - 2 - 0.22 * fontSize,
      "text-anchor": "middle", style: `font-size:${fontSize.toFixed(1)}px`}, text));
    if (box >= 22) group.append(svg("text", {class: "lab-node-id", x: -box / 2 + 3,
      y: -heightBox / 2 - 3}, String(node.id)));
    if (node.kind !== "input") group.append(svg("circle", {class: "lab-port-in", cx: -box / 2,
      cy: 0, r: port * 0.66}));
    group.append(svg("circle", {class: "lab-port-out", cx: box / 2, cy: 0, r: port,
      "data-port": node.id}));
    const remove = svg("g", {class: "lab-delete", "data-delete": node.id,
      transform: `translate(${box / 2 - 2},${-heightBox / 2 + 2})`},
    svg("circle", {r: 8}), svg("text", {"text-anchor": "middle", y: 4}, "×"),
    svg("title", {}, `remove node ${node.id}`));
    if (node.kind !== "input") group.append(remove);
    this.nodeLayer.append(group);
    this.nodes.set(String(node.id), {group, rect, thumb, node, title, x, y,
      half: [box / 2, heightBox / 2]});
  }

  drawEdge(src, dst) {
    const from = this.nodes.get(String(src));
    const to = this.nodes.get(String(dst));
    if (!from || !to) return;
    const d = this.route(from, to);
    const trained = from.node.trained && to.node.trained;
    const path = svg("path", {d, class: `lab-edge${trained ? "" : " lab-untrained"}`,
      "marker-end": "url(#lab-arrow)"});
    const hit = svg("path", {d, class: "lab-edge-hit", "data-edge": key(src, dst)});
    const title = svg("title", {}, `${src} → ${dst}`);
    hit.append(title);
    this.edgeLayer.append(path, hit);
    this.edges.set(key(src, dst), {path, hit, title, edge: [src, dst]});
  }

  /**
   * The path of an edge. Between neighbouring columns: a plain curve. Further (or back to the
   * left): out of the source into the gap after its column, along a lane between two rows,
   * and down (or up) into the target from the gap before its column, so that it never runs
   * under the nodes it passes (the lanes of a row are shared out so edges do not overlap).
   */
  route(from, to) {
    const [x1, y1] = [from.x + from.half[0], from.y];
    const [x2, y2] = [to.x - to.half[0], to.y];
    const columns = (to.x - from.x) / this.scale;
    if (columns > 0.5 && columns < 1.5) return edgePath(x1, y1, x2, y2);
    const gap = this.scale / 2;
    const [out, into] = [from.x + gap, to.x - gap];
    const rows = (to.y - from.y) / this.scale;
    const side = columns <= 0.5 ? 1 : Math.abs(rows) < 0.5 ? -1 : Math.sign(rows);
    const lane = from.y + side * gap + side * 6 * this.laneUse(from.y + side * gap,
      Math.min(out, into), Math.max(out, into));
    const bend = Math.min(gap * 0.8, Math.abs(lane - y1), 24);
    return [`M ${x1} ${y1}`,
      `C ${out} ${y1}, ${out} ${y1}, ${out} ${y1 + Math.sign(lane - y1) * bend}`,
      `L ${out} ${lane - Math.sign(lane - y1) * bend}`,
      `Q ${out} ${lane}, ${out + Math.sign(into - out) * bend} ${lane}`,
      `L ${into - Math.sign(into - out) * bend} ${lane}`,
      `Q ${into} ${lane}, ${into} ${lane + Math.sign(y2 - lane) * bend}`,
      `L ${into} ${y2 - Math.sign(y2 - lane) * Math.min(bend, Math.abs(y2 - lane))}`,
      `Q ${into} ${y2}, ${x2} ${y2}`].join(" ");
  }

  /** How many edges already run along the lane at ``y`` over ``[a, b]`` (and take it). */
  laneUse(y, a, b) {
    const key = Math.round(y);
    const used = this.lanes.get(key) || [];
    let level = 0;
    while (used.some(([lo, hi, l]) => l === level && lo < b && a < hi)) level += 1;
    used.push([a, b, level]);
    this.lanes.set(key, used);
    return level;
  }

  /** Outline the selected node or edge, the node looked at and the walk's node. */
  outline() {
    for (const [id, drawn] of this.nodes) {
      const group = drawn.group;
      group.classList.toggle("lab-selected", !!this.selected && this.selected.node !== undefined
        && String(this.selected.node) === id);
      group.classList.toggle("lab-picked", this.highlight.picked !== null
        && String(this.highlight.picked) === id);
      group.classList.toggle("lab-walk-here", this.highlight.walk !== null
        && String(this.highlight.walk) === id);
    }
    for (const [edgeKey, drawn] of this.edges) {
      drawn.path.classList.toggle("lab-selected", !!this.selected && !!this.selected.edge
        && key(...this.selected.edge) === edgeKey);
    }
  }

  // -- the palette ----------------------------------------------------------------------------
  buildPalette(choices) {
    const items = choices.palette.map(kind => h("button", {class: "lab-palette-item",
      "data-kind": kind, title: `drag onto the graph (or onto an edge) to add a ${kind}; `
        + "click to add it right of the rest"}, kind));
    this.width = h("input", {class: "lab-new-width", type: "number", min: 1, max: 4096,
      value: 25, title: "the width of a new Linear", "aria-label": "width of a new Linear"});
    this.undoButton = h("button", {class: "lab-undo", title: "undo (Ctrl+Z)",
      onclick: () => this.send("undo")}, "↶ Undo");
    this.redoButton = h("button", {class: "lab-redo", title: "redo (Ctrl+Shift+Z)",
      onclick: () => this.send("redo")}, "↷ Redo");
    const tidy = h("button", {class: "lab-tidy", title: "lay the graph out anew",
      onclick: () => { this.send("tidy"); this.zoomBy(0); }}, "Tidy");
    const zoom = (css, text, factor, title) => h("button", {class: css, title,
      onclick: () => this.zoomBy(factor)}, text);
    this.edgeMode = h("select", {class: "lab-edge-mode", title: "what an edge's width shows",
      onchange: () => this.send("show", {edges: this.edgeMode.value})},
    ...choices.edge_modes.map(mode => h("option", {value: mode}, `edges: ${mode}`)));
    const preset = h("select", {class: "lab-preset", title: "replace the graph (Undo brings "
      + "it back)", onchange: () => {
      if (preset.value) this.send("load_preset", {name: preset.value});
      preset.value = "";
    }}, h("option", {value: ""}, "preset…"),
    ...choices.presets.map(name => h("option", {value: name}, name)));
    this.palette.replaceChildren(
      h("span", {class: "lab-palette-items"}, ...items,
        h("label", {class: "lab-width-label"}, "width ", this.width)),
      h("span", {class: "lab-palette-tools"}, this.undoButton, this.redoButton, tidy,
        zoom("lab-zoom-in", "+", ZOOM, "zoom in (Ctrl+wheel)"),
        zoom("lab-zoom-out", "−", 1 / ZOOM, "zoom out"),
        zoom("lab-zoom-fit", "Fit", 0, "the whole graph"), this.edgeMode, preset));
    // (built again when a module is registered: the tools show the lab's state at once)
    this.undoButton.disabled = !this.graph.can_undo;
    this.redoButton.disabled = !this.graph.can_redo;
    if (this.viewState) this.edgeMode.value = this.viewState.edges;
  }

  newParams(kind) {
    return kind === "Linear" ? {width: Number(this.width.value) || 25} : {};
  }

  // -- talking to the kernel ------------------------------------------------------------------
  /** Send an intent; a refusal shows beside `where` (pixels in the area), if given. */
  async send(action, args = {}, where = null) {
    const reply = await this.channel.intent(action, args);
    if (!reply.ok && where) this.refuse(reply.error, where);
    return reply;
  }

  refuse(text, [x, y]) {
    const refusal = this.refusal;
    refusal.textContent = text;
    refusal.hidden = false;
    const [width, height] = [this.area.clientWidth, this.area.clientHeight];
    refusal.style.left = `${Math.max(4, Math.min(x + 12, width - refusal.offsetWidth - 4))}px`;
    // below the point, or above it if it would be cut off at the bottom of the area
    const below = y + 12 + refusal.offsetHeight <= height - 4;
    refusal.style.top = `${Math.max(4, below ? y + 12 : y - 12 - refusal.offsetHeight)}px`;
    clearTimeout(this.refusalTimer);
    this.refusalTimer = setTimeout(() => { refusal.hidden = true; }, 6000);
  }
}

/**
 * The largest scale (pixels a graph unit) at which `units` of the graph and the node around
 * each end fit in `pixels`: a node takes `share` of the scale, up to `cap` pixels in all.
 */
function fitting(pixels, units, share, cap) {
  return Math.max(pixels / (units + share), (pixels - cap) / Math.max(units, 1));
}

function defs() {
  // (in pixels of the drawing, not in widths of the edge: a wide edge keeps a small head)
  return svg("defs", {}, svg("marker", {id: "lab-arrow", viewBox: "0 0 10 10", refX: 9, refY: 5,
    markerWidth: 9, markerHeight: 9, markerUnits: "userSpaceOnUse", orient: "auto-start-reverse"},
  svg("path", {d: "M 0 0 L 10 5 L 0 10 z", class: "lab-arrow-head"})));
}
