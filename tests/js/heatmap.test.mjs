// heatmap.js: an array as a heatmap on a scale of its own (white at 0), a small one with its
// numbers written in, and the pointer over a cell reading its value.
import assert from "node:assert/strict";
import {test} from "node:test";

import {installDom, pointer, setBox} from "./dom.mjs";
import {labTraits} from "./model.mjs";

installDom();
const {Heatmap, cellAt, cellSize, exact, isWhole, levels, magnitude, numberCell, shapeText} =
  await import("../../labnet/lab/static/heatmap.js");
const {colourTable} = await import("../../labnet/lab/static/util.js");

const table = colourTable(labTraits().settings.colours.boundary);

test("the scale is the largest finite magnitude; 0 is white, ±top the two ends", () => {
  assert.equal(magnitude([-3, 2, NaN, Infinity]), 3);
  assert.equal(magnitude([]), 0);
  assert.deepEqual([...levels([-3, 0, 3, NaN], 3)], [0, 128, 255, -1]);
  assert.deepEqual([...levels([0, 0], 0)], [128, 128]);  // all zero: all white
});

test("cells: as large as fit, the one under a point, whether all of the array is drawn", () => {
  assert.equal(cellSize(10, 25), 9 / 25);
  assert.equal(cellSize(1, 2), 2);  // (at most 2 em)
  assert.equal(cellSize(1000, 1000), 0.25);  // (at least a quarter of an em)
  assert.deepEqual(cellAt(0, 0, 100, 50, 2, 4), [0, 0]);
  assert.deepEqual(cellAt(99, 49, 100, 50, 2, 4), [1, 3]);
  assert.equal(cellAt(100, 10, 100, 50, 2, 4), null);
  assert.equal(isWhole({shape: [10, 25], rows: 10, cols: 25}), true);
  assert.equal(isWhole({shape: [100, 25], rows: 16, cols: 25}), false);
  assert.equal(isWhole({shape: [25], rows: 1, cols: 25}), true);  // a bias: one row
  assert.equal(isWhole({shape: [], rows: 1, cols: 1}), true);  // a number
  assert.equal(shapeText([10, 25]), "10 × 25");
  assert.equal(shapeText([]), "a number");
  assert.equal(exact(0.1234567891), "0.123457");
});

test("a heatmap says its name, shape and scale, and the value under the pointer", () => {
  const tips = [];
  const array = {name: "dL/dx", shape: [100, 40], rows: 16, cols: 32};
  const values = new Float32Array(16 * 32).map((_, i) => (i === 33 ? -4 : i / 512));
  const map = new Heatmap(array, values, table, (text, event) => tips.push(text), 10);
  assert.equal(map.element.dataset.array, "dL/dx");
  assert.match(map.element.textContent, /^dL\/dx100 × 40 \(first 16 × 32\)/);
  assert.match(map.element.querySelector(".lab-heatmap-ticks").textContent, /^-404$/);
  assert.equal(map.withNumbers, false);
  setBox(map.canvas, 0, 0, 320, 160);
  map.canvas.dispatchEvent(pointer("pointermove", 15, 15));  // row 1, column 1
  map.canvas.dispatchEvent(pointer("pointerleave", 0, 0));
  assert.deepEqual(tips, ["dL/dx [1, 1] = -4", null]);
});

test("a small array has its numbers in its cells; a caption replaces its name and shape", () => {
  const array = {name: "output", shape: [1, 3], rows: 1, cols: 3};
  const map = new Heatmap(array, new Float32Array([0.5, -0.25, 0.125]), table, () => {}, 10);
  assert.equal(map.withNumbers, true);
  const written = map.canvas.getContext("2d").calls.filter(c => c[0] === "fillText")
    .map(c => c[1]);
  assert.deepEqual(written, ["0.5", "-0.25", "0.125"]);
  const plain = new Heatmap(array, new Float32Array(3), table, () => {}, 10, "after", false);
  assert.equal(plain.withNumbers, false);
  assert.equal(plain.element.querySelector("figcaption").textContent, "after");
  const bias = new Heatmap({name: "dL/db", shape: [3], rows: 1, cols: 3},
    new Float32Array([1, 2, 3]), table, text => assert.equal(text, "dL/db [2] = 3"), 10);
  setBox(bias.canvas, 0, 0, 30, 10);
  bias.canvas.dispatchEvent(pointer("pointermove", 25, 5));
});

test("a cell is as wide as its widest number and some room: no number overflows it", () => {
  const measure = text => 6 * text.length;  // (the fake canvas's: 6 pixels a character)
  assert.equal(numberCell(["0.5", "-1"], 10, measure), 3);  // (at least 3 em)
  assert.equal(numberCell(["-0.0804", "1.23e-5"], 10, measure), 4.2 + 0.8);
  const array = {name: "dL/dW", shape: [2, 3], rows: 2, cols: 3};
  const values = new Float32Array([-0.0804, 0.00487, 0.5, -1.23e-5, 0.25, 1]);
  const map = new Heatmap(array, values, table, () => {}, 10);
  const context = map.canvas.getContext("2d");
  const written = context.calls.filter(c => c[0] === "fillText").map(c => c[1]);
  assert.ok(written.includes("-0.0804") && written.includes("-1.23e-5"), written);
  const cell = parseFloat(map.canvas.style.width) / 3;
  for (const text of written) assert.ok(measure(text) + 8 <= cell, [text, cell]);
});

test("a heatmap with an empty caption has none; its cells at most `largest` em", () => {
  const array = {name: "1.bias before", shape: [3], rows: 1, cols: 3};
  const map = new Heatmap(array, new Float32Array([1, 2, 3]), table, () => {}, 10, "", false,
    1.1);
  assert.equal(map.element.querySelector("figcaption"), null);
  assert.equal(map.canvas.style.width, "33px");
});
