// The gradient-norm bars: ||dL/d(output)|| of every node after the last step, on a log scale,
// coloured as the graph's borders are. Hovering a bar names its node and its value.

import {colourTable, fitCanvas, h, logLevel, num, tableColour, themeColours, watchSize}
  from "./util.js";

const MAX_LABELS = 14;
const CAPTION_EVERY = 1000;  // ms: the caption's number changes at most this often

export class BarsView {
  /** @param {HTMLElement} root */
  constructor(root) {
    this.root = root;
    this.canvas = h("canvas", {class: "lab-bars-canvas"});
    this.tip = h("div", {class: "lab-tip", hidden: true});
    this.caption = h("figcaption", {}, "‖dL/d output‖ now");
    this.element = h("figure", {class: "lab-chart lab-bars"}, this.caption,
      h("div", {class: "lab-chart-plot"}, this.canvas, this.tip));
    this.order = [];  // node ids, in the graph's order
    this.labels = new Map();
    this.norms = {};
    this.table = null;
    this.decades = 4;
    this.captionText = this.caption.textContent;
    this.captionAt = -Infinity;
    this.captionThrottled = false;  // (the caption shown is a number, changed at most so often)
    this.captionTimer = null;
    this.canvas.addEventListener("pointermove", e => this.hover(e));
    this.canvas.addEventListener("pointerleave", () => { this.tip.hidden = true; });
    watchSize(this.canvas, () => this.draw());
  }

  setSettings(settings) {
    this.table = colourTable(settings.colours.gradient);
    this.decades = settings.colours.decades;
  }

  /** @param {import("./protocol.js").GraphState} graph */
  setGraph(graph) {
    this.order = graph.nodes.map(n => String(n.id));
    this.labels = new Map(graph.nodes.map(n => [String(n.id), `${n.id}: ${n.label}`]));
    this.draw();
  }

  /** @param {Object<string, ?number>} norms  by node id as text */
  setNorms(norms) {
    this.norms = norms;
    this.draw();
  }

  bars() {
    return this.order.filter(id => this.norms[id] !== undefined && this.norms[id] !== null);
  }

  draw() {
    fitCanvas(this.canvas);
    const context = this.canvas.getContext("2d");
    const {width, height} = this.canvas;
    context.clearRect(0, 0, width, height);
    const bars = this.bars();
    if (!bars.length || !this.table) {
      this.say("‖dL/d output‖ now (after a step)");
      return;
    }
    const ratio = window.devicePixelRatio || 1;
    const {ink, scale} = themeColours(this.root, {ink: ["--jp-ui-font-color2", "#555"]});
    const size = 10.5 * scale * ratio;
    const [left, top, right, bottom] = [0.5 * size, 0.6 * size, width - 0.5 * size,
      height - 1.7 * size];
    const values = bars.map(id => this.norms[id]);
    const highest = Math.max(...values.filter(v => v > 0), 1e-300);
    this.say(`‖dL/d output‖ now: the tallest ${num(highest)}, `
      + `${this.decades} decades down to nothing`, CAPTION_EVERY);
    const slot = (right - left) / bars.length;
    this.layout = {left, slot, bars};
    context.font = `${Math.round(size)}px sans-serif`;
    context.textAlign = "center";
    context.textBaseline = "top";
    const every = Math.ceil(bars.length / MAX_LABELS);
    bars.forEach((id, i) => {
      const level = logLevel(values[i], highest, this.decades);
      const barHeight = Math.max(level * (bottom - top), values[i] > 0 ? ratio : 0);
      context.fillStyle = tableColour(this.table, level);
      const x = left + i * slot;
      context.fillRect(x + slot * 0.12, bottom - barHeight, slot * 0.76, barHeight);
      context.strokeStyle = ink;
      context.lineWidth = ratio * 0.5;
      context.strokeRect(x + slot * 0.12, bottom - barHeight, slot * 0.76, barHeight);
      if (i % every === 0) {
        context.fillStyle = ink;
        context.fillText(id, x + slot / 2, bottom + 0.3 * size);
      }
    });
  }

  /** The caption says `text`: at once, or (`every` ms, for a number that changes with each
   * frame: a new text is a new layout) at most that often after the last number, the last
   * text said when the time comes. */
  say(text, every = 0) {
    this.captionText = text;
    const since = performance.now() - this.captionAt;
    if (!every || !this.captionThrottled || since >= every) {
      this.showCaption(every > 0);
    } else if (!this.captionTimer) {
      this.captionTimer = setTimeout(() => this.showCaption(true), every - since);
    }
  }

  showCaption(throttled) {
    clearTimeout(this.captionTimer);
    this.captionTimer = null;
    this.captionThrottled = throttled;
    this.captionAt = performance.now();
    this.caption.textContent = this.captionText;
  }

  hover(event) {
    if (!this.layout) return;
    const box = this.canvas.getBoundingClientRect();
    const px = (event.clientX - box.left) * (this.canvas.width / box.width);
    const i = Math.floor((px - this.layout.left) / this.layout.slot);
    const id = this.layout.bars[i];
    if (id === undefined) {
      this.tip.hidden = true;
      return;
    }
    this.tip.textContent = `${this.labels.get(id) || id}: ${num(this.norms[id])}`;
    this.tip.hidden = false;
    this.tip.style.left = `${Math.min(event.clientX - box.left + 10,
      box.width - this.tip.offsetWidth - 4)}px`;
    this.tip.style.top = "0px";
  }
}
