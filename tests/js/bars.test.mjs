// bars.js: a bar per node with a gradient norm, in the graph's order, and its value named
// under the pointer.
import assert from "node:assert/strict";
import {test} from "node:test";

import {installDom, pointer, setBox} from "./dom.mjs";
import {labTraits} from "./model.mjs";

installDom();
const {BarsView} = await import("../../labnet/lab/static/bars.js");

test("the nodes with a norm get a bar; the pointer names the one under it", () => {
  const bars = new BarsView(document.createElement("div"));
  bars.setSettings(labTraits().settings);
  bars.setGraph(labTraits().graph);
  bars.setNorms({1: 0.5, 3: null, 7: 0.05});
  assert.deepEqual(bars.bars(), ["1", "7"]);
  setBox(bars.canvas, 0, 0, 300, 100);
  bars.canvas.width = 300;
  bars.draw();
  bars.canvas.dispatchEvent(pointer("pointermove", 280, 50));
  assert.equal(bars.tip.textContent, "7: Linear 2: 0.05");
  assert.equal(bars.tip.hidden, false);
});

test("the caption names the tallest bar of the last norms, even when they came in a flurry", t => {
  t.mock.timers.enable({apis: ["setTimeout"]});
  const bars = new BarsView(document.createElement("div"));
  bars.setSettings(labTraits().settings);
  bars.setGraph(labTraits().graph);
  bars.setNorms({1: 0.253, 7: 0.05});
  assert.match(bars.caption.textContent, /the tallest 0\.253, 4 decades/);
  bars.setNorms({1: 0.5, 7: 0.05});  // (at once: the caption waits, the page lays out less)
  bars.setNorms({1: 0.031, 7: 0.002});  // (the last before a pause, another preset...)
  t.mock.timers.tick(1100);
  assert.match(bars.caption.textContent, /the tallest 0\.031,/);
  bars.setNorms({});  // a new network, not trained yet
  assert.equal(bars.caption.textContent, "‖dL/d output‖ now (after a step)");
  t.mock.timers.tick(1100);
  assert.equal(bars.caption.textContent, "‖dL/d output‖ now (after a step)");
});
