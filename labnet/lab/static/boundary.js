// The decision boundary: the class-1 score over the plane, colour-mapped here from the uint8
// grid the kernel sends, with the training points (filled) and test points (hollow) on top.
// Frames are coalesced: only the latest is kept, painted on the next animation frame, and the
// kernel is told, so it sends the next one only then.

import {colourTable, fitCanvas, h, paintValues, rgb, themeColour} from "./util.js";

const TICKS = 5;

export class BoundaryView {
  /**
   * @param {import("./protocol.js").Channel} channel
   * @param {HTMLElement} root  the lab's root element (counts paints in data-paints)
   */
  constructor(channel, root) {
    this.channel = channel;
    this.root = root;
    this.canvas = h("canvas", {class: "lab-boundary", "aria-label": "decision boundary"});
    this.grid = document.createElement("canvas");  // the n×n score image
    this.layer = document.createElement("canvas");  // points and ticks, drawn when they change
    this.element = h("div", {class: "lab-plane-box"}, this.canvas);
    /** @type {?{content: Object, values: Uint8Array}} */
    this.latest = null;
    this.points = null;
    this.view = {show_test: true, discretize: false, click: "off"};
    this.tables = null;
    this.paints = 0;
    this.pending = false;
    this.layerStale = true;
    this.canvas.addEventListener("click", event => this.clicked(event));
    new ResizeObserver(() => { this.layerStale = true; this.schedule(); }).observe(this.canvas);
  }

  /** @param {{boundary: string[], classes: string[]}} colours */
  setColours(colours) {
    const smooth = colourTable(colours.boundary);
    const discrete = new Uint8ClampedArray(smooth.length);
    const [low, high] = [Math.round(255 * 0.12), Math.round(255 * 0.88)];
    for (let i = 0; i < 256; i++) {
      const from = 4 * (i < 128 ? low : high);
      discrete.set(smooth.subarray(from, from + 4), 4 * i);
    }
    this.tables = {smooth, discrete};
    this.classes = colours.classes.map(rgb);
    this.layerStale = true;
    this.schedule();
  }

  /** @param {import("./protocol.js").ViewState} view */
  setView(view) {
    const changed = view.show_test !== this.view.show_test
      || view.discretize !== this.view.discretize;
    this.view = view;
    this.canvas.classList.toggle("lab-clickable", view.click !== "off");
    if (changed) {
      this.layerStale = true;
      this.schedule();
    }
  }

  /** Points: train x, train labels, test x, test labels. */
  setPoints(content, buffers) {
    const floats = b => new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
    const bytes = b => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    this.points = {
      extent: content.extent,
      train: floats(buffers[0]), trainLabels: bytes(buffers[1]),
      test: floats(buffers[2]), testLabels: bytes(buffers[3]),
    };
    this.layerStale = true;
    this.schedule();
  }

  /** A new frame: keep it, paint it at the next animation frame. */
  frame(content, buffers) {
    if (window.labnetTrace) window.labnetTrace.push(["received", content.frame, Date.now()]);
    const b = buffers[0];
    this.latest = {content, values: new Uint8Array(b.buffer, b.byteOffset, b.byteLength)};
    this.schedule();
  }

  schedule() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => { this.pending = false; this.paint(); });
  }

  paint() {
    const resized = fitCanvas(this.canvas);
    if (!this.latest || !this.tables || this.canvas.width < 2) return;
    const {content, values} = this.latest;
    const n = content.n;
    if (this.grid.width !== n) {
      this.grid.width = this.grid.height = n;
      this.image = new ImageData(n, n);
    }
    const table = this.view.discretize ? this.tables.discrete : this.tables.smooth;
    paintValues(values, table, this.image);
    this.grid.getContext("2d").putImageData(this.image, 0, 0);
    const context = this.canvas.getContext("2d");
    context.imageSmoothingEnabled = !this.view.discretize;
    context.imageSmoothingQuality = "high";
    context.drawImage(this.grid, 0, 0, this.canvas.width, this.canvas.height);
    if (this.layerStale || resized) this.drawLayer(content.extent);
    context.drawImage(this.layer, 0, 0);
    this.paints += 1;
    this.root.dataset.paints = String(this.paints);
    if (window.labnetTrace) {  // where a frame's time goes (tests and benchmarks read it)
      window.labnetTrace.push(["painted", content.frame, Date.now(), 1000 * content.sent]);
    }
    this.channel.painted("boundary", content.frame);
  }

  /** Draw the points and the ticks into their own layer (when they change, not each frame). */
  drawLayer(extent) {
    this.layerStale = false;
    const {width, height} = this.canvas;
    this.layer.width = width;
    this.layer.height = height;
    const context = this.layer.getContext("2d");
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
    this.drawTicks(context, extent, toPixel, ratio * scale);
  }

  pointCount() {
    return this.points ? this.points.trainLabels.length + this.points.testLabels.length : 0;
  }

  drawPoints(context, xy, labels, toPixel, radius, filled) {
    context.lineWidth = Math.max(1, radius / 3);
    for (let label = 0; label < 2; label++) {
      const [r, g, b] = this.classes[label];
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
    context.fillStyle = themeColour(this.root, "--jp-ui-font-color2", "#555");
    context.globalAlpha = 0.8;
    const step = niceStep((extent[1] - extent[0]) / TICKS);
    for (let v = Math.ceil(extent[0] / step) * step; v <= extent[1]; v += step) {
      const [x] = toPixel(v, 0);
      context.fillText(label(v), x + 2 * size, this.layer.height - 3 * size);
    }
    const stepY = niceStep((extent[3] - extent[2]) / TICKS);
    for (let v = Math.ceil(extent[2] / stepY) * stepY; v <= extent[3]; v += stepY) {
      const [, y] = toPixel(0, v);
      if (y > 14 * size && y < this.layer.height - 14 * size) {
        context.fillText(label(v), 3 * size, y - 2 * size);
      }
    }
    context.globalAlpha = 1;
  }

  /** A click on the plane, at the point of the data it lands on. */
  clicked(event) {
    if (this.view.click === "off" || !this.extent) return;
    const box = this.canvas.getBoundingClientRect();
    const [x1Low, x1High, x2Low, x2High] = this.extent;
    const x1 = x1Low + (event.clientX - box.left) / box.width * (x1High - x1Low);
    const x2 = x2High - (event.clientY - box.top) / box.height * (x2High - x2Low);
    this.channel.intent("click_plane", {x1, x2});
  }
}

function niceStep(raw) {
  const decade = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map(m => m * decade).find(s => s >= raw);
}

function label(value) {
  return Math.abs(value) < 1e-9 ? "0" : Number(value.toPrecision(3)).toString();
}
