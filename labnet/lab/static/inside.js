// The Inside tab: step through one mini-batch node by node (what each node receives and
// passes on, as numbers and heatmaps). (One unit of a node over the plane: unit.js.)

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
    this.element = h("div", {class: "lab-inside"},
      h("section", {}, h("h4", {}, "Step through one mini-batch"),
        h("div", {class: "lab-row"}, this.start, this.back, this.next, this.finish),
        this.text, this.maps));
    this.table = null;
    this.setWalk({});
  }

  setSettings(settings) {
    this.table = colourTable(settings.colours.boundary);
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
