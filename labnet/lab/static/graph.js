// The graph, drawn as SVG and edited by hand (gestures.js: every gesture is an intent, the
// Lab method a notebook would call). The drawing follows the `graph` trait that comes back,
// never the gesture itself; a refused gesture snaps back and shows the lab's reason beside it.
//
// The drawing holds still while the graph is edited: its camera (where graph units fall on
// the screen) changes on Fit, Tidy, a preset, another graph, a new size of the area, or when
// an edit would put a node out of view, and nowhere else.

import {FlowLayer, markers, numberRoom, walkCamera, walkFocus} from "./flows.js";
import {Gestures} from "./gestures.js";
import {
  Lanes, boxHeight, fitCamera, inBox, inside, nodeBox, route, routeDistance, toGraph,
  zoomCamera,
} from "./geometry.js";
import {Palette} from "./palette.js";
import {classTable, colourTable, fitCanvas, h, key, logLevel, num, paintValues, svg,
  tableColour, typedArray, watchSize} from "./util.js";
import {FeaturesView} from "./features.js";
import {WeightsView} from "./weights.js";

const MIN_FONT = 7.5;  // pixels: a node's label smaller than this is left out
const EDGE_NEAR = 12;  // pixels: a module dropped this near an edge goes into it
const NODE_NEAR = 2;  // pixels around a box that count as on the node

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
    this.camera = null;  // (geometry.js) made when the area first has a size
    this.fitWanted = true;
    this.pan = [0, 0];  // pixels the drawing is moved by a drag under way
    this.highlight = {picked: null};
    this.walk = null;  // the walk's trait, while one is under way (flows.js draws it)
    this.flows = new FlowLayer();
    this.palette = new Palette({send: (action, args) => this.send(action, args),
      zoomBy: factor => this.zoomBy(factor), fitAfter: () => { this.fitWanted = true; }});
    this.svg = svg("svg", {class: "lab-graph-svg", tabindex: 0, "aria-label": "the graph"});
    this.layer = svg("g");
    this.edgeLayer = svg("g", {class: "lab-edges"});
    this.nodeLayer = svg("g", {class: "lab-nodes"});
    this.draftLine = svg("path", {class: "lab-edge-draft"});
    this.layer.append(this.edgeLayer, this.flows.under, this.nodeLayer);
    this.svg.append(defs(), this.layer);
    // a walk's words and numbers, over the thumbnails (which are over the drawing)
    this.wordLayer = svg("g", {}, this.flows.over);
    this.words = svg("svg", {class: "lab-graph-words", "aria-hidden": "true"}, this.wordLayer);
    this.refusal = h("div", {class: "lab-refusal", role: "alert", hidden: true});
    this.thumbCanvas = h("canvas", {class: "lab-thumbs"});
    this.tile = document.createElement("canvas");  // one thumbnail, n×n, drawn scaled
    // the weights an edge carries, on a card while the pointer is on it
    this.weights = new WeightsView(channel, () => this.svg.focus({preventScroll: true}));
    // the input's features, on a card beside the input node (its ƒ, or a click on it)
    this.inputs = new FeaturesView(channel);
    this.area = h("div", {class: "lab-graph-area"}, this.svg, this.thumbCanvas, this.words,
      this.refusal, this.inputs.element);
    root.append(this.weights.element);  // (in the lab: it may be taller than the graph)
    this.element = h("div", {class: "lab-graph-box"}, this.palette.element, this.area);
    this.nodes = new Map();  // id as text → {group, rect, title, thumb, node, box}
    this.edges = new Map();  // "src→dst" → {path, hit, title, edge, route}
    this.table = null;
    this.gradient = null;
    this.decades = 4;
    this.svg.addEventListener("pointerdown", () => this.inputs.close());  // (before a gesture)
    this.gestures = new Gestures(this.surface());
    this.svg.addEventListener("pointerover", event => this.pointEdge(event, true));
    this.svg.addEventListener("pointerout", event => this.pointEdge(event, false));
    this.svg.addEventListener("pointerdown", () => this.weights.hide());  // (a gesture begins)
    watchSize(this.area, () => {
      this.fitWanted = true;  // (a new size: the whole graph in view again)
      this.render();
    });
    watchSize(this.thumbCanvas, () => {  // (its own size may come after the area's)
      if (this.lastThumbs) this.applyThumbs(...this.lastThumbs);
    });
  }

  // -- state from the kernel ------------------------------------------------------------------
  /** @param {Object} settings  the `settings` trait */
  setSettings(settings) {
    const colours = settings.colours;
    this.table = colourTable(colours.boundary);
    this.classTable = classTable(colours.classes);  // (the output's, with more classes)
    this.gradient = colourTable(colours.gradient);
    this.decades = colours.decades;
    this.weights.setColours(colours.boundary);
    this.inputs.setChoices(settings.choices.features || []);
    this.palette.setChoices(settings.choices);
  }

  /** @param {import("./protocol.js").GraphState} graph */
  setGraph(graph) {
    const before = new Map(this.graph.nodes.map(n => [String(n.id), n]));
    // the nodes this graph adds or moves (an edit that puts one out of view fits anew)
    this.changed = new Set(graph.nodes.filter(n => {
      const old = before.get(String(n.id));
      return !old || old.x !== n.x || old.y !== n.y || old.kind !== n.kind;
    }).map(n => String(n.id)));
    const gone = [...before.keys()].filter(id => !graph.nodes.some(n => String(n.id) === id));
    if (2 * (this.changed.size + gone.length) > graph.nodes.length + 1) {
      this.fitWanted = true;  // another graph (a preset, an Open, a Tidy): all of it in view
    }
    this.graph = graph;
    const ids = new Set(graph.nodes.map(n => String(n.id)));
    const picked = this.selected;
    if (picked && picked.node !== undefined && !ids.has(String(picked.node))) this.selected = null;
    if (picked && picked.edge && !graph.edges.some(e => key(...e) === key(...picked.edge))) {
      this.selected = null;
    }
    this.palette.setGraph(graph);
    const shown = this.weights.edge;
    if (shown && !graph.edges.some(e => key(...e) === key(...shown))) this.weights.hide();
    this.inputs.show(graph.features || ["x1", "x2"]);
    this.render();
    if (this.inputs.isOpen) this.openFeatures();  // (beside the input, where it is now)
  }

  /** @param {import("./protocol.js").ViewState} view */
  setView(view) {
    const rescaled = this.viewState && this.viewState.scale !== view.scale;
    this.viewState = view;
    this.palette.setView(view);
    this.highlight.picked = view.picked;
    if (this.lastThumbs) {  // (gradients hidden or shown: the borders and tooltips at once)
      this.titledAt = 0;
      this.applyThumbs(...this.lastThumbs);
    }
    if (rescaled) {  // presentation mode: nodes sized for the new scale
      this.fitWanted = true;
      this.render();
    } else {
      this.outline();
    }
  }

  /** @param {?Object} walk  the `walk` trait ({} when there is none) */
  setWalk(walk) {
    const going = walk && walk.index !== undefined ? walk : null;
    // room for the loss beside the output, and for a point's numbers: fit anew when it changes
    const room = going ? `${going.sample === null}` : "";
    this.walk = going;
    if (room !== this.walkRoom) {
      this.walkRoom = room;
      this.fitWanted = true;
      this.render();
      return;
    }
    const camera = this.camera && walkCamera(this.camera, walkFocus(going, this.graph.nodes,
      this.graph.output), this.area.clientWidth, this.area.clientHeight);
    if (camera && camera !== this.camera) {  // the node at work out of view: in view again
      this.camera = camera;
      this.render();
    } else {
      this.outline();
    }
  }

  /** How a walk's numbers are written by the nodes, `spacing` pixels between two columns. */
  numberRoom(walk, spacing) {
    return numberRoom(walk, new Map(this.graph.nodes.map(n => [String(n.id), n.width])),
      spacing, this.em());
  }

  /** Pixels of an em of the drawing's words (13 px at the pictures' scale). */
  em() {
    return 13 * this.fontScale();
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
    this.weights.changed();  // (new weights: the card shown asks again, now and then)
  }

  /** The pointer comes onto an edge (its weights, on a card) or leaves it. */
  pointEdge(event, over) {
    const hit = event.target.closest && event.target.closest("[data-edge]");
    const drawn = hit && this.edges.get(hit.dataset.edge);
    if (!drawn) return;
    if (!over) {
      this.weights.leave();
    } else if (!this.gestures.cancelTracking) {  // (not while a drag is under way)
      this.weights.enter(drawn.edge, [event.clientX, event.clientY]);
    }
  }

  applyThumbs(content, buffers) {
    // hidden gradients: no border or edge says how large they were (a class is to predict it)
    const hidden = !!this.viewState && this.viewState.hidden.includes("gradients");
    // the tooltips' numbers twice a second (changing an SVG title costs a style pass)
    const titles = !this.titledAt || performance.now() - this.titledAt > 500;
    if (titles) this.titledAt = performance.now();
    this.paintThumbs(content.nodes, typedArray(Uint8Array, buffers[0]), content.n);
    const norms = Object.values(content.grad_norms).filter(v => v > 0);
    const top = Math.max(...norms, 1e-300);
    for (const [id, drawn] of this.nodes) {
      const norm = content.grad_norms[id];
      const trained = norm !== undefined && norm !== null && !hidden;
      drawn.rect.style.stroke = trained ? tableColour(this.gradient,
        logLevel(norm, top, this.decades)) : "";
      if (titles) drawn.title.textContent = `${drawn.node.id}: ${drawn.node.label}`
        + (trained ? ` · ‖dL/d output‖ = ${num(norm)}` : hidden ? "" : " · not trained yet");
    }
    const flows = content.edges.map(e => e[2]).filter(v => v > 0);
    const flowTop = Math.max(...flows, 1e-300);
    const weights = content.edge_mode === "weights";
    const thin = Math.min(1, 2 * this.boxWidth() / 80);
    const valued = new Set(content.edges.map(([src, dst]) => key(src, dst)));
    for (const [edgeKey, drawn] of this.edges) {  // no value (not trained yet): plain
      if (valued.has(edgeKey)) continue;
      drawn.path.style.stroke = "";
      drawn.path.style.strokeWidth = "";
      if (titles) drawn.title.textContent = `${drawn.edge[0]} → ${drawn.edge[1]}`;
    }
    for (const [src, dst, value] of content.edges) {
      const drawn = this.edges.get(key(src, dst));
      if (!drawn) continue;
      const level = hidden && !weights ? 0.3 : logLevel(value, flowTop, this.decades);
      drawn.path.style.strokeWidth = `${(1 + 3.5 * level) * thin}px`;
      drawn.path.style.stroke = weights || hidden ? "" : tableColour(this.gradient, level);
      if (titles) drawn.title.textContent = `${src} → ${dst}` + (hidden && !weights ? ""
        : ` · ${weights ? "‖weight‖" : "‖gradient‖"} = ${num(value)}`);
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
      paintValues(bytes.subarray(i * n * n, (i + 1) * n * n),
        info.code === "classes" ? this.classTable : this.table, this.tileImage);
      tile.putImageData(this.tileImage, 0, 0);
      const [x, y, size] = drawn.thumb;
      context.drawImage(this.tile, (x + this.pan[0]) * ratio, (y + this.pan[1]) * ratio,
        size * ratio, size * ratio);
    });
  }

  // -- the camera -----------------------------------------------------------------------------
  /** The lab's scale (1, or 1.4 in presentation mode). */
  fontScale() {
    return parseFloat(getComputedStyle(this.root).getPropertyValue("--lab-scale")) || 1;
  }

  /** The whole graph in view, centred (walking: the loss beside the output too, and room
   * above and below the nodes for a point's numbers). */
  fit() {
    const points = this.graph.nodes.map(n => [n.x, n.y]);
    const output = this.graph.nodes.find(n => n.id === this.graph.output);
    if (this.walk && output) points.push([output.x + 2, output.y]);  // (the loss)
    const xs = points.map(p => p[0]);
    const spacing = this.area.clientWidth / (Math.max(...xs, 0) - Math.min(...xs, 0) + 1.7);
    this.numbers = this.numberRoom(this.walk, spacing);
    const room = this.walk ? (this.numbers.lines * 1.15 * 0.85 + 1.6) * this.em() : 0;
    const height = Math.max(this.area.clientHeight - 2 * room, this.area.clientHeight / 3);
    const camera = fitCamera(points, this.area.clientWidth, height, this.fontScale());
    const below = (this.area.clientHeight - height) / 2;
    this.camera = {...camera, offset: [camera.offset[0], camera.offset[1] + below]};
    if (this.walk) {  // (a deep graph: nodes big enough to read, the walk's node in view)
      this.camera = walkCamera(this.camera, walkFocus(this.walk, this.graph.nodes,
        this.graph.output), this.area.clientWidth, this.area.clientHeight);
    }
    this.fitWanted = false;
  }

  /** Closer by `factor` around the point `around` of the area (0: the whole graph in view). */
  zoomBy(factor, around = null) {
    if (!factor || !this.camera) {
      this.fitWanted = true;
    } else {
      const centre = around || [this.area.clientWidth / 2, this.area.clientHeight / 2];
      this.camera = zoomCamera(this.camera, factor, centre);
    }
    this.render();
  }

  boxWidth() {
    return this.camera ? 2 * nodeBox(this.camera, 0, 0).hw : 40;
  }

  // -- drawing --------------------------------------------------------------------------------
  /** The graph's nodes and edges, drawn anew (after an edit, or a resize). */
  render() {
    const [width, height] = [this.area.clientWidth, this.area.clientHeight];
    if (!width || !height) return;
    if (this.fitWanted || !this.camera) this.fit();
    const changed = this.changed || new Set();
    this.changed = null;
    const outOfView = this.graph.nodes.some(n => changed.has(String(n.id))
      && !inside(nodeBox(this.camera, n.x, n.y), width, height));
    if (outOfView) this.fit();
    this.nodeLayer.replaceChildren();
    this.edgeLayer.replaceChildren();
    this.nodes.clear();
    this.edges.clear();
    for (const node of this.graph.nodes) this.drawNode(node);
    const boxes = [...this.nodes.values()].map(drawn => drawn.box);
    const lanes = new Lanes();
    const drawn = this.graph.edges.map(([src, dst]) => this.drawEdge(src, dst, boxes, lanes));
    // the edges that go around (along lanes) under the plain ones: where two leave one port,
    // the short plain edge is the one a press there takes
    const layer = around => drawn.filter(d => d && d.route.around === around)
      .flatMap(d => [d.path, d.hit]);
    this.edgeLayer.append(...layer(true), ...layer(false));
    this.layer.setAttribute("transform", `translate(${this.pan[0]},${this.pan[1]})`);
    this.wordLayer.setAttribute("transform", `translate(${this.pan[0]},${this.pan[1]})`);
    this.outline();
    if (this.lastThumbs) this.applyThumbs(...this.lastThumbs);
  }

  drawNode(node) {
    const box = nodeBox(this.camera, node.x, node.y);
    const [x, y, width, height] = [box.x, box.y, 2 * box.hw, 2 * box.hh];
    const compact = boxHeight(width) === width;
    const size = this.camera.size;
    const classes = ["lab-node", `lab-node-${node.kind === "input" ? "input" : "module"}`];
    if (!node.trained) classes.push("lab-untrained");
    if (node.id === this.graph.output) classes.push("lab-output");
    const group = svg("g", {class: classes.join(" "), "data-node": node.id,
      transform: `translate(${x},${y})`});
    const title = svg("title", {}, `${node.id}: ${node.label}`);
    const rect = svg("rect", {x: -box.hw, y: -box.hh, width, height,
      rx: Math.min(6, width / 5), class: "lab-node-box",
      style: width < 30 ? `stroke-width:${Math.max(1.5, width / 10)}px` : null});
    group.append(title, rect);
    // where its thumbnail goes, on the thumbnails' canvas over the drawing (one canvas for
    // all: a canvas each cost the page a frame of its own to finish, a dozen times a second)
    const side = width - 8;
    const thumb = compact ? null : [x - side / 2, y - box.hh + 4, side];
    const port = Math.max(2.5, Math.min(6 * size, width * 0.18));
    const button = Math.max(6, Math.min(8 * size, width / 5));
    // the input's ƒ takes the label's bottom-left corner: the label goes right of it
    const corner = node.kind === "input" && !compact ? button + 2 : 0;
    const text = label(node, width, height, compact, port, size, corner);
    if (text) group.append(text);
    if (width >= 22) group.append(svg("text", {class: "lab-node-id", x: -box.hw + 3,
      y: -box.hh - 3}, String(node.id)));
    if (node.kind !== "input") {
      group.append(svg("circle", {class: "lab-port-in", cx: -box.hw, cy: 0, r: port * 0.66}));
    }
    group.append(svg("circle", {class: "lab-port-out", cx: box.hw, cy: 0, r: port,
      "data-port": node.id}));
    if (node.kind !== "input") {
      group.append(nodeButton("lab-delete", {"data-delete": node.id}, [box.hw - 2,
        -box.hh + 2], button, "×", `remove node ${node.id} (its neighbours joined)`));
    }
    if (node.kind === "input" && !compact) {
      group.append(nodeButton("lab-features-button", {"data-features": node.id},
        [-box.hw + 2, box.hh - 2], button, "ƒ", "the input's features: x₁², sin x₁... (what "
        + "the network sees of each point)"));
    }
    if (node.kind === "Linear" && !compact) {
      group.append(nodeButton("lab-widen", {"data-widen": node.id, "data-by": -1},
        [-box.hw + 2, box.hh - 2], button, "−", `one unit fewer (${node.label})`),
      nodeButton("lab-widen", {"data-widen": node.id, "data-by": 1}, [box.hw - 2,
        box.hh - 2], button, "+", `one unit more (${node.label})`));
    }
    this.nodeLayer.append(group);
    this.nodes.set(String(node.id), {group, rect, thumb, node, title, box});
  }

  /** An edge's path and the wider path that takes presses (added to the drawing by render). */
  drawEdge(src, dst, boxes, lanes) {
    const from = this.nodes.get(String(src));
    const to = this.nodes.get(String(dst));
    if (!from || !to) return null;
    const way = route(from.box, to.box, boxes, lanes);
    const trained = from.node.trained && to.node.trained;
    const path = svg("path", {d: way.d, class: `lab-edge${trained ? "" : " lab-untrained"}`,
      "marker-end": "url(#lab-arrow)"});
    const hit = svg("path", {d: way.d, class: "lab-edge-hit", "data-edge": key(src, dst)});
    const title = svg("title", {}, `${src} → ${dst}`);
    hit.append(title);
    const drawn = {path, hit, title, edge: [src, dst], route: way};
    this.edges.set(key(src, dst), drawn);
    return drawn;
  }

  /** Outline the selected node or edge, the node looked at and the walk's node. */
  outline() {
    const selected = this.selected;
    for (const [id, drawn] of this.nodes) {
      const group = drawn.group;
      group.classList.toggle("lab-selected", !!selected && selected.node !== undefined
        && String(selected.node) === id);
      group.classList.toggle("lab-picked", this.highlight.picked !== null
        && this.highlight.picked !== undefined && String(this.highlight.picked) === id);
    }
    for (const [edgeKey, drawn] of this.edges) {
      drawn.path.classList.toggle("lab-selected", !!selected && !!selected.edge
        && key(...selected.edge) === edgeKey);
    }
    this.flows.draw(this.walk, {nodes: this.nodes, edges: this.edges, output: this.graph.output,
      em: this.em(), oneLine: !!this.numbers && this.numbers.oneLine});
  }

  // -- what the gestures see (gestures.js: GraphSurface) --------------------------------------
  /** @returns {import("./gestures.js").GraphSurface} */
  surface() {
    const unpanned = ([x, y]) => [x - this.pan[0], y - this.pan[1]];
    return {
      svg: this.svg, palette: this.palette.element, area: this.area, root: this.root,
      node: id => {
        const drawn = this.nodes.get(id);
        if (!drawn) return null;
        const {x, y, hw, hh} = drawn.box;
        return {node: drawn.node, x: x + this.pan[0], y: y + this.pan[1], hw, hh};
      },
      nodeAt: point => {
        const at = unpanned(point);
        const found = [...this.nodes].find(([, drawn]) => inBox(drawn.box, at, NODE_NEAR));
        return found ? found[0] : null;
      },
      edgeAt: point => {
        const at = unpanned(point);
        let best = null;
        let nearest = EDGE_NEAR;
        for (const drawn of this.edges.values()) {
          const distance = routeDistance(at, drawn.route);
          if (distance < nearest) [best, nearest] = [drawn.edge, distance];
        }
        return best;
      },
      edge: edgeKey => (this.edges.get(edgeKey) || {edge: null}).edge,
      toGraph: point => toGraph(this.camera, ...unpanned(point)),
      selected: () => this.selected,
      select: selection => {
        this.selected = selection;
        this.outline();
      },
      send: (action, args, where) => this.send(action, args, where),
      refuse: (text, where) => this.refuse(text, where),
      hideRefusal: () => { this.refusal.hidden = true; },
      panBy: ([dx, dy]) => this.panBy(dx, dy),
      endPan: () => this.endPan(),
      zoomBy: (factor, around) => this.zoomBy(factor, around),
      dragNode: (id, point) => this.dragNode(id, point),
      draft: (from, to) => this.draft(from, to),
      newParams: kind => this.palette.newParams(kind),
      newWidth: () => this.palette.newWidth(),
      features: () => this.openFeatures(),
      idOf: text => {
        const found = this.graph.nodes.find(n => String(n.id) === text);
        return found ? found.id : text;
      },
    };
  }

  /** The input's features on their card, beside the input node. */
  openFeatures() {
    const drawn = this.nodes.get("0");
    if (!drawn) return;
    const {x, y, hw, hh} = drawn.box;
    this.inputs.open([x + hw + 8 + this.pan[0], y - hh + this.pan[1]],
      [this.area.clientWidth, this.area.clientHeight]);
  }

  panBy(dx, dy) {
    this.pan = [dx, dy];
    this.layer.setAttribute("transform", `translate(${dx},${dy})`);
    this.wordLayer.setAttribute("transform", `translate(${dx},${dy})`);
    if (this.lastThumbs) this.applyThumbs(...this.lastThumbs);
  }

  /** The drawing stays where a drag has moved it: the camera takes the pan. */
  endPan() {
    if (this.camera) {
      const [ox, oy] = this.camera.offset;
      this.camera = {...this.camera, offset: [ox + this.pan[0], oy + this.pan[1]]};
    }
    this.pan = [0, 0];
    this.render();
  }

  /** Draw node `id` at `point` while it is dragged (its thumbnail waits for the drop); null:
   * where the graph has it. */
  dragNode(id, point) {
    const drawn = this.nodes.get(id);
    if (!drawn) return;
    if (point === null) {
      this.render();
      return;
    }
    const [x, y] = [point[0] - this.pan[0], point[1] - this.pan[1]];
    drawn.group.setAttribute("transform", `translate(${x},${y})`);
    if (!drawn.group.classList.contains("lab-dragging")) {
      drawn.group.classList.add("lab-dragging");
      if (this.lastThumbs) this.applyThumbs(...this.lastThumbs);
    }
  }

  /** The draft edge of a drag from a port, from `from` to `to` (null: none). */
  draft(from, to) {
    if (!from) {
      this.draftLine.remove();
      return;
    }
    if (!this.draftLine.isConnected) this.svg.append(this.draftLine);
    const bend = Math.max(20, Math.abs(to[0] - from[0]) / 2);
    this.draftLine.setAttribute("d", `M ${from[0]} ${from[1]} C ${from[0] + bend} ${from[1]}, `
      + `${to[0] - bend} ${to[1]}, ${to[0]} ${to[1]}`);
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
 * A node's label: the long one if it fits the box, else the short one ("L25"), else none (the
 * title names the node under the pointer). Its room: below the thumbnail (a compact node: the
 * whole box, between its ports; `corner`: pixels a button takes at its left); the text at
 * most as tall as that room, so a projector's larger text never runs over the border.
 */
function label(node, width, height, compact, port, size, corner = 0) {
  const room = compact ? width : height - width + 2;
  const across = width - 4 - corner - (compact ? 2 * port : 0);
  let fontSize = Math.min(0.85 * 13 * size, width * 0.45, room);
  const fits = text => text.length * 0.6 * fontSize <= across;
  const text = !compact && fits(node.label) ? node.label : node.short;
  if (!fits(text)) fontSize = across / (0.6 * text.length);  // smaller, if still readable
  if (fontSize < MIN_FONT) return null;
  return svg("text", {class: "lab-node-label", x: corner / 2,
    y: compact ? fontSize * 0.35 : height / 2 - 2 - 0.22 * fontSize,
    "text-anchor": "middle", style: `font-size:${fontSize.toFixed(1)}px`}, text);
}

/** A round button on a node's corner (× removes it; − and + widen a Linear). */
function nodeButton(css, data, [x, y], radius, text, title) {
  return svg("g", {class: `lab-node-button ${css}`, ...data, transform: `translate(${x},${y})`},
    svg("circle", {r: radius}), svg("text", {"text-anchor": "middle", y: radius * 0.45,
      style: `font-size:${(radius * 1.5).toFixed(1)}px`}, text), svg("title", {}, title));
}

function defs() {
  // (in pixels of the drawing, not in widths of the edge: a wide edge keeps a small head)
  return svg("defs", {}, svg("marker", {id: "lab-arrow", viewBox: "0 0 10 10", refX: 9, refY: 5,
    markerWidth: 9, markerHeight: 9, markerUnits: "userSpaceOnUse", orient: "auto-start-reverse"},
  svg("path", {d: "M 0 0 L 10 5 L 0 10 z", class: "lab-arrow-head"})), ...markers());
}
