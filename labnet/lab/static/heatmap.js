// An array of a walk's step as a heatmap: one cell a number, orange below 0, white at 0, blue
// above (the plane's colours), on a scale of its own that a bar under it shows; a small array
// has its numbers written in its cells; the pointer over a cell says where it is and its value.

import {h, num, paintValues} from "./util.js";

const MAX_SIDE = 9;  // em: a heatmap's longest side at most
const MIN_CELL = 0.25;  // em: a cell's side at least (a big array's corner is drawn smaller)
const NUMBER_CELL = 3;  // em: a small array's cells at least (wider if their numbers are)
const NUMBER_ROOM = 0.8;  // em: room beside the widest number in its cell
const NUMBER_COLS = 6;  // columns at most of an array whose numbers are written in
const GREY = 205;  // NaN and infinities

/**
 * The largest magnitude among `values` (NaN and infinities left out), or 0.
 * @param {ArrayLike<number>} values
 */
export function magnitude(values) {
  let top = 0;
  for (const v of values) if (Number.isFinite(v)) top = Math.max(top, Math.abs(v));
  return top;
}

/**
 * Each value as a level of the colour table, 0 to 255: 127.5 ± 127.5 · value / top, rounded
 * (white at 0); NaN and infinities get `GREY`'s row of a table of their own (-1 here).
 * @returns {Int16Array}
 */
export function levels(values, top) {
  const out = new Int16Array(values.length);
  values.forEach((v, i) => {
    out[i] = Number.isFinite(v) ? Math.round(127.5 + 127.5 * (top > 0 ? v / top : 0)) : -1;
  });
  return out;
}

/**
 * The size of a cell, in em, for an array of `rows` × `cols` cells: as large as fits in
 * MAX_SIDE, up to `largest`.
 */
export function cellSize(rows, cols, largest = 2) {
  return Math.max(MIN_CELL, Math.min(largest, MAX_SIDE / Math.max(rows, cols, 1)));
}

/**
 * The width, in em, of the cells of a small array whose numbers are written in: its widest
 * number (`measure(text)` pixels at `fontSize` pixels an em) and some room, NUMBER_CELL at least.
 * @param {string[]} texts
 */
export function numberCell(texts, fontSize, measure) {
  const widest = Math.max(0, ...texts.map(text => measure(text)));
  return Math.max(NUMBER_CELL, widest / fontSize + NUMBER_ROOM);
}

/** Which cell [row, col] a point (x, y) of a `width` × `height` box falls in, or null. */
export function cellAt(x, y, width, height, rows, cols) {
  if (!(x >= 0 && y >= 0 && x < width && y < height)) return null;
  return [Math.floor(y / height * rows), Math.floor(x / width * cols)];
}

/** "10 × 25", "25" (a bias), "a number". */
export function shapeText(shape) {
  return shape.length ? shape.join(" × ") : "a number";
}

/**
 * A heatmap of one array: a figure with its name and shape, the cells, and its scale.
 * `tip(text, event)` shows what the pointer is over (null: nothing).
 */
export class Heatmap {
  /**
   * @param {{name: string, shape: number[], rows: number, cols: number}} array
   * @param {Float32Array} values  rows × cols, by rows
   * @param {Uint8ClampedArray} table  the colour table (util.colourTable)
   * @param {function(?string, ?Event): void} tip
   * @param {number} fontSize  pixels of an em of the heatmap (its sizes are in em)
   * @param {?string} caption  what to call it (default: its name and its shape; "": nothing)
   * @param {boolean} numbers  write a small array's numbers in its cells
   * @param {number} largest  em: a cell's side at most (without numbers)
   */
  constructor(array, values, table, tip, fontSize = 13, caption = null, numbers = true,
    largest = 2) {
    this.array = array;
    this.values = values;
    this.top = magnitude(values);
    const {rows, cols} = array;
    this.withNumbers = numbers && cols <= NUMBER_COLS && rows <= 4;
    this.canvas = h("canvas", {class: "lab-heatmap-cells"});
    const context = this.canvas.getContext("2d");
    context.font = font(fontSize);
    const cell = this.withNumbers ? numberCell(Array.from(values, v => num(v)), fontSize,
      text => context.measureText(text).width) : cellSize(rows, cols, largest);
    const [width, height] = [cols * cell, rows * (this.withNumbers ? 1.5 : cell)];
    this.size = [Math.round(width * fontSize), Math.round(height * fontSize)];
    this.canvas.style.width = `${this.size[0]}px`;
    this.canvas.style.height = `${this.size[1]}px`;
    this.paint(table, fontSize);
    this.canvas.addEventListener("pointermove", event => tip(this.hover(event), event));
    this.canvas.addEventListener("pointerleave", () => tip(null, null));
    const whole = isWhole(array);
    this.element = h("figure", {class: "lab-heatmap", "data-array": array.name},
      caption === "" ? null : h("figcaption", {}, h("span", {class: "lab-heatmap-name"},
        caption || array.name),
        caption ? null : h("span", {class: "lab-heatmap-shape"}, shapeText(array.shape)
          + (whole ? "" : ` (first ${array.rows} × ${array.cols})`))),
      this.canvas, this.scale(Math.max(this.size[0], 7 * fontSize)));
  }

  /** The cells, through the colour table, and their numbers when there is room. */
  paint(table, fontSize) {
    const {rows, cols} = this.array;
    const ratio = window.devicePixelRatio || 1;
    const canvas = this.canvas;
    canvas.width = Math.max(1, Math.round(this.size[0] * ratio));
    canvas.height = Math.max(1, Math.round(this.size[1] * ratio));
    const context = canvas.getContext("2d");
    const cells = document.createElement("canvas");
    cells.width = cols;
    cells.height = rows;
    const image = new ImageData(cols, rows);
    const bytes = new Uint8Array(rows * cols);
    const level = levels(this.values, this.top);
    level.forEach((v, i) => { bytes[i] = Math.max(v, 0); });
    paintValues(bytes, table, image);
    level.forEach((v, i) => { if (v < 0) image.data.set([GREY, GREY, GREY, 255], 4 * i); });
    cells.getContext("2d").putImageData(image, 0, 0);
    context.imageSmoothingEnabled = false;
    context.drawImage(cells, 0, 0, canvas.width, canvas.height);
    if (!this.withNumbers) return;
    const [cw, ch] = [canvas.width / cols, canvas.height / rows];
    context.font = font(fontSize * ratio);
    context.textAlign = "center";
    context.textBaseline = "middle";
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const v = this.values[i * cols + j];
        context.fillStyle = Math.abs(level[i * cols + j] - 127.5) > 80 ? "#fff" : "#222";
        context.fillText(num(v), (j + 0.5) * cw, (i + 0.5) * ch);
      }
    }
  }

  /** Its scale, `width` pixels: a bar from −top (orange) through 0 (white) to +top (blue). */
  scale(width) {
    const top = this.top;
    return h("div", {class: "lab-heatmap-scale", style: `width:${width}px`},
      h("span", {class: "lab-heatmap-bar"}),
      h("span", {class: "lab-heatmap-ticks"}, h("span", {}, num(-top)), h("span", {}, "0"),
        h("span", {}, num(top))));
  }

  /** What the pointer is over: "dL/dx [2, 5] = −0.0123", or null. */
  hover(event) {
    const box = this.canvas.getBoundingClientRect();
    const at = cellAt(event.clientX - box.left, event.clientY - box.top, box.width,
      box.height, this.array.rows, this.array.cols);
    if (!at) return null;
    const [i, j] = at;
    const value = this.values[i * this.array.cols + j];
    const where = this.array.shape.length < 2 ? `[${j}]` : `[${i}, ${j}]`;
    return `${this.array.name} ${where} = ${exact(value)}`;
  }
}

/** The font of the numbers in the cells, `pixels` high. */
function font(pixels) {
  return `${Math.round(pixels)}px sans-serif`;
}

/** Whether the cells drawn are all of the array (a bias is one row, a number one cell). */
export function isWhole({shape, rows, cols}) {
  const [allRows, allCols] = shape.length === 0 ? [1, 1] : shape.length === 1 ? [1, shape[0]]
    : [shape[0], shape.slice(1).reduce((a, b) => a * b, 1)];
  return rows >= allRows && cols >= allCols;
}

/** A number with the digits a float32 holds. */
export function exact(value) {
  if (!Number.isFinite(value)) return num(value);
  return Number(value.toPrecision(6)).toString();
}
