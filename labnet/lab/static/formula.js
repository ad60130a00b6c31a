// A step's equations written out with its numbers: `dL/dx = dL/dy · Wᵀ`, then the matrices
// themselves side by side (the kernel sends each cut to a corner: a tiny network's whole, a
// big layer's first rows and columns, with a note saying what was left out). The pointer on a
// number of the result shows the numbers it is made from: a row and a column for a product,
// the same place for an element-wise operation.

import {h} from "./util.js";

/**
 * How each operation (labnet/chainrule.py OPERATIONS) is written: strings, and the numbers of
 * the operands that go between them.
 */
export const LAYOUTS = {
  affine: [0, " · ", 1, " + ", 2],
  matmul: [0, " · ", 1],
  sum_rows: ["Σ over the rows of ", 0],
  multiply: [0, " ⊙ ", 1],
  copy: [0],
  tanh: ["tanh(", 0, ")"],
  sigmoid: ["σ(", 0, ")"],
  relu: ["max(", 0, ", 0)"],
  leaky_relu: ["leaky ReLU(", 0, ")"],
  mse: ["mean((", 0, " − ", 1, ")²)"],
  mse_grad: ["2 (", 0, " − ", 1, ") / N"],
  softmax: ["softmax(", 0, ")"],
  cross_entropy: ["−Σ ", 1, " ⊙ log(", 0, ") / B"],
  cross_entropy_grad: ["(", 0, " − ", 1, ") / B"],
  sgd: [0, " − lr · ", 1],
};
const ELEMENTWISE = new Set(["multiply", "copy", "add", "tanh", "sigmoid", "relu", "leaky_relu",
  "mse_grad", "cross_entropy_grad", "sgd"]);

/** How an operation of `count` operands is written (`add`: a + b + ...; unknown: f(a, b)). */
export function layout(operation, count) {
  if (LAYOUTS[operation]) return LAYOUTS[operation];
  const joined = Array.from({length: count}, (_, i) => i).flatMap(i => (i ? [" + ", i] : [i]));
  return operation === "add" ? joined : [`${operation}(`, ...joined.map(
    part => (part === " + " ? ", " : part)), ")"];
}

/** A number as the formulas write it: four significant digits, as Python's "{:.4g}". */
export function figure(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  if (value === 0) return "0";
  const exponent = Math.floor(Math.log10(Math.abs(Number(value.toPrecision(4)))));
  if (exponent < -4 || exponent >= 4) {
    const [mantissa, power] = value.toExponential(3).split("e");
    const sign = power.startsWith("-") ? "-" : "+";
    const digits = power.replace(/^[+-]/, "").padStart(2, "0");
    return `${String(Number(mantissa))}e${sign}${digits}`;
  }
  return String(Number(value.toPrecision(4)));
}

/**
 * The cells of the operands a cell [i, j] of the result is made from, as [operand, row, col]
 * (row or col null: all of them), for the numbers shown.
 */
export function sources(operation, count, i, j) {
  if (operation === "matmul") return [[0, i, null], [1, null, j]];
  if (operation === "affine") return [[0, i, null], [1, null, j], [2, 0, j]];
  if (operation === "sum_rows") return [[0, null, j]];
  if (operation === "softmax") return [[0, i, null]];
  if (operation === "mse" || operation === "cross_entropy") {
    return Array.from({length: count}, (_, k) => [k, null, null]);
  }
  if (ELEMENTWISE.has(operation)) return Array.from({length: count}, (_, k) => [k, i, j]);
  return [];
}

/**
 * One term: its symbol and shape over its numbers, as a matrix in brackets; ⋮ and … where
 * rows or columns were left out.
 * @param {{symbol: string, shape: number[], values: number[][], rows: number[],
 *   cols: number[]}} term
 */
export function matrix(term, index) {
  const shape = term.shape;
  const [allRows, allCols] = shape.length === 0 ? [1, 1] : shape.length === 1 ? [1, shape[0]]
    : [shape[0], shape[1]];
  const moreRows = term.rows[1] < allRows;
  const moreCols = term.cols[1] < allCols;
  const rows = term.values.map((row, i) => h("tr", {},
    ...row.map((value, j) => h("td", {"data-term": index, "data-row": i, "data-col": j,
      title: value === null ? "not a finite number" : String(value)}, figure(value))),
    moreCols ? h("td", {class: "lab-more"}, "…") : null));
  if (moreRows) rows.push(h("tr", {}, ...term.values[0].map(() => h("td", {class: "lab-more"},
    "⋮")), moreCols ? h("td", {class: "lab-more"}) : null));
  const size = shape.length ? shape.join("×") : "";
  return h("span", {class: "lab-term"},
    h("span", {class: "lab-term-symbol"}, term.symbol, size ? h("small", {}, ` ${size}`) : null),
    h("table", {class: "lab-matrix"}, h("tbody", {}, ...rows)));
}

/**
 * A formula of a step (a `formula_json`): its equation, its terms with their numbers, and
 * what was left out; the pointer on a number of the result lights up where it comes from.
 */
export function formulaElement(formula) {
  const {result, operands, operation} = formula;
  const parts = [matrix(result, "r"), h("span", {class: "lab-sign"}, "=")];
  for (const part of layout(operation, operands.length)) {
    parts.push(typeof part === "number" ? (operands[part] ? matrix(operands[part], part) : null)
      : h("span", {class: "lab-sign"}, part.trim() || part));
  }
  const constants = Object.entries(formula.constants || {})
    .map(([name, value]) => `${name} = ${figure(value)}`).join(", ");
  const head = `${formula.label ? `${formula.label}: ` : ""}${formula.text}`
    + (constants ? `   (${constants})` : "");
  const body = h("div", {class: "lab-formula-body"}, ...parts);
  const element = h("div", {class: "lab-formula", "data-operation": operation},
    h("div", {class: "lab-formula-head"}, head), body,
    formula.note ? h("div", {class: "lab-formula-note"}, `(${formula.note})`) : null);
  body.addEventListener("pointerover", event => light(body, operation, operands.length,
    event.target.closest && event.target.closest('td[data-term="r"]')));
  body.addEventListener("pointerleave", () => light(body, operation, operands.length, null));
  return element;
}

/** Light up the numbers the result's cell `cell` is made from (null: none). */
function light(body, operation, count, cell) {
  for (const lit of body.querySelectorAll(".lab-lit")) lit.classList.remove("lab-lit");
  if (!cell) return;
  cell.classList.add("lab-lit");
  const [i, j] = [Number(cell.dataset.row), Number(cell.dataset.col)];
  for (const [term, row, col] of sources(operation, count, i, j)) {
    for (const td of body.querySelectorAll(`td[data-term="${term}"]`)) {
      const matches = (row === null || Number(td.dataset.row) === row)
        && (col === null || Number(td.dataset.col) === col);
      if (matches) td.classList.add("lab-lit");
    }
  }
}
