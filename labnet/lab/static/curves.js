// The curves: loss, error rates and each node's gradient norm over the steps, on log axes,
// drawn on canvases from the series the kernel sends a few entries at a time. Hovering a
// chart shows the values at that step. A log axis has no 0: a chart with zeros (an error rate
// of 0 %) draws them on a row of their own under the axis, labelled "0"; a value it cannot
// draw (negative, infinite, not a number) breaks the line there.

import {fitCanvas, h, niceStep, num, percent, themeColours, typedArray, watchSize, whole}
  from "./util.js";

const TIP_ROWS = 7;  // lines a column of the hover tip holds
const NODE_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
  "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

/** The series, as growing Float64Arrays (the kernel's History, a few entries at a time). */
export class Series {
  constructor() {
    /** @type {Map<string, {values: Float64Array, length: number}>} */
    this.all = new Map();
    this.steps = 0;
    this.task = "classification";
  }

  /** Apply a Curves message. */
  update(content, buffers) {
    if (content.reset) this.all.clear();
    this.steps = content.steps;
    this.task = content.task || "classification";
    content.series.forEach((part, i) => {
      const b = buffers[i];
      const values = typedArray(Float64Array, b);  // (copied into the series below)
      let series = this.all.get(part.name);
      const needed = part.start + part.length;
      if (!series || series.values.length < needed) {
        const grown = new Float64Array(Math.max(needed, 2 * (series ? series.values.length : 64)));
        if (series) grown.set(series.values.subarray(0, series.length));
        series = {values: grown, length: series ? series.length : 0};
        this.all.set(part.name, series);
      }
      series.values.set(values, part.start);
      series.length = needed;
    });
  }

  /** @returns {Float64Array} the entries of series `name` (empty if there is none) */
  get(name) {
    const series = this.all.get(name);
    return series ? series.values.subarray(0, series.length) : new Float64Array(0);
  }

  /** The nodes that have a gradient-norm series, in the kernel's order. */
  nodes() {
    return [...this.all.keys()].filter(n => n.startsWith("grad:")).map(n => n.slice(5));
  }
}

/**
 * One chart: lines of (x series, y series), a log y axis, a step x axis, a legend, hover.
 * @typedef {{x: string, y: string, colour: string, label: string, dash?: number[],
 *            format?: function(number): string}} Line
 */
export class Chart {
  /**
   * @param {string} title
   * @param {string} css  a class for the chart's box ("lab-chart-loss")
   * @param {HTMLElement} root
   */
  constructor(title, css, root) {
    this.root = root;
    this.canvas = h("canvas", {class: "lab-chart-canvas"});
    this.legend = h("div", {class: "lab-legend"});
    this.caption = h("figcaption", {}, title);
    this.tip = h("div", {class: "lab-tip", hidden: true});
    this.element = h("figure", {class: `lab-chart ${css}`},
      this.caption, h("div", {class: "lab-chart-plot"}, this.canvas, this.tip),
      this.legend);
    /** @type {Line[]} */
    this.lines = [];
    this.series = null;
    this.canvas.addEventListener("pointermove", e => this.hover(e));
    this.canvas.addEventListener("pointerleave", () => { this.tip.hidden = true; });
    watchSize(this.canvas, () => this.draw());
  }

  /** @param {Line[]} lines @param {Series} series */
  set(lines, series) {
    const legend = lines.map(l => l.label).join("|");
    this.lines = lines;
    this.series = series;
    if (legend !== this.legendText) {
      this.legendText = legend;
      this.legend.replaceChildren(...lines.map(line => h("span", {class: "lab-legend-item"},
        h("i", {style: `background:${swatch(line)}`}), line.label)));
    }
    this.draw();
  }

  /** The plot's frame in canvas pixels: left, top, right, bottom. */
  frame() {
    const ratio = window.devicePixelRatio || 1;
    const size = this.fontSize() * ratio;
    return [4.2 * size, 0.8 * size, this.canvas.width - 1.6 * size,
      this.canvas.height - 1.9 * size];
  }

  fontSize() {
    return 10.5 * this.colours().scale;
  }

  colours() {
    return themeColours(this.root, {ink: ["--jp-ui-font-color2", "#555"],
      grid: ["--jp-border-color2", "#e0e0e0"]});
  }

  /**
   * The ranges of the data: x from 0 to the last step, y whole decades around the values;
   * `zero`: some value is 0 (drawn on the row under the decades).
   */
  ranges() {
    let xMax = 10;
    let yMin = Infinity;
    let yMax = 0;
    let zero = false;
    for (const line of this.lines) {
      const xs = this.series.get(line.x);
      const ys = this.series.get(line.y);
      if (xs.length) xMax = Math.max(xMax, xs[Math.min(xs.length, ys.length) - 1] || 0);
      for (let i = 0; i < ys.length; i++) {
        const v = ys[i];
        if (v === 0) zero = true;
        if (v > 1e-12 && Number.isFinite(v)) {
          if (v < yMin) yMin = v;
          if (v > yMax) yMax = v;
        }
      }
    }
    if (!(yMax > 0)) return {xMax, low: 1e-3, high: 1, zero};
    const low = 10 ** Math.floor(Math.log10(yMin));
    const high = Math.max(10 ** Math.ceil(Math.log10(yMax) + 1e-9), 10 * low);
    return {xMax, low, high, zero};
  }

  draw() {
    fitCanvas(this.canvas);
    if (!this.series) return;
    const context = this.canvas.getContext("2d");
    const {width, height} = this.canvas;
    context.clearRect(0, 0, width, height);
    const [left, top, right, bottom] = this.frame();
    if (right - left < 10 || bottom - top < 10) return;
    const {xMax, low, high, zero} = this.ranges();
    // the row of zeros, under the lowest decade
    const decades = zero ? bottom - 1.4 * this.fontSize() * (window.devicePixelRatio || 1)
      : bottom;
    this.view = {left, top, right, bottom, decades, xMax, low, high, zero};
    this.drawAxes(context);
    for (const line of this.lines) this.drawLine(context, line);
  }

  toX(x) {
    const v = this.view;
    return v.left + (x / v.xMax) * (v.right - v.left);
  }

  /** A value's height: on the log axis, or (0) on the row of zeros under it. */
  toY(y) {
    const v = this.view;
    if (y === 0 && v.zero) return v.bottom - 0.5 * (v.bottom - v.decades);
    const t = (Math.log10(Math.max(y, v.low)) - Math.log10(v.low))
      / (Math.log10(v.high) - Math.log10(v.low));
    return v.decades - t * (v.decades - v.top);
  }

  drawAxes(context) {
    const v = this.view;
    const ratio = window.devicePixelRatio || 1;
    const size = this.fontSize() * ratio;
    const {ink, grid} = this.colours();
    context.font = `${Math.round(size)}px sans-serif`;
    context.fillStyle = ink;
    context.strokeStyle = grid;
    context.globalAlpha = 0.6;  // (the theme's border colour is loud on a dark background)
    context.lineWidth = ratio;
    context.textAlign = "right";
    context.textBaseline = "middle";
    const decades = Math.round(Math.log10(v.high / v.low));
    const every = Math.max(1, Math.ceil(decades / Math.max(1, (v.decades - v.top)
      / (2 * size))));
    for (let k = 0; k <= decades; k += every) {
      const value = v.low * 10 ** k;
      const y = this.toY(value);
      context.beginPath();
      context.moveTo(v.left, y);
      context.lineTo(v.right, y);
      context.stroke();
      context.globalAlpha = 1;
      context.fillText(decadeLabel(value), v.left - 0.3 * size, y);
      context.globalAlpha = 0.6;
    }
    context.globalAlpha = 1;
    if (v.zero) context.fillText("0", v.left - 0.3 * size, this.toY(0));
    context.textAlign = "center";
    context.textBaseline = "top";
    const ticks = Math.max(2, Math.floor((v.right - v.left) / (6 * size)));
    const step = niceStep(v.xMax / ticks);
    for (let x = 0; x <= v.xMax + 1e-9; x += step) {
      context.fillText(shortNumber(x), this.toX(x), v.bottom + 0.3 * size);
    }
    context.strokeStyle = ink;
    context.beginPath();
    context.moveTo(v.left, v.top);
    context.lineTo(v.left, v.bottom);
    context.lineTo(v.right, v.bottom);
    context.stroke();
  }

  /**
   * One line, averaged into buckets of one pixel column; a value it cannot draw (negative,
   * infinite, not a number: a diverged loss) breaks it, so no segment joins across it.
   */
  drawLine(context, line) {
    const xs = this.series.get(line.x);
    const ys = this.series.get(line.y);
    const count = Math.min(xs.length, ys.length);
    if (!count) return;
    const ratio = window.devicePixelRatio || 1;
    context.strokeStyle = line.colour;
    context.lineWidth = 1.6 * ratio;
    context.setLineDash((line.dash || []).map(d => d * ratio));
    context.beginPath();
    let column = -1;
    let sum = 0;
    let n = 0;
    let started = false;
    let broken = false;
    const flush = () => {
      if (!n) return;
      const y = this.toY(sum / n);
      if (started && !broken) context.lineTo(column, y); else context.moveTo(column, y);
      started = true;
      broken = false;
      sum = 0;
      n = 0;
    };
    for (let i = 0; i < count; i++) {
      const y = ys[i];
      if (!(y >= 0) || !Number.isFinite(y)) {
        flush();
        broken = started;
        continue;
      }
      const px = Math.round(this.toX(xs[i]));
      if (px !== column) {
        flush();
        column = px;
        sum = 0;
        n = 0;
      }
      sum += y;
      n += 1;
    }
    flush();
    if (count === 1 || !started) {  // a single point: a dot
      const x = this.toX(xs[0]);
      context.fillStyle = line.colour;
      const size = 4 * ratio;
      if (ys[0] >= 0) context.fillRect(x - size / 2, this.toY(ys[0]) - size / 2, size, size);
    }
    context.stroke();
    context.setLineDash([]);
  }

  /** The values of every line at the step under the pointer. */
  hover(event) {
    if (!this.view || !this.series) return;
    const box = this.canvas.getBoundingClientRect();
    const ratio = this.canvas.width / box.width;
    const px = (event.clientX - box.left) * ratio;
    const v = this.view;
    if (px < v.left || px > v.right) {
      this.tip.hidden = true;
      return;
    }
    const step = (px - v.left) / (v.right - v.left) * v.xMax;
    const rows = [];
    let at = null;
    for (const line of this.lines) {
      const xs = this.series.get(line.x);
      const ys = this.series.get(line.y);
      const i = nearest(xs, step, Math.min(xs.length, ys.length));
      if (i < 0) continue;
      at = at === null ? xs[i] : at;
      rows.push(h("div", {}, h("i", {style: `background:${line.colour}`}),
        `${line.label}: ${(line.format || num)(ys[i])}`));
    }
    if (!rows.length) return;
    this.tip.replaceChildren(h("div", {class: "lab-tip-step"}, `step ${whole(at)}`), ...rows);
    // many lines (a deep graph's nodes): in columns of TIP_ROWS, so the tip fits the chart
    this.tip.classList.toggle("lab-tip-columns", rows.length > TIP_ROWS);
    this.tip.style.gridTemplateColumns = `repeat(${Math.ceil(rows.length / TIP_ROWS)}, auto)`;
    this.tip.hidden = false;
    const left = (event.clientX - box.left) + 12;
    const top = event.clientY - box.top - 10;
    this.tip.style.left = `${Math.max(0, Math.min(left, box.width - this.tip.offsetWidth - 4))}px`;
    this.tip.style.top = `${Math.max(0, Math.min(top, box.height - this.tip.offsetHeight))}px`;
  }
}

/** The three charts of the lab, fed by one Series. */
export class CurvesView {
  /** @param {HTMLElement} root */
  constructor(root) {
    this.series = new Series();
    this.loss = new Chart("loss", "lab-chart-loss", root);
    this.errors = new Chart("error rate", "lab-chart-errors", root);
    this.gradients = new Chart("‖dL/d output‖ of each node", "lab-chart-gradients", root);
    this.curvesBox = h("div", {class: "lab-curves-box"}, this.loss.element,
      this.errors.element);
    // the teacher hid the error rates (to ask the class first): their chart too
    this.errorsCover = h("div", {class: "lab-cover", hidden: true},
      h("span", {}, "error rate: hidden"), h("span", {}, "what do you predict?"));
    this.errors.element.append(this.errorsCover);
    this.nodeLabels = new Map();
  }

  /** @param {import("./protocol.js").ViewState} view */
  setView(view) {
    const hidden = view.hidden.includes("errors");
    this.errorsCover.hidden = !hidden;
    this.errors.element.classList.toggle("lab-hidden", hidden);
  }

  /** The lab has no network (a file saved without one): no curves. */
  clear() {
    this.series = new Series();
    this.redraw();
  }

  /** @param {import("./protocol.js").GraphState} graph */
  setGraph(graph) {
    // the names the graph shows ("input", "Tanh", "Linear 25"), short ones for long names
    this.nodeLabels = new Map(graph.nodes.map(n => [String(n.id),
      `${n.id} ${n.label.length <= 9 ? n.label : n.short}`]));
    this.redraw();
  }

  update(content, buffers) {
    this.series.update(content, buffers);
    this.redraw();
  }

  redraw() {
    const s = this.series;
    this.loss.set([
      {x: "step", y: "loss", colour: "#888888", label: "batch loss"},
      {x: "epoch", y: "test_loss", colour: "#0877bd", label: "test loss"},
    ], s);
    // a regression has no error rate: its chart shows the loss each epoch instead
    const regression = s.task === "regression";
    const caption = regression ? "loss each epoch" : "error rate";
    if (this.errors.caption.textContent !== caption) this.errors.caption.textContent = caption;
    this.errors.set(regression ? [
      {x: "epoch", y: "epoch_loss", colour: "#f59322", label: "train"},
      {x: "epoch", y: "test_loss", colour: "#0877bd", label: "test"},
    ] : [
      {x: "epoch", y: "train_error", colour: "#f59322", label: "train", format: percent},
      {x: "epoch", y: "test_error", colour: "#0877bd", label: "test", format: percent},
    ], s);
    this.gradients.set(s.nodes().map((node, i) => ({x: "step", y: `grad:${node}`,
      colour: NODE_COLOURS[i % NODE_COLOURS.length],
      label: this.nodeLabels.get(node) || node,
      dash: i >= NODE_COLOURS.length ? [4, 2] : undefined})), s);
  }
}

/** A legend's sample of a line: its colour, dashed as the line is (past the tenth node). */
function swatch(line) {
  if (!line.dash) return line.colour;
  const [on, off] = line.dash;
  return `repeating-linear-gradient(90deg, ${line.colour} 0 ${on}px, transparent ${on}px `
    + `${on + off}px)`;
}

/** The index of the entry of sorted `xs` (first `count`) nearest to `x`, or -1. */
function nearest(xs, x, count) {
  if (!count) return -1;
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid + 1; else hi = mid;
  }
  if (lo > 0 && Math.abs(xs[lo - 1] - x) < Math.abs(xs[lo] - x)) lo -= 1;
  return lo;
}


function decadeLabel(value) {
  const exponent = Math.round(Math.log10(value));
  if (exponent >= -2 && exponent <= 3) return String(10 ** exponent >= 1 ? 10 ** exponent
    : Number((10 ** exponent).toFixed(-exponent)));
  return `1e${exponent}`;
}

function shortNumber(x) {
  if (x >= 1e6) return `${Number((x / 1e6).toPrecision(3))}M`;
  if (x >= 1e3) return `${Number((x / 1e3).toPrecision(3))}k`;
  return String(Math.round(x));
}
