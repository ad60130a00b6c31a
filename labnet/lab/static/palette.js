// The graph's palette and tools. The palette: the modules to drag onto the graph (onto a node:
// it becomes that module; onto an edge: it goes into the edge; a click: right of the rest),
// the width of a new Linear, and a whole layer (a Linear and the network's activation) to drag
// onto an edge or click in before the output. The tools: Undo, Redo, Tidy, zoom, what edges
// show, a preset. The drags are the gestures' (gestures.js); the tools send their intents here.

import {h} from "./util.js";

const ZOOM = 1.25;

/**
 * What the palette's tools ask of the graph's view.
 * @typedef {Object} PaletteHost
 * @property {function(string, Object=): Promise} send  an intent
 * @property {function(number): void} zoomBy  closer by a factor (0: the whole graph in view)
 * @property {function(): void} fitAfter      fit the next graph the kernel sends to the view
 */

export class Palette {
  /** @param {PaletteHost} host */
  constructor(host) {
    this.host = host;
    this.items = h("span", {class: "lab-palette-items"});
    this.element = h("div", {class: "lab-palette", role: "toolbar"}, this.items);
    this.width = h("input", {class: "lab-new-width", type: "number", min: 1, max: 4096,
      value: 25, title: "the width of a new Linear (and of a new layer)",
      "aria-label": "width of a new Linear"});
    const send = (action, args) => () => host.send(action, args);
    this.undoButton = h("button", {class: "lab-undo", title: "undo (Ctrl+Z)",
      onclick: send("undo")}, "↶");
    this.redoButton = h("button", {class: "lab-redo", title: "redo (Ctrl+Shift+Z)",
      onclick: send("redo")}, "↷");
    const tidy = h("button", {class: "lab-tidy", title: "lay the graph out anew",
      onclick: () => {
        host.fitAfter();
        host.send("tidy");
      }}, "Tidy");
    const zoom = (css, text, factor, title) => h("button", {class: css, title,
      onclick: () => host.zoomBy(factor)}, text);
    this.edgeMode = h("select", {class: "lab-edge-mode", title: "what an edge's width shows",
      onchange: () => host.send("show", {edges: this.edgeMode.value})});
    this.preset = h("select", {class: "lab-preset", title: "replace the graph (Undo brings "
      + "it back)", onchange: () => {
      if (this.preset.value) {
        host.fitAfter();
        host.send("load_preset", {name: this.preset.value});
      }
      this.preset.value = "";
    }});
    this.tools = h("span", {class: "lab-palette-tools"}, this.undoButton, this.redoButton, tidy,
      zoom("lab-zoom-in", "+", ZOOM, "zoom in (Ctrl+wheel)"),
      zoom("lab-zoom-out", "−", 1 / ZOOM, "zoom out"),
      zoom("lab-zoom-fit", "Fit", 0, "the whole graph in view"), this.edgeMode, this.preset);
  }

  /** @param {Object<string, string[]>} choices  the settings' choices */
  setChoices(choices) {
    const kinds = choices.palette;
    if (this.kinds && this.kinds.join() === kinds.join()) return;
    this.kinds = kinds;
    // (made again when a module is registered: the tools keep the lab's state meanwhile)
    this.items.replaceChildren(...kinds.map(kind => h("button", {class: "lab-palette-item",
      "data-kind": kind, title: `drag onto a node to make it a ${kind}, onto an edge to put `
        + `one into it, elsewhere to add one; click to add it right of the rest`}, kind)),
    h("button", {class: "lab-palette-item lab-palette-layer", "data-layer": "true",
      title: "a hidden layer (a Linear and the network's activation): drag onto an edge, or "
        + "click to put it in before the output"}, "+ layer"),
    h("label", {class: "lab-width-label"}, "width ", this.width));
    this.edgeMode.replaceChildren(...choices.edge_modes.map(mode => h("option", {value: mode},
      `edges: ${mode}`)));
    this.preset.replaceChildren(h("option", {value: ""}, "preset…"),
      ...choices.presets.map(name => h("option", {value: name}, name)));
    if (this.view) this.edgeMode.value = this.view.edges;
  }

  /** @param {import("./protocol.js").GraphState} graph */
  setGraph(graph) {
    this.undoButton.disabled = !graph.can_undo;
    this.redoButton.disabled = !graph.can_redo;
  }

  /** @param {import("./protocol.js").ViewState} view */
  setView(view) {
    this.view = view;
    this.edgeMode.value = view.edges;
  }

  /** The parameters of a new `kind` module: a Linear's width from the box. */
  newParams(kind) {
    return kind === "Linear" ? {width: this.newWidth()} : {};
  }

  /** The width a new Linear (or layer) gets. */
  newWidth() {
    return Number(this.width.value) || 25;
  }
}
