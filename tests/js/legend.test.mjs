// legend.js: a swatch per class over the plane (pressing one makes clicks add points of that
// class; pressing it again, nothing), × for removing points, and a regression's colour scale.
import assert from "node:assert/strict";
import {test} from "node:test";

import {installDom} from "./dom.mjs";
import {FakeModel, labTraits} from "./model.mjs";

installDom();
const {LegendView} = await import("../../labnet/lab/static/legend.js");
const {Channel} = await import("../../labnet/lab/static/protocol.js");

function legend(data = {}) {
  const model = new FakeModel();
  const view = new LegendView(new Channel(model));
  const settings = labTraits().settings;
  view.setSettings({...settings, data: {...settings.data, ...data}});
  view.setView(labTraits().view);
  return {model, view};
}

const buttons = view => view.element.querySelectorAll(".lab-pick");

test("a swatch per class, in its colour and with its number, + for a new class, and ×", () => {
  const {view} = legend({outputs: 3});
  const all = buttons(view);
  assert.deepEqual(all.map(b => b.textContent), ["0", "1", "2", "+", "×"]);
  assert.match(all[2].getAttribute("style"), /#009e73/);
  assert.match(all[2].getAttribute("title"), /class 2 \(green\)/);
  assert.match(all[3].getAttribute("title"), /new class, 3 \(pink\)/);
  assert.ok(all[3].classList.contains("lab-pick-new"));
  const eight = legend({outputs: 8}).view;  // as many classes as there are colours: no +
  assert.deepEqual(buttons(eight).map(b => b.textContent).slice(-2), ["7", "×"]);
});

test("pressing a swatch makes clicks add that class; pressing it again stops them", () => {
  const {view, model} = legend({outputs: 4});
  buttons(view)[3].click();
  assert.deepEqual(model.intents(), [["show", {click: "pink"}]]);
  view.setView({...labTraits().view, click: "pink"});
  assert.equal(buttons(view)[3].getAttribute("aria-pressed"), "true");
  assert.equal(buttons(view)[0].getAttribute("aria-pressed"), "false");
  buttons(view)[3].click();
  buttons(view)[5].click();
  assert.deepEqual(model.intents().slice(1), [["show", {click: "off"}],
    ["show", {click: "remove"}]]);
});

test("a regression shows its colour scale from -high to high, and ×", () => {
  const {view} = legend({task: "regression", outputs: 1, target_range: 1.2});
  const ends = view.element.querySelectorAll(".lab-scale-end").map(e => e.textContent);
  assert.deepEqual(ends, ["-1.2", "1.2"]);
  assert.deepEqual(buttons(view).map(b => b.textContent), ["×"]);
  assert.match(view.element.querySelector(".lab-scale-bar").getAttribute("style"),
    /linear-gradient/);
});
