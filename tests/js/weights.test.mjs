// weights.js: the card of the weights an edge carries: asked for once the pointer stays on an
// edge, a cell a weight (and the bias), each named under the pointer; a click edits one
// (set_weight); the card goes once the pointer has left it and the edge.
import assert from "node:assert/strict";
import {afterEach, beforeEach, mock, test} from "node:test";

import {Event, installDom, press} from "./dom.mjs";
import {FakeModel, labTraits, settle} from "./model.mjs";

installDom();
const {WeightsView} = await import("../../labnet/lab/static/weights.js");
const {Channel} = await import("../../labnet/lab/static/protocol.js");

const INFO = {src: 2, dst: 3, node: 3, name: "weight", shape: [25, 25], rows: 2, cols: 3,
  values: [[0.5, -1, null], [0, 2, -2]], bias: [0.1, 0, -0.1], low: -2, high: 2, norm: 3.2,
  text: "node 3's weight: the first 2 of 25 inputs × the first 3 of 25 units"};

let model, view, edited;
afterEach(() => mock.timers.reset());
beforeEach(() => {
  mock.timers.enable({apis: ["setTimeout"]});
  model = new FakeModel(labTraits());
  edited = 0;
  const channel = new Channel(model);
  model.on("msg:custom", content => channel.answer(content));  // (as app.js hands replies)
  view = new WeightsView(channel, () => { edited += 1; });
  view.setColours(["#f59322", "#ffffff", "#0877bd"]);
  document.body.replaceChildren(view.element);
});

async function shown() {
  view.enter([2, 3], [40, 30]);
  mock.timers.tick(200);
  assert.deepEqual(model.lastIntent().action, "edge_weights");
  model.reply(true, undefined, {value: INFO});
  await settle();
}

const cell = (name, index) => {
  const [row, col] = name === "bias" ? [null, index] : index.split(",");
  return view.element.querySelector(`.lab-weight-cell[data-name="${name}"]`
    + `${row === null ? "" : `[data-row="${row}"]`}[data-col="${col}"]`);
};

test("the weights are asked for only once the pointer stays on the edge", async () => {
  view.enter([2, 3], [40, 30]);
  mock.timers.tick(50);
  view.leave();
  mock.timers.tick(1000);
  assert.deepEqual(model.intents(), []);  // (a pointer passing over asks nothing)
  await shown();
  assert.deepEqual(model.intents(), [["edge_weights", {src: 2, dst: 3}]]);
  assert.equal(view.element.hidden, false);
  assert.match(view.title.textContent, /2 → 3: node 3's weight: the first 2 of 25 inputs/);
});

test("a cell a weight and a bias, coloured by sign, each named under the pointer", async () => {
  await shown();
  assert.equal(view.element.querySelectorAll(".lab-weight-cell").length, 2 * 3 + 3);
  // 0.5 of 2: a quarter of the way to blue; -2: orange; not a number: no colour
  assert.equal(cell("weight", "0,0").style.background, "rgb(194,221,239)");
  assert.equal(cell("weight", "1,2").style.background, "rgb(245,147,34)");
  assert.equal(cell("weight", "0,2").style.background, "");
  const over = new Event("pointerover");
  cell("weight", "1,1").dispatchEvent(over);
  assert.equal(view.value.textContent, "weight[1, 1] = 2: unit 1 of node 2 → unit 1 of node 3");
  cell("bias", "2").dispatchEvent(new Event("pointerover"));
  assert.match(view.value.textContent, /^bias\[2\] = -0\.1: added to unit 2 of node 3/);
});

test("a click on a weight edits it: Enter sets it, and the weights are asked again", async () => {
  await shown();
  cell("weight", "1,2").click();
  const input = view.element.querySelector(".lab-weight-editor");
  assert.equal(input.value, "-2");
  input.value = "0.75";
  press(input, "Enter");
  assert.deepEqual(model.lastIntent().args, {node: 3, name: "weight", index: [1, 2],
    value: 0.75});
  model.reply(true);
  await settle();
  assert.equal(edited, 1);
  assert.match(view.value.textContent, /weight\[1, 2\] set: Ctrl\+Z on the graph undoes it/);
  assert.equal(model.lastIntent().action, "edge_weights");
});

test("a refused value says why on the card; Escape and an empty box set nothing", async () => {
  await shown();
  cell("bias", "0").click();
  const input = view.element.querySelector(".lab-weight-editor");
  input.value = "5000";
  press(input, "Enter");
  model.reply(false, "node 3's bias[0]: a weight set by hand is a finite number from -1000");
  await settle();
  assert.match(view.value.textContent, /from -1000/);
  assert.ok(view.value.classList.contains("lab-error"));
  const count = model.intents().length;
  cell("bias", "1").click();
  press(view.element.querySelector(".lab-weight-editor"), "Escape");
  cell("bias", "1").click();
  const empty = view.element.querySelector(".lab-weight-editor");
  empty.value = "";
  press(empty, "Enter");
  assert.equal(model.intents().length, count);
});

test("the card stays while the pointer is on it, and goes once it leaves", async () => {
  await shown();
  view.leave();  // off the edge...
  mock.timers.tick(100);
  view.element.dispatchEvent(new Event("pointerenter"));  // ...onto the card
  mock.timers.tick(1000);
  assert.equal(view.element.hidden, false);
  view.element.dispatchEvent(new Event("pointerleave"));
  mock.timers.tick(1000);
  assert.equal(view.element.hidden, true);
  assert.equal(view.edge, null);
});

test("new weights are asked for again while the card shows, twice a second at most",
  async () => {
    await shown();
    const first = cell("weight", "1,1");
    const asks = () => model.intents().filter(([action]) => action === "edge_weights").length;
    for (let i = 0; i < 10; i++) view.changed();  // ten frames of thumbnails
    mock.timers.tick(600);
    assert.equal(asks(), 2);
    model.reply(true, undefined, {value: {...INFO, values: [[1, 1, 1], [1, -1, 1]], low: -1,
      high: 1}});
    await settle();
    assert.equal(cell("weight", "1,1"), first);  // the same cells, new colours
    assert.equal(first.style.background, "rgb(245,147,34)");
    view.hide();
    view.changed();
    mock.timers.tick(600);
    assert.equal(asks(), 2);
  });

test("an edge without weights says why, with no cells", async () => {
  view.enter([1, 2], [0, 0]);
  mock.timers.tick(200);
  model.reply(true, undefined, {value: {src: 1, dst: 2,
    text: "ReLU has no weights: the edge hands it node 1's output as it is"}});
  await settle();
  assert.equal(view.element.querySelectorAll(".lab-weight-cell").length, 0);
  assert.match(view.title.textContent, /ReLU has no weights/);
});
