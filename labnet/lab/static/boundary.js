// The decision boundary: what the network says over the plane, colour-mapped here from the
// uint8 grid the kernel sends (two classes: the class-1 score; more: the class it picks, paler
// where it is less sure; a regression: its prediction, on a diverging scale), with the
// training points (filled) and test points (hollow) on top, each the colour of its class (or
// of its target). Frames are coalesced: a few wait at most (older ones are dropped), one is
// painted each animation frame, and the kernel is told which were painted, so it never sends
// far ahead.

import {classTable, colourTable, fitCanvas, h, niceStep, paintValues, paler, rgb, typedArray,
  watchSize} from "./util.js";

const TICKS = 5;
const QUEUE = 3;
const PALE = 0.72;  // the plane a little paler than the points (as in TensorFlow Playground)

export class BoundaryView {
  /**
   * @param {import("./protocol.js").Channel} channel
   * @param {HTMLElement} root  the lab's root element (counts paints in data-paints)
   */
  constructor(channel, root) {
    this.channel = channel;
    this.root = root;
    // two layers: the n×n score image (the browser scales it to the box, smoothly) and, over
    // it, the points and the ticks (drawn again only when they change, not each frame)
    this.grid = h("canvas", {class: "lab-boundary-grid", width: 1, height: 1});
    this.canvas = h("canvas", {class: "lab-boundary", "aria-label": "decision boundary"});
    this.element = h("div", {class: "lab-plane-box"}, this.grid, this.canvas);
    /** @type {?{content: Object, values: Uint8Array}} */
    this.latest = null;  // the frame painted last
    this.waiting = [];  // frames come, not painted yet (at most QUEUE)
    this.points = null;
    this.view = {show_test: true, discretize: false, click: "off"};
    this.walked = null;  // the point a walk of one point walks ({x1, x2, label}), or null
    this.picking = false;  // a click picks the point to walk (a walk of one point is on)
    this.tables = null;
    this.paints = 0;
    this.pending = false;
    this.layerStale = true;
    this.canvas.addEventListener("click", event => this.clicked(event));
    watchSize(this.canvas, () => { this.layerStale = true; this.schedule(); });
  }

  /** The lab has no network (a file saved without one): the points on a blank plane. */
  clear() {
    this.latest = null;
    this.waiting = [];
    this.grid.getContext("2d").clearRect(0, 0, this.grid.width, this.grid.height);
    this.layerStale = true;
    this.schedule();
  }

  /** @param {{boundary: string[], classes: string[]}} colours */
  setColours(colours) {
    // the plane a little paler than the points (as in TensorFlow Playground), so a point on
    // a region of its own class still stands out
    this.values = colourTable(colours.boundary);  // (a regression's points: not paler)
    const smooth = paler(this.values, PALE);
    const discrete = new Uint8ClampedArray(smooth.length);
    const [low, high] = [Math.round(255 * 0.12), Math.round(255 * 0.88)];
    for (let i = 0; i < 256; i++) {
      const from = 4 * (i < 128 ? low : high);
      discrete.set(smooth.subarray(from, from + 4), 4 * i);
    }
    this.tables = {smooth, discrete, classes: paler(classTable(colours.classes), PALE),
      classesDiscrete: paler(classTable(colours.classes, true), PALE)};
    this.classes = colours.classes.map(rgb);
    this.layerStale = true;
    this.schedule();
  }

  /** @param {import("./protocol.js").ViewState} view */
  setView(view) {
    const changed = view.show_test !== this.view.show_test
      || view.discretize !== this.view.discretize;
    this.view = view;
    this.canvas.classList.toggle("lab-clickable", view.click !== "off" || this.picking);
    this.grid.classList.toggle("lab-discrete", view.discretize);
    if (changed) {
      this.layerStale = true;
      if (this.latest) this.waiting.unshift(this.latest);  // painted again in the new colours
      this.schedule();
    }
  }

  /**
   * A walk of one point: a click on the plane picks the training point to walk, and the
   * point walked is ringed.
   * @param {Object} walk  the `walk` trait ({} when there is none)
   */
  setWalk(walk) {
    const point = walk && walk.index !== undefined && walk.sample !== null ? walk.point : null;
    this.picking = !!walk && walk.index !== undefined && walk.sample !== null;
    this.canvas.classList.toggle("lab-clickable", this.view.click !== "off" || this.picking);
    if (JSON.stringify(point) !== JSON.stringify(this.walked)) {
      this.walked = point;
      this.layerStale = true;
      this.schedule();
    }
  }

  /**
   * Points: train x, train labels, test x, test labels (a regression's: each target as a byte
   * of the plane's scale).
   */
  setPoints(content, buffers) {
    const floats = b => typedArray(Float32Array, b);
    const bytes = b => typedArray(Uint8Array, b);
    this.points = {
      extent: content.extent, regression: content.task === "regression",
      classes: content.classes || 2,
      train: floats(buffers[0]), trainLabels: bytes(buffers[1]),
      test: floats(buffers[2]), testLabels: bytes(buffers[3]),
    };
    this.layerStale = true;
    this.schedule();
  }

  /**
   * A new frame: painted at the next animation frame. Frames come through the kernel's
   * connection in small bursts; up to QUEUE of them wait to be painted one an animation frame
   * (so a burst of two is two paints, not one); past that the oldest are dropped, so a slow
   * page never falls behind.
   */
  frame(content, buffers) {
    if (window.labnetTrace) window.labnetTrace.push(["received", content.frame, Date.now()]);
    const b = buffers[0];
    this.waiting.push({content, values: typedArray(Uint8Array, b)});
    if (this.waiting.length > QUEUE) this.waiting.splice(0, this.waiting.length - QUEUE);
    this.schedule();
  }

  /** Pause was clicked: the play loop's frames still waiting are dropped (the picture stops). */
  hold() {
    this.waiting = this.waiting.filter(frame => !frame.content.playing);
  }

  schedule() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      if (this.waiting.length) this.latest = this.waiting.shift();
      this.paint();
      if (this.waiting.length) this.schedule();
    });
  }

  paint() {
    if (!this.tables) return;
    if (this.layerStale) {
      fitCanvas(this.canvas);
      const extent = this.latest ? this.latest.content.extent : this.points && this.points.extent;
      if (extent) this.drawLayer(extent);
    }
    if (!this.latest) return;  // no network yet: the points on a blank plane
    const {content, values} = this.latest;
    const n = content.n;
    if (this.grid.width !== n) {
      this.grid.width = this.grid.height = n;
      this.image = new ImageData(n, n);
    }
    paintValues(values, this.table(content.code), this.image);
    this.grid.getContext("2d").putImageData(this.image, 0, 0);
    this.paints += 1;
    // the count, for tests and benchmarks: as a property each paint (free), as the attribute
    // data-paints twice a second (changing an attribute makes the page work out its style)
    this.root.labnetPaints = this.paints;
    const now = performance.now();
    if (!this.shownAt || now - this.shownAt > 500) {
      this.shownAt = now;
      this.root.dataset.paints = String(this.paints);
    }
    if (window.labnetTrace) {  // where a frame's time goes (tests and benchmarks read it)
      window.labnetTrace.push(["painted", content.frame, Date.now(), 1000 * content.sent]);
    }
    this.channel.painted("boundary", content.frame);
  }

  /** Draw the points and the ticks over the plane (when they change, not each frame). */
  drawLayer(extent) {
    this.layerStale = false;
    const {width, height} = this.canvas;
    const context = this.canvas.getContext("2d");
    context.clearRect(0, 0, width, height);
    this.extent = extent;
    const ratio = window.devicePixelRatio || 1;
    const scale = parseFloat(getComputedStyle(this.root).getPropertyValue("--lab-scale")) || 1;
    const toPixel = (x1, x2) => [(x1 - extent[0]) / (extent[1] - extent[0]) * width,
      (extent[3] - x2) / (extent[3] - extent[2]) * height];
    const radius = Math.max(1, Math.min(3.5, 110 / Math.sqrt(this.pointCount() + 1)))
      * ratio * Math.sqrt(scale) * Math.sqrt(width / ratio / 400);
    if (this.points) {
      const {train, trainLabels, test, testLabels} = this.points;
      this.drawPoints(context, train, trainLabels, toPixel, radius, true);
      if (this.view.show_test) this.drawPoints(context, test, testLabels, toPixel, radius, false);
    }
    if (this.walked) this.ring(context, toPixel(this.walked.x1, this.walked.x2), radius, ratio);
    this.drawTicks(context, extent, toPixel, ratio * scale);
  }

  /** The colours of a frame coded `code` ("score", "classes", "value"), as the view says. */
  table(code) {
    const {discretize} = this.view;
    if (code === "classes") return discretize ? this.tables.classesDiscrete : this.tables.classes;
    return discretize && code !== "value" ? this.tables.discrete : this.tables.smooth;
  }

  pointCount() {
    return this.points ? this.points.trainLabels.length + this.points.testLabels.length : 0;
  }

  /**
   * The points of each class (or, a regression, of each target's byte), one path a colour.
   */
  drawPoints(context, xy, labels, toPixel, radius, filled) {
    context.lineWidth = Math.max(1, radius / 3);
    const regression = this.points.regression;
    const kinds = regression ? [...new Set(labels)] : [...Array(this.points.classes).keys()];
    for (const label of kinds) {
      const [r, g, b] = regression ? this.values.slice(4 * label, 4 * label + 3)
        : this.classes[label] || [0, 0, 0];
      context.beginPath();
      for (let i = 0; i < labels.length; i++) {
        if (labels[i] !== label) continue;
        const [x, y] = toPixel(xy[2 * i], xy[2 * i + 1]);
        context.moveTo(x + radius, y);
        context.arc(x, y, radius, 0, 2 * Math.PI);
      }
      if (filled) {
        context.fillStyle = `rgb(${r},${g},${b})`;
        context.strokeStyle = "rgba(255,255,255,0.9)";
        context.fill();
        context.stroke();
      } else {
        context.strokeStyle = `rgb(${r},${g},${b})`;
        context.lineWidth = Math.max(1.2, radius / 2.2);
        context.stroke();
      }
    }
  }

  drawTicks(context, extent, toPixel, size) {
    context.font = `${Math.round(10 * size)}px sans-serif`;
    context.fillStyle = "#555";  // the plane is light in every theme
    context.globalAlpha = 0.8;
    const step = niceStep((extent[1] - extent[0]) / TICKS);
    for (let v = Math.ceil(extent[0] / step) * step; v <= extent[1]; v += step) {
      const [x] = toPixel(v, 0);
      context.fillText(label(v), x + 2 * size, this.canvas.height - 3 * size);
    }
    const stepY = niceStep((extent[3] - extent[2]) / TICKS);
    for (let v = Math.ceil(extent[2] / stepY) * stepY; v <= extent[3]; v += stepY) {
      const [, y] = toPixel(0, v);
      if (y > 14 * size && y < this.canvas.height - 14 * size) {
        context.fillText(label(v), 3 * size, y - 2 * size);
      }
    }
    context.globalAlpha = 1;
  }

  /** The point a walk walks, ringed: dark, then white, so it shows on either colour. */
  ring(context, [x, y], radius, ratio) {
    for (const [colour, width, r] of [["#fff", 5, 3.4], ["#8e44ad", 2.5, 3.4]]) {
      context.beginPath();
      context.arc(x, y, r * radius + 2 * ratio, 0, 2 * Math.PI);
      context.strokeStyle = colour;
      context.lineWidth = width * ratio;
      context.stroke();
    }
  }

  /** A click on the plane, at the point of the data it lands on: what the click mode says,
   * or, walking one point, the training point to walk. */
  clicked(event) {
    if ((this.view.click === "off" && !this.picking) || !this.extent) return;
    const box = this.canvas.getBoundingClientRect();
    const [x1Low, x1High, x2Low, x2High] = this.extent;
    const x1 = x1Low + (event.clientX - box.left) / box.width * (x1High - x1Low);
    const x2 = x2High - (event.clientY - box.top) / box.height * (x2High - x2Low);
    this.channel.intent(this.picking ? "pick_sample" : "click_plane", {x1, x2});
  }
}


function label(value) {
  return Math.abs(value) < 1e-9 ? "0" : Number(value.toPrecision(3)).toString();
}
