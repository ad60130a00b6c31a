// palette.js: the modules to drag and a whole layer, the width of a new Linear, and the tools'
// intents (Undo, Redo, Tidy, a preset, what edges show), the graph fit after Tidy or a preset.
import assert from "node:assert/strict";
import {test} from "node:test";

import {change, installDom} from "./dom.mjs";
import {labTraits} from "./model.mjs";

installDom();
const {Palette} = await import("../../labnet/lab/static/palette.js");

function palette() {
  const host = {sent: [], fits: 0, zooms: []};
  Object.assign(host, {send: (action, args = {}) => host.sent.push([action, args]),
    fitAfter: () => { host.fits += 1; }, zoomBy: factor => host.zooms.push(factor)});
  const shown = new Palette(host);
  shown.setChoices(labTraits().settings.choices);
  return {host, shown};
}

test("every module of the lab's palette, a layer, and the width of a new Linear", () => {
  const {shown} = palette();
  assert.deepEqual(shown.items.querySelectorAll("[data-kind]").map(b => b.dataset.kind),
    ["Linear", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "Sum", "Concat"]);
  assert.ok(shown.items.querySelector("[data-layer]"));
  shown.width.value = "8";
  assert.deepEqual(shown.newParams("Linear"), {width: 8});
  assert.deepEqual(shown.newParams("Tanh"), {});
  shown.width.value = "";
  assert.equal(shown.newWidth(), 25);
});

test("the tools' intents; Tidy and a preset fit the graph that comes back", () => {
  const {host, shown} = palette();
  shown.setGraph({...labTraits().graph, can_undo: true, can_redo: false});
  assert.deepEqual([shown.undoButton.disabled, shown.redoButton.disabled], [false, true]);
  shown.undoButton.click();
  shown.tools.querySelector(".lab-tidy").click();
  change(shown.preset, "figure1");
  change(shown.edgeMode, "weights");
  shown.tools.querySelector(".lab-zoom-in").click();
  shown.tools.querySelector(".lab-zoom-fit").click();
  assert.deepEqual(host.sent, [["undo", {}], ["tidy", {}], ["load_preset", {name: "figure1"}],
    ["show", {edges: "weights"}]]);
  assert.equal(host.fits, 2);
  assert.deepEqual(host.zooms, [1.25, 0]);
  assert.equal(shown.preset.value, "");  // (ready for the next pick)
});
