// curves.js: the series grow from the parts the kernel sends, start over on a reset, and the
// charts draw them on log axes, one line per node for the gradient norms.
import assert from "node:assert/strict";
import {test} from "node:test";

import {installDom} from "./dom.mjs";
import {labTraits} from "./model.mjs";

installDom();
const {CurvesView, Series} = await import("../../labnet/lab/static/curves.js");

const part = values => new DataView(new Float64Array(values).buffer);

test("each part of a Curves message replaces its series from its start on", () => {
  const series = new Series();
  series.update({reset: false, steps: 3, series: [{name: "step", start: 0, length: 3},
    {name: "loss", start: 0, length: 3}]}, [part([1, 2, 3]), part([0.9, 0.5, 0.4])]);
  series.update({reset: false, steps: 4, series: [{name: "loss", start: 2, length: 2}]},
    [part([0.3, 0.2])]);
  assert.deepEqual([...series.get("loss")], [0.9, 0.5, 0.3, 0.2]);
  assert.deepEqual([...series.get("step")], [1, 2, 3]);
  assert.deepEqual([...series.get("nothing")], []);
  assert.equal(series.steps, 4);
});

test("a series grows past its room, and a reset starts every series over", () => {
  const series = new Series();
  const many = Array.from({length: 300}, (_, i) => i);
  series.update({series: [{name: "loss", start: 0, length: 100}]}, [part(many.slice(0, 100))]);
  series.update({series: [{name: "loss", start: 100, length: 200}]}, [part(many.slice(100))]);
  assert.deepEqual([...series.get("loss")], many);
  series.update({reset: true, series: [{name: "grad:3", start: 0, length: 1}]}, [part([2])]);
  assert.deepEqual([...series.get("loss")], []);
  assert.deepEqual(series.nodes(), ["3"]);
});

test("the gradient chart has a line per node, named as the graph names it", () => {
  const root = document.createElement("div");
  const curves = new CurvesView(root);
  curves.setGraph(labTraits().graph);
  curves.update({reset: true, steps: 2, series: [{name: "step", start: 0, length: 2},
    {name: "grad:1", start: 0, length: 2}, {name: "grad:7", start: 0, length: 2}]},
  [part([1, 2]), part([0.5, 0.25]), part([1, 2])]);
  const legend = curves.gradients.legend.children.map(item => item.textContent);
  assert.deepEqual(legend, ["1 Linear 25", "7 Linear 2"]);
  curves.setView({...labTraits().view, hidden: ["errors"]});
  assert.equal(curves.errorsCover.hidden, false);
});

test("a regression's second chart shows the loss each epoch, having no error rate", () => {
  const curves = new CurvesView(document.createElement("div"));
  curves.update({reset: true, steps: 2, task: "regression", series: [
    {name: "epoch", start: 0, length: 1}, {name: "epoch_loss", start: 0, length: 1}]},
  [part([2]), part([0.3])]);
  assert.equal(curves.errors.caption.textContent, "loss each epoch");
  assert.deepEqual(curves.errors.lines.map(line => line.y), ["epoch_loss", "test_loss"]);
  curves.update({reset: true, steps: 1, task: "classification", series: []}, []);
  assert.equal(curves.errors.caption.textContent, "error rate");
  assert.deepEqual(curves.errors.lines.map(line => line.y), ["train_error", "test_error"]);
});


test("an error rate of 0 % is drawn on a row of its own labelled 0, never joined across as a "
  + "slope; a value it cannot draw breaks the line", () => {
  const curves = new CurvesView(document.createElement("div"));
  curves.errors.canvas.labnetSize = [400, 200];
  curves.update({reset: true, steps: 6, series: [{name: "epoch", start: 0, length: 6},
    {name: "train_error", start: 0, length: 6}]},
  [part([1, 2, 3, 4, 5, 6]), part([0.002, 0, 0, 0, 0.5, 0.1])]);
  const chart = curves.errors;
  const calls = chart.canvas.getContext().calls;
  const zeroRow = chart.toY(0);
  assert.ok(zeroRow > chart.toY(chart.view.low) && zeroRow < chart.view.bottom + 1);
  assert.ok(calls.some(c => c[0] === "fillText" && c[1] === "0" && c[3] === zeroRow));
  const line = calls.slice(calls.findLastIndex(c => c[0] === "beginPath"))
    .filter(c => c[0] === "moveTo" || c[0] === "lineTo");
  assert.deepEqual(line.map(c => c[0]), ["moveTo", "lineTo", "lineTo", "lineTo", "lineTo",
    "lineTo"]);
  assert.deepEqual(line.slice(1, 4).map(c => c[2]), [zeroRow, zeroRow, zeroRow]);
  // a diverged loss (infinite, then not a number) between two values: two pieces
  curves.update({reset: true, steps: 4, series: [{name: "epoch", start: 0, length: 4},
    {name: "train_error", start: 0, length: 4}]},
  [part([1, 2, 3, 4]), part([0.1, Infinity, NaN, 0.2])]);
  const after = calls.slice(calls.findLastIndex(c => c[0] === "beginPath"))
    .filter(c => c[0] === "moveTo" || c[0] === "lineTo");
  assert.deepEqual(after.map(c => c[0]), ["moveTo", "moveTo"]);
});
