// inside.js: the Inside tab launches the walk on the graph (a mini-batch, or one point) and
// says whether one is under way.
import assert from "node:assert/strict";
import {test} from "node:test";

import {installDom} from "./dom.mjs";
import {FakeModel, walkTrait} from "./model.mjs";

installDom();
const {InsideView} = await import("../../labnet/lab/static/inside.js");
const {Channel} = await import("../../labnet/lab/static/protocol.js");

test("its buttons start a walk: the next mini-batch, or the first training point alone", () => {
  const model = new FakeModel();
  const inside = new InsideView(new Channel(model));
  inside.start.click();
  inside.point.click();
  assert.deepEqual(model.intents(), [["start_walk", {}], ["start_walk", {sample: 0}]]);
});

test("it says whether a walk is under way, and where", () => {
  const inside = new InsideView(new Channel(new FakeModel()));
  assert.equal(inside.state.textContent, "No walk under way.");
  inside.setWalk(walkTrait());
  assert.match(inside.state.textContent, /step 13 of 18/);
});
