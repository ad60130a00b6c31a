// formula.js: a step's equation with its numbers, as Python writes them, cut parts marked, and
// the numbers a result's number is made from lit under the pointer.
import assert from "node:assert/strict";
import {test} from "node:test";

import {Event, installDom} from "./dom.mjs";
import {walkTrait} from "./model.mjs";

installDom();
const {figure, formulaElement, layout, matrix, sources} =
  await import("../../labnet/lab/static/formula.js");

test("numbers have four significant digits, as Python's {:.4g}", () => {
  const cases = [[0.1234567, "0.1235"], [-2, "-2"], [0, "0"], [1e-5, "1e-05"],
    [-0.00012345, "-0.0001234"], [123456, "1.235e+05"], [9999.9, "1e+04"], [2.5e-7, "2.5e-07"],
    [null, "nan"], [Infinity, "inf"], [-Infinity, "-inf"]];
  for (const [value, text] of cases) assert.equal(figure(value), text, String(value));
});

test("each operation has its way of writing", () => {
  assert.deepEqual(layout("matmul", 2), [0, " · ", 1]);
  assert.deepEqual(layout("add", 3), [0, " + ", 1, " + ", 2]);
  assert.deepEqual(layout("swish", 2), ["swish(", 0, ", ", 1, ")"]);
});

test("a result's number is made from a row and a column (a product), or its own place", () => {
  assert.deepEqual(sources("matmul", 2, 1, 2), [[0, 1, null], [1, null, 2]]);
  assert.deepEqual(sources("affine", 3, 0, 4), [[0, 0, null], [1, null, 4], [2, 0, 4]]);
  assert.deepEqual(sources("multiply", 2, 1, 1), [[0, 1, 1], [1, 1, 1]]);
  assert.deepEqual(sources("sum_rows", 1, 0, 3), [[0, null, 3]]);
  assert.deepEqual(sources("mse", 2, 0, 0), [[0, null, null], [1, null, null]]);
  assert.deepEqual(sources("unknown", 1, 0, 0), []);
});

test("a term cut to a corner says so with ⋮ and …", () => {
  const term = {symbol: "Wᵀ", shape: [25, 25], values: [[1, 2], [3, 4]], rows: [0, 2],
    cols: [0, 2]};
  const element = matrix(term, 1);
  assert.match(element.textContent, /^Wᵀ 25×25/);
  assert.equal(element.querySelectorAll("td.lab-more").length, 2 + 3);  // … a row, a row of ⋮
  const whole = matrix({symbol: "b", shape: [2], values: [[1, 2]], rows: [0, 1], cols: [0, 2]},
    2);
  assert.equal(whole.querySelectorAll("td.lab-more").length, 0);
});

test("a formula: its equation, its terms in order with their signs, its note", () => {
  const formula = walkTrait().step.formulas[0];
  const element = formulaElement(formula);
  assert.equal(element.querySelector(".lab-formula-head").textContent, "dL/dx = dL/dy · Wᵀ");
  const body = element.querySelector(".lab-formula-body");
  assert.deepEqual(body.children.map(c => c.className), ["lab-term", "lab-sign", "lab-term",
    "lab-sign", "lab-term"]);
  assert.deepEqual(body.querySelectorAll(".lab-sign").map(s => s.textContent), ["=", "·"]);
  assert.match(element.querySelector(".lab-formula-note").textContent, /a slice/);
  const sgd = formulaElement({...formula, operation: "sgd", label: "1.weight",
    text: "W ← W − lr · dL/dW", constants: {lr: 0.1}, note: ""});
  assert.equal(sgd.querySelector(".lab-formula-head").textContent,
    "1.weight: W ← W − lr · dL/dW   (lr = 0.1)");
  assert.equal(sgd.querySelector(".lab-formula-note"), null);
});

test("the pointer on a result's number lights the row and the column it is made from", () => {
  const element = formulaElement(walkTrait().step.formulas[0]);
  const body = element.querySelector(".lab-formula-body");
  const cell = body.querySelector('td[data-term="r"][data-row="1"][data-col="0"]');
  const over = new Event("pointerover");
  cell.dispatchEvent(over);
  const lit = body.querySelectorAll(".lab-lit").map(td => `${td.dataset.term}:`
    + `${td.dataset.row},${td.dataset.col}`);
  assert.deepEqual(lit.sort(), ["0:1,0", "0:1,1", "1:0,0", "1:1,0", "r:1,0"]);
  body.dispatchEvent(new Event("pointerleave", {bubbles: false}));
  assert.equal(body.querySelectorAll(".lab-lit").length, 0);
});
