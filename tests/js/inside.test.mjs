// inside.js: the walk through one mini-batch, its buttons intents, its steps in words,
// numbers and heatmaps.
import assert from "node:assert/strict";
import {test} from "node:test";

import {installDom} from "./dom.mjs";
import {FakeModel, labTraits} from "./model.mjs";

installDom();
const {InsideView} = await import("../../labnet/lab/static/inside.js");
const {Channel} = await import("../../labnet/lab/static/protocol.js");

test("the walk's buttons are intents, usable only when they can do something", () => {
  const model = new FakeModel();
  const inside = new InsideView(new Channel(model));
  assert.deepEqual([inside.back, inside.next, inside.finish].map(b => b.disabled),
    [true, true, true]);
  inside.start.click();
  inside.setWalk({index: 0, total: 18, phase: "forward", node: 1, module: "Linear",
    text: "Linear 25 multiplies its input by its weights", done: false, at_start: true,
    stats: [{name: "x", shape: [10, 2], mean: 0.1, std: 1, min: -2, max: 2}]});
  assert.deepEqual([inside.back, inside.next, inside.finish].map(b => b.disabled),
    [true, false, false]);
  inside.next.click();
  inside.finish.click();
  assert.deepEqual(model.intents().map(([action]) => action),
    ["start_walk", "walk_next", "finish_walk"]);
  assert.match(inside.text.textContent, /^1\/18 · forward · node 1 · Linear/);
  assert.match(inside.text.textContent, /\(10, 2\)/);
});

test("the walk's arrays are heatmaps, white at 0", () => {
  const inside = new InsideView(new Channel(new FakeModel()));
  inside.setSettings(labTraits().settings);
  inside.walkMaps({arrays: [{name: "dL/dx", rows: 1, cols: 3}]},
    [new DataView(new Float32Array([-2, 0, 2]).buffer)]);
  const canvas = inside.maps.querySelector("canvas");
  assert.equal(canvas.title, "largest magnitude 2");
  assert.equal(inside.maps.querySelector("figcaption").textContent, "dL/dx");
});
