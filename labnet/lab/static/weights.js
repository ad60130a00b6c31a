// The weights an edge carries, on a card by the pointer: a small heatmap (a row for each unit
// of the node that feeds the edge, a column for each unit of the Linear it feeds; orange below
// 0, blue above, as the plane's classes), the bias under it, and each value named when the
// pointer is on it. A click on one edits it: the lab's set_weight, one step of undo (Ctrl+Z on
// the graph). The numbers are the kernel's (the edge_weights query): asked once the pointer
// has stayed on an edge a moment, and again while the card shows, when the weights change, a
// couple of times a second at most (asking costs the frames nothing: a small reply).

import {colourTable, h, num, tableColour} from "./util.js";

const ASK_AFTER = 150;  // ms the pointer stays on an edge before its weights are asked for
const HIDE_AFTER = 400;  // ms the card stays once the pointer has left (time to reach it)
const REFRESH = 500;  // ms between two asks while the card shows and the weights change

/**
 * @typedef {Object} EdgeWeights   what the edge_weights query answers (labnet/lab/weights.py)
 * @property {NodeId} src
 * @property {NodeId} dst
 * @property {string} text     what is shown, in words (or why there is nothing to show)
 * @property {NodeId} [node]   the Linear whose weights they are
 * @property {number[]} [shape]  its weight's [inputs, units]
 * @property {number} [rows]   rows shown (at most 16: the top-left corner of a bigger one)
 * @property {number} [cols]
 * @property {Array<Array<?number>>} [values]  rows × cols (null: not a number)
 * @property {Array<?number>} [bias]  the first `cols` biases
 * @property {number} [low]    the colours' span (symmetric around 0, the whole matrix's)
 * @property {number} [high]
 * @property {?number} [norm]
 */

export class WeightsView {
  /**
   * @param {import("./protocol.js").Channel} channel
   * @param {function(): void} [onEdited]  after a weight is set (the graph takes the focus
   *   back, for Ctrl+Z)
   */
  constructor(channel, onEdited = () => {}) {
    this.channel = channel;
    this.onEdited = onEdited;
    this.table = null;
    this.edge = null;  // the edge whose weights are shown, or asked for
    this.info = null;
    this.locked = false;
    this.askedAt = 0;
    this.timers = {ask: null, hide: null, refresh: null};
    this.title = h("div", {class: "lab-weights-title"});
    this.legend = h("div", {class: "lab-weights-legend"});
    this.cells = h("div", {class: "lab-weights-cells"});
    this.value = h("div", {class: "lab-weights-value"});
    this.element = h("div", {class: "lab-weights", hidden: true, role: "dialog",
      onpointerenter: () => this.stay(), onpointerleave: () => this.leave(),
      onpointerover: event => this.point(event.target), onclick: event => this.edit(event)},
    this.title, this.legend, this.cells, this.value);
  }

  /** @param {string[]} stops  the colours from class 0 (orange) to class 1 (blue) */
  setColours(stops) {
    this.table = colourTable(stops);
  }

  /**
   * @param {string} mode  "free"; "locked" (the teacher's: shown, not editable); "hidden" (no
   *   card at all)
   */
  setLocked(mode) {
    this.locked = mode !== "free";
    this.hiddenByLock = mode === "hidden";
    this.element.classList.toggle("lab-locked", this.locked);
    if (this.hiddenByLock) this.hide();
  }

  /**
   * The pointer is on an edge ([src, dst]) at `where` ([clientX, clientY]): its weights are
   * asked for once it stays there a moment.
   */
  enter(edge, where) {
    if (this.hiddenByLock) return;
    this.stay();
    if (this.edge && this.edge[0] === edge[0] && this.edge[1] === edge[1]) return;
    clearTimeout(this.timers.ask);
    this.timers.ask = setTimeout(() => {
      this.edge = edge;
      this.where = where;
      this.ask();
    }, ASK_AFTER);
  }

  /** The pointer left the edge or the card: the card goes, unless it comes back soon. */
  leave() {
    clearTimeout(this.timers.ask);
    if (this.editor) return;  // (a value being typed stays until Enter or Escape)
    clearTimeout(this.timers.hide);
    this.timers.hide = setTimeout(() => this.hide(), HIDE_AFTER);
  }

  stay() {
    clearTimeout(this.timers.hide);
  }

  hide() {
    for (const timer of Object.values(this.timers)) clearTimeout(timer);
    this.edge = null;
    this.info = null;
    this.editor = null;
    this.element.hidden = true;
  }

  /** New weights (a frame of thumbnails came): asked again, if the card shows, now and then. */
  changed() {
    if (!this.edge || this.editor || this.timers.refresh) return;
    const wait = Math.max(0, this.askedAt + REFRESH - performance.now());
    this.timers.refresh = setTimeout(() => {
      this.timers.refresh = null;
      if (this.edge && !this.editor) this.ask();
    }, wait);
  }

  async ask() {
    const edge = this.edge;
    this.askedAt = performance.now();
    const reply = await this.channel.intent("edge_weights", {src: edge[0], dst: edge[1]});
    if (this.edge !== edge || !reply.ok || this.editor) return;  // (gone, or another edge)
    this.show(reply.value);
  }

  /** @param {EdgeWeights} info */
  show(info) {
    const first = this.element.hidden;
    this.info = info;
    this.title.textContent = `${info.src} → ${info.dst}: ${info.text}`;
    this.legend.textContent = info.values ? `a row: a unit of node ${info.src}; a column: `
      + `a unit of node ${info.dst}; then the bias` : "";
    if (!info.values) {
      this.cells.replaceChildren();
      this.value.textContent = "";
    } else {
      this.paint(info);
      if (first) {
        this.value.textContent = this.locked ? "the weights are locked"
          : "click a weight to set it";
      }
    }
    this.element.hidden = false;
    if (first) this.place();
  }

  /**
   * The heatmap: a cell a weight, the bias under it (at most 16 × 17). Cells are made for a
   * new shape, else only their colours and words change (the pointer on a cell stays on it).
   */
  paint(info) {
    const span = Math.max(Math.abs(info.low), Math.abs(info.high), 1e-12);
    const colour = value => (value === null || !this.table ? "" : tableColour(this.table,
      0.5 + 0.5 * Math.max(-1, Math.min(1, value / span))));
    const entries = [];
    info.values.forEach((row, i) => row.forEach((value, j) => entries.push([value, "weight",
      i, j, `weight[${i}, ${j}] = ${num(value, 4)}: unit ${i} of node ${info.src} → unit `
      + `${j} of node ${info.dst}`])));
    info.bias.forEach((value, j) => entries.push([value, "bias", null, j,
      `bias[${j}] = ${num(value, 4)}: added to unit ${j} of node ${info.dst}`]));
    const shape = `${info.src}→${info.dst}:${info.rows}×${info.cols}`;
    if (this.cells.dataset.shape !== shape) {
      this.cells.dataset.shape = shape;
      this.cells.style.setProperty("--lab-weight-cols", String(info.cols));
      this.cells.replaceChildren(...entries.map(([, name, row, col]) => h("span", {
        class: `lab-weight-cell${name === "bias" && col === 0 ? " lab-weight-bias-first" : ""}`,
        "data-name": name, "data-row": row, "data-col": col})));
    }
    [...this.cells.children].forEach((cell, i) => {
      const [value, , , , words] = entries[i];
      cell.style.background = colour(value);
      cell.dataset.words = words;
    });
  }

  /** Beside the pointer, whole inside the lab and on the screen. */
  place() {
    const lab = this.element.parentElement;
    if (!lab || !this.where) return;
    const box = lab.getBoundingClientRect();
    const [x, y] = [this.where[0] - box.left, this.where[1] - box.top];
    const [width, height] = [this.element.offsetWidth, this.element.offsetHeight];
    const right = x + 16 + width <= lab.clientWidth;
    this.element.style.left = `${Math.max(0, right ? x + 16 : x - 16 - width)}px`;
    // beside the pointer, its middle at the pointer's height, but whole on the screen
    const screenTop = Math.max(4, Math.min(this.where[1] - height / 2,
      window.innerHeight - height - 4));
    this.element.style.top = `${screenTop - box.top}px`;
  }

  /** The pointer on a cell: its value in words. */
  point(target) {
    const cell = target.closest && target.closest(".lab-weight-cell");
    if (cell && !this.editor) this.value.textContent = cell.dataset.words;
  }

  /** A click on a cell: a box to type its new value (Enter sets it, Escape leaves it). */
  edit(event) {
    const cell = event.target.closest && event.target.closest(".lab-weight-cell");
    if (!cell || !this.info || this.editor) return;
    if (this.locked) {
      this.closeEditor("the weights are locked in this lab, by its teacher", true);
      return;
    }
    const name = cell.dataset.name;
    const index = name === "bias" ? [Number(cell.dataset.col)]
      : [Number(cell.dataset.row), Number(cell.dataset.col)];
    const value = name === "bias" ? this.info.bias[index[0]]
      : this.info.values[index[0]][index[1]];
    const label = `${name}[${index.join(", ")}] of node ${this.info.node}`;
    const input = h("input", {class: "lab-weight-editor", type: "number", step: "any",
      value: value === null ? "" : String(value), "aria-label": label});
    this.editor = {input, name, index, node: this.info.node};
    this.value.replaceChildren(h("span", {}, `${name}[${index.join(", ")}] = `), input);
    input.addEventListener("keydown", e => {
      e.stopPropagation();
      if (e.key === "Enter") this.commit();
      if (e.key === "Escape") this.closeEditor("");
    });
    input.addEventListener("blur", () => {  // (elsewhere: nothing set)
      if (this.editor && this.editor.input === input && !this.editor.sending) {
        this.closeEditor("");
      }
    });
    input.focus();
    input.select();
  }

  async commit() {
    const {input, name, index, node} = this.editor;
    if (input.value.trim() === "" && !input.validity.badInput) {
      this.closeEditor("");  // (nothing typed: nothing set)
      return;
    }
    // what is not a number goes as words: the lab says what a weight must be
    const value = input.validity.badInput ? "not a number" : Number(input.value);
    this.editor = {...this.editor, sending: true};
    const reply = await this.channel.intent("set_weight", {node, name, index, value});
    if (!reply.ok) {
      this.closeEditor(reply.error, true);
      return;
    }
    this.closeEditor(`${name}[${index.join(", ")}] set: Ctrl+Z on the graph undoes it`);
    this.onEdited();
    if (this.edge) this.ask();
  }

  closeEditor(text, error = false) {
    this.editor = null;
    this.value.replaceChildren(text);
    this.value.classList.toggle("lab-error", error);
  }
}
