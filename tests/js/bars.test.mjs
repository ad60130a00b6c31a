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
