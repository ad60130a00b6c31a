// One unit of the node looked at, over the input plane: a band under the graph, next to the
// node clicked (not a screen away), and always there, so that a click moves nothing. Its node
// and unit are the lab's (`view.picked`, `view.units`); changing them is a `look_at` intent.

import {colourTable, h, num, paintValues, typedArray} from "./util.js";

const NOTHING = "Click a node: one of its units, over the plane, shows here.";

export class UnitView {
  /** @param {import("./protocol.js").Channel} channel */
  constructor(channel) {
    this.channel = channel;
    this.nodeSelect = h("select", {class: "lab-look-node", "aria-label": "node",
      onchange: () => this.look()});
    this.unitInput = h("input", {class: "lab-look-unit", type: "number", min: 0, value: 0,
      "aria-label": "unit", onchange: () => this.look()});
    this.canvas = h("canvas", {class: "lab-unit-map", width: 64, height: 64});
    this.text = h("div", {class: "lab-unit-text"}, NOTHING);
    this.controls = h("div", {class: "lab-unit-head", hidden: true},
      h("label", {}, "node ", this.nodeSelect), h("label", {}, "unit ", this.unitInput));
    this.element = h("div", {class: "lab-unit"}, this.canvas,
      h("div", {class: "lab-unit-words"}, this.controls, this.text));
    this.table = null;
    this.shown = undefined;
    this.ids = new Map();
  }

  setSettings(settings) {
    this.table = colourTable(settings.colours.boundary);
  }

  /** @param {import("./protocol.js").GraphState} graph */
  setGraph(graph) {
    // the node the lab looks at (a node gone and brought back by Undo: shown again)
    const picked = this.view && this.view.picked !== null && this.view.picked !== undefined
      ? String(this.view.picked) : this.nodeSelect.value;
    this.nodeSelect.replaceChildren(...graph.nodes.filter(n => n.trained).map(
      n => h("option", {value: String(n.id)}, `${n.id}: ${n.label}`)));
    this.ids = new Map(graph.nodes.map(n => [String(n.id), n.id]));
    if ([...this.nodeSelect.options].some(o => o.value === picked)) {
      this.nodeSelect.value = picked;
    } else {
      this.clear();  // the node shown is gone
    }
  }

  /** No unit shown (no node picked, or it is gone). */
  clear() {
    this.shown = undefined;
    this.controls.hidden = true;
    this.text.textContent = NOTHING;
    this.canvas.getContext("2d").clearRect(0, 0, this.canvas.width, this.canvas.height);
  }

  /** @param {import("./protocol.js").ViewState} view */
  setView(view) {
    this.view = view;
    const picked = view.picked;
    if (picked === null || picked === undefined) {
      this.clear();  // (an Open, say: the lab has nothing picked)
      return;
    }
    this.nodeSelect.value = String(picked);
    this.unitInput.value = (view.units.find(([node]) => String(node) === String(picked))
      || [0, 0])[1];
  }

  look() {
    const node = this.ids.get(this.nodeSelect.value);
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

  /** The node picked, one unit over the plane (a UnitMap message). */
  unitMap(content, buffers) {
    const values = typedArray(Uint8Array, buffers[0]);
    const n = content.n;
    if (this.canvas.width !== n) this.canvas.width = this.canvas.height = n;
    const context = this.canvas.getContext("2d");
    const image = context.createImageData(n, n);
    if (this.table) paintValues(values, this.table, image);
    context.putImageData(image, 0, 0);
    this.unitInput.max = content.width - 1;
    this.nodeSelect.value = String(content.node);  // (the boxes say what the map shows)
    this.unitInput.value = content.unit;
    this.shown = content.node;
    this.controls.hidden = false;
    this.text.textContent = `node ${content.node}, unit ${content.unit} of ${content.width}: `
      + `${num(content.low)} (orange) to ${num(content.high)} (blue)`;
  }
}
