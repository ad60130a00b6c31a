// walk.js: the walk under the graph: its bar (back, next, the scrubber over every step, a
// mini-batch or one point, close) and its keys are intents; the step in words, whether its
// update is made or only shown; the node at work's arrays as heatmaps and its equations.
import assert from "node:assert/strict";
import {test} from "node:test";

import {installDom, pointer, press, setBox} from "./dom.mjs";
import {FakeModel, labTraits, seedPlan, settle, walkTrait} from "./model.mjs";

installDom();
const {WalkView, inputWords, phaseBands, pointWords, stepAt, stepOf, stepWords, updateRows,
  updateWords} = await import("../../labnet/lab/static/walk.js");
const {Channel} = await import("../../labnet/lab/static/protocol.js");

function shown(trait = walkTrait()) {
  const model = new FakeModel();
  const channel = new Channel(model);
  model.on("msg:custom", content => channel.answer(content));  // (as app.js routes replies)
  const root = document.createElement("div");
  const view = new WalkView(channel, root);
  root.append(view.element);
  view.setSettings(labTraits().settings);
  view.setWalk(trait);
  return {model, root, view};
}

const maps = (index, arrays) => [{type: "walkmaps", index, arrays},
  arrays.map(a => new DataView(new Float32Array(a.rows * a.cols).fill(1).buffer))];

test("the plan in bands of one phase; the step under a point of the scrubber, in words", () => {
  assert.deepEqual(phaseBands(seedPlan()), [{phase: "forward", start: 0, stop: 8},
    {phase: "loss", start: 8, stop: 9}, {phase: "backward", start: 9, stop: 17},
    {phase: "update", start: 17, stop: 18}]);
  assert.equal(stepAt(0, 18), 0);
  assert.equal(stepAt(0.5, 18), 9);
  assert.equal(stepAt(1, 18), 17);
  assert.equal(stepAt(-0.2, 18), 0);
  assert.equal(stepWords(["backward", 5]), "backward · node 5");
  assert.equal(stepWords(["loss", null]), "loss");
});

test("a node clicked goes to its step in the pass the walk is in", async () => {
  const plan = seedPlan();
  assert.equal(stepOf(plan, 2, 5), 5);  // going forward: its forward step
  assert.equal(stepOf(plan, 8, 5), 11);  // at the loss, or going back: its backward step
  assert.equal(stepOf(plan, 17, "5"), 11);
  assert.equal(stepOf(plan, 3, 99), -1);
  const {view, model} = shown();
  view.nodeClicked(2);
  assert.deepEqual(model.intents(), [["walk_to", {index: 14}]]);  // (backward: 9 + 7 - 2)
});

test("the page says whether the update is made or shown only, and what is walked", () => {
  assert.equal(updateWords(walkTrait()), "its update is made: a training step");
  assert.match(updateWords(walkTrait({train: false, lr: 0.1})),
    /shown only: the weights stay \(lr 0.1\)/);
  assert.equal(pointWords(walkTrait()), "a mini-batch of 10 points");
  assert.equal(pointWords(walkTrait({sample: 7, batch: 1, point: {x1: 0.25, x2: -1.5,
    label: 1}})), "training point 7 alone at (0.250, -1.50), class 1");
});

test("one point with standardised inputs: the page says the point as given and as the network "
  + "sees it, with the mean and std", () => {
  const scaling = {x: [0.894, 0.86], scaled: [1.4022, 1.2694], mean: [0.0023, -0.0061],
    std: [0.636, 0.6823]};
  const point = {x1: 0.894, x2: 0.86, label: 1};
  assert.equal(inputWords(walkTrait({sample: 547, batch: 1, point, scaling})),
    "x = (0.894, 0.86), standardised: (1.402, 1.269) = (x − mean) / std, "
    + "mean (0.0023, -0.0061), std (0.636, 0.6823)");
  assert.equal(inputWords(walkTrait({sample: 547, batch: 1, point, scaling: null})), "");
  assert.equal(inputWords(walkTrait({scaling})), "");  // a mini-batch: its text says it
  const {view} = shown({});
  view.setWalk(walkTrait({sample: 547, batch: 1, point, scaling}));
  assert.equal(view.input.hidden, false);
  assert.match(view.input.textContent, /^x = \(0.894, 0.86\), standardised: \(1.402, 1.269\)/);
  view.setWalk(walkTrait());
  assert.equal(view.input.hidden, true);
});

test("no walk: nothing shown; a walk: its step, its place on the scrubber, its state", () => {
  const {view, root} = shown({});
  assert.equal(view.element.hidden, true);
  assert.equal(root.classList.contains("lab-walking"), false);
  view.setWalk(walkTrait());
  assert.equal(view.element.hidden, false);
  assert.ok(root.classList.contains("lab-walking"));
  assert.ok(!root.classList.contains("lab-walking-point"));
  assert.match(view.title.textContent, /^13\/18 · backward · node 5 · Linear\(25 → 25\)/);
  assert.equal(view.update.textContent, "its update is made: a training step");
  assert.equal(view.thumb.style.left, `${100 * 12 / 18}%`);
  assert.equal(view.bands.children.length, 4);
  assert.equal(view.scrubber.getAttribute("aria-valuenow"), "12");
  assert.equal(view.formulas.querySelectorAll(".lab-formula").length, 1);
  assert.equal(view.batchButton.getAttribute("aria-pressed"), "true");
  view.setWalk(walkTrait({sample: 3, train: false}));
  assert.ok(root.classList.contains("lab-walking-point"));
  assert.ok(view.update.classList.contains("lab-shown-only"));
  assert.equal(view.pointButton.getAttribute("aria-pressed"), "true");
  view.setWalk({});
  assert.equal(view.element.hidden, true);
  assert.equal(root.classList.contains("lab-walking"), false);
});

test("the buttons and the keys are intents; keys typed in a box are the box's", () => {
  const {view, model, root} = shown(walkTrait({sample: 3}));
  root.addEventListener("keydown", event => view.keyed(event));  // (as app.js does)
  view.nextButton.click();
  view.backButton.click();
  view.batchButton.click();
  view.pointButton.click();  // the last point walked
  view.closeButton.click();
  for (const key of ["ArrowRight", "ArrowLeft", "Home", "End", "Escape", "a"]) {
    press(view.element, key);
  }
  const box = document.createElement("input");
  root.append(box);
  press(box, "ArrowRight");  // (moves the box's caret)
  press(view.element, "ArrowRight", {ctrlKey: true});
  assert.deepEqual(model.intents(), [["walk_next", {}], ["walk_back", {}], ["start_walk", {}],
    ["start_walk", {sample: 3}], ["end_walk", {}], ["walk_next", {}], ["walk_back", {}],
    ["walk_to", {index: 0}], ["walk_to", {index: 17}], ["end_walk", {}]]);
});

test("the keys reach the walk from anywhere in the lab", () => {
  const {view, model, root} = shown();
  root.addEventListener("keydown", event => view.keyed(event));
  const event = press(root, "ArrowRight");
  assert.ok(event.defaultPrevented);
  assert.deepEqual(model.intents(), [["walk_next", {}]]);
  view.setWalk({});
  press(root, "ArrowRight");  // no walk: the key is not the walk's
  assert.equal(model.intents().length, 1);
});

test("the scrubber goes to the step under the pointer, one walk_to at a time", async () => {
  const {view, model} = shown();
  setBox(view.scrubber, 100, 0, 180, 20);  // 18 steps, 10 pixels each
  view.scrubber.dispatchEvent(pointer("pointerdown", 105, 10));
  assert.deepEqual(model.intents(), [["walk_to", {index: 0}]]);
  window.dispatchEvent(pointer("pointermove", 135, 10, {buttons: 1}));  // step 3: waits
  window.dispatchEvent(pointer("pointermove", 155, 10, {buttons: 1}));  // step 5: waits
  assert.equal(model.intents().length, 1);
  view.setWalk(walkTrait({index: 0}));
  model.reply();
  await settle();
  assert.deepEqual(model.intents().at(-1), ["walk_to", {index: 5}]);  // the last asked for
  window.dispatchEvent(pointer("pointerup", 155, 10));
  view.scrubber.dispatchEvent(pointer("pointermove", 175, 10));
  assert.equal(view.scrubber.title, "step 8: forward · node 7");
});

test("the step's arrays are heatmaps, once its maps come; the update's by parameter", () => {
  const {view} = shown();
  const arrays = [{role: "received", name: "dL/d(output)", shape: [10, 25], rows: 10, cols: 25},
    {role: "passed", name: "dL/d(input) to node 4", shape: [10, 25], rows: 10, cols: 25},
    {role: "passed", name: "dL/d(weight)", shape: [25, 25], rows: 16, cols: 25}];
  view.walkMaps(...maps(11, arrays));  // an older step's: not drawn
  assert.equal(view.received.children.length, 0);
  view.walkMaps(...maps(12, arrays));
  assert.deepEqual(view.received.querySelectorAll(".lab-heatmap").map(f => f.dataset.array),
    ["dL/d(output)"]);
  assert.deepEqual(view.passed.querySelectorAll(".lab-heatmap").map(f => f.dataset.array),
    ["dL/d(input) to node 4", "dL/d(weight)"]);
  const update = ["before", "step", "after"].map(part => ({role: part === "before"
    ? "received" : "passed", name: `1.weight ${part}`, shape: [2, 3], rows: 2, cols: 3}));
  assert.deepEqual(updateRows(update).map(([name, ...parts]) => [name,
    ...parts.map(p => p.name)]), [["1.weight", "1.weight before", "1.weight step",
    "1.weight after"]]);
  view.setWalk(walkTrait({index: 17, done: true, step: {index: 17, phase: "update",
    node: null, module: "update", flows: [], formulas: []}}));
  view.walkMaps(...maps(17, update));
  assert.equal(view.flow.hidden, true);
  const row = view.updates.querySelector("[data-parameter]");
  assert.equal(row.dataset.parameter, "1.weight");
  assert.equal(row.querySelectorAll(".lab-heatmap").length, 3);
  assert.equal(row.querySelectorAll("figcaption").length, 0);  // (said once, over the rows:)
  assert.deepEqual(view.updates.querySelectorAll(".lab-walk-update-head").map(
    c => c.textContent), ["before", "step", "after"]);
  assert.equal(view.nextButton.disabled, true);
});
