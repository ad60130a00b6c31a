// The Inside tab: step through one mini-batch node by node (what each node receives and
// passes on, as numbers and heatmaps), and one unit of a node over the input plane.

import {colourTable, h, num, paintValues, typedArray} from "./util.js";

export class InsideView {
  /** @param {import("./protocol.js").Channel} channel */
  constructor(channel) {
    this.channel = channel;
    const button = (css, text, action, title) => h("button", {class: css, title,
      onclick: () => channel.intent(action)}, text);
    this.start = button("lab-walk-start", "Start", "start_walk",
      "walk through the next mini-batch, node by node");
    this.back = button("lab-walk-back", "◀ Back", "walk_back", "one node back");
    this.next = button("lab-walk-next", "Next ▶", "walk_next", "one node further");
    this.finish = button("lab-walk-finish", "Finish", "finish_walk",
      "run the rest of the step and update the weights");
    this.text = h("div", {class: "lab-walk-text", "aria-live": "polite"},
      "Start a walk: one training step, one node at a time.");
    this.maps = h("div", {class: "lab-walk-maps"});
    this.nodeSelect = h("select", {class: "lab-look-node", "aria-label": "node",
      onchange: () => this.look()});
    this.unitInput = h("input", {class: "lab-look-unit", type: "number", min: 0, value: 0,
      "aria-label": "unit", onchange: () => this.look()});
    this.unitCanvas = h("canvas", {class: "lab-unit-map", width: 64, height: 64});
    this.unitText = h("div", {class: "lab-unit-text"},
      "Pick a node here or click it on the graph.");
    this.element = h("div", {class: "lab-inside"},
      h("section", {}, h("h4", {}, "Step through one mini-batch"),
        h("div", {class: "lab-row"}, this.start, this.back, this.next, this.finish),
        this.text, this.maps),
      h("section", {}, h("h4", {}, "One unit over the plane"),
        h("div", {class: "lab-row"}, h("label", {}, "node ", this.nodeSelect),
          h("label", {}, "unit ", this.unitInput)),
        this.unitText, this.unitCanvas));
    this.table = null;
    this.setWalk({});
  }

  setSettings(settings) {
    this.table = colourTable(settings.colours.boundary);
  }

  /** @param {import("./protocol.js").GraphState} graph */
  setGraph(graph) {
    const old = this.nodeSelect.value;
    this.nodeSelect.replaceChildren(...graph.nodes.filter(n => n.trained).map(
      n => h("option", {value: String(n.id)}, `${n.id}: ${n.label}`)));
    this.ids = new Map(graph.nodes.map(n => [String(n.id), n.id]));
    if ([...this.nodeSelect.options].some(o => o.value === old)) {
      this.nodeSelect.value = old;
    } else {
      this.clearUnit();  // the node shown is gone
    }
  }

  /** No unit shown (no node picked, or it is gone). */
  clearUnit() {
    if (this.shown === undefined) return;
    this.shown = undefined;
    this.unitText.textContent = "Pick a node here or click it on the graph.";
    this.unitCanvas.getContext("2d").clearRect(0, 0, this.unitCanvas.width,
      this.unitCanvas.height);
  }

  /** @param {import("./protocol.js").ViewState} view */
  setView(view) {
    this.view = view;
    if (view.picked === null || view.picked === undefined) {
      this.clearUnit();  // (an Open, say: the lab has nothing picked)
      return;
    }
    this.nodeSelect.value = String(view.picked);
    const unit = (view.units.find(([node]) => String(node) === String(view.picked)) || [0, 0])[1];
    this.unitInput.value = unit;
  }

  look() {
    const node = this.ids ? this.ids.get(this.nodeSelect.value) : this.nodeSelect.value;
    if (node === undefined) return;
    // the unit as typed (the lab refuses -1, 3.5 or 99 and says why; the box shows the
    // lab's unit again)
    const text = this.unitInput.value.trim();
    const unit = this.unitInput.validity.badInput ? "not a number"
      : text === "" ? 0 : Number(text);
    this.channel.intent("look_at", {node, unit}).then(reply => {
      if (!reply.ok && this.view) this.setView(this.view);
    });
  }

  /** @param {Object} walk  the `walk` trait ({} when there is no walk) */
  setWalk(walk) {
    const going = walk.index !== undefined;
    this.back.disabled = !going || walk.at_start;
    this.next.disabled = !going || walk.done;
    this.finish.disabled = !going || walk.done;
    if (!going) {
      this.text.replaceChildren("Start a walk: one training step, one node at a time.");
      this.maps.replaceChildren();
      return;
    }
    const where = walk.node === null || walk.node === undefined ? "" : ` · node ${walk.node}`;
    const module = walk.module === walk.phase ? "" : ` · ${walk.module}`;
    // (names and ranges wrap: the table fits a narrow panel without a scroll bar)
    const rows = walk.stats.map(s => h("tr", {}, h("td", {class: "lab-wrap"}, s.name),
      h("td", {}, `(${s.shape.join(", ")})`), h("td", {}, num(s.mean)), h("td", {}, num(s.std)),
      h("td", {class: "lab-wrap"}, `${num(s.min)} … ${num(s.max)}`)));
    this.text.replaceChildren(
      h("b", {}, `${walk.index + 1}/${walk.total} · ${walk.phase}${where}`), module,
      h("p", {}, walk.text),
      h("div", {class: "lab-table-box"}, h("table", {class: "lab-walk-table"},
        h("tr", {}, ...["array", "shape", "mean", "std", "range"].map(t => h("th", {}, t))),
        ...rows)));
  }

  /** The walk's arrays as heatmaps (a WalkMaps message). */
  walkMaps(content, buffers) {
    this.maps.replaceChildren(...content.arrays.map((array, i) => {
      const values = typedArray(Float32Array, buffers[i]);
      return h("figure", {class: "lab-walk-map"}, heatmap(values, array.rows, array.cols,
        this.table), h("figcaption", {}, array.name));
    }));
  }

  /** The node picked, one unit over the plane (a UnitMap message). */
  unitMap(content, buffers) {
    const values = typedArray(Uint8Array, buffers[0]);
    const n = content.n;
    if (this.unitCanvas.width !== n) this.unitCanvas.width = this.unitCanvas.height = n;
    const context = this.unitCanvas.getContext("2d");
    const image = context.createImageData(n, n);
    if (this.table) paintValues(values, this.table, image);
    context.putImageData(image, 0, 0);
    this.unitInput.max = content.width - 1;
    this.shown = content.node;
    this.unitText.textContent = `node ${content.node}, unit ${content.unit} of ${content.width}: `
      + `from ${num(content.low)} (orange) to ${num(content.high)} (blue)`;
  }
}

/** A canvas showing `values` (rows × cols), orange below 0, blue above, white at 0. */
function heatmap(values, rows, cols, table) {
  const canvas = h("canvas", {class: "lab-heatmap", width: cols, height: rows});
  let top = 1e-12;
  for (const v of values) top = Math.max(top, Math.abs(v));
  const bytes = new Uint8Array(values.length);
  values.forEach((v, i) => { bytes[i] = Math.round(127.5 + 127.5 * v / top); });
  const context = canvas.getContext("2d");
  const image = context.createImageData(cols, rows);
  if (table) paintValues(bytes, table, image);
  context.putImageData(image, 0, 0);
  canvas.title = `largest magnitude ${num(top)}`;
  return canvas;
}
