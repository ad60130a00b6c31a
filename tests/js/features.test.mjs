// features.js: the input's features on a card, a button each, pressed when the network sees
// it; a press is toggle_feature, and a refusal is said on the card.
import assert from "node:assert/strict";
import {test} from "node:test";

import {installDom} from "./dom.mjs";
import {FakeModel, labTraits, settle} from "./model.mjs";

installDom();
const {FeaturesView} = await import("../../labnet/lab/static/features.js");
const {Channel} = await import("../../labnet/lab/static/protocol.js");

function card() {
  const model = new FakeModel();
  const channel = new Channel(model);
  const view = new FeaturesView(channel);
  view.setChoices(labTraits().settings.choices.features);
  view.show(["x1", "x2"]);
  return {model, channel, view};
}

const button = (view, name) => view.element.querySelector(`[data-feature="${name}"]`);

test("a button a feature, as Playground names them, pressed when the input gives it", () => {
  const {view} = card();
  const all = view.element.querySelectorAll(".lab-feature");
  assert.deepEqual(all.map(b => b.textContent), ["x₁", "x₂", "x₁²", "x₂²", "x₁x₂", "sin x₁",
    "sin x₂"]);
  assert.deepEqual(all.map(b => b.getAttribute("aria-pressed")), ["true", "true", "false",
    "false", "false", "false", "false"]);
  assert.match(button(view, "sin(x1)").getAttribute("title"), /sin\(5·x₁\)/);
  view.show(["x1", "sin(x1)"]);
  assert.equal(button(view, "x2").getAttribute("aria-pressed"), "false");
  assert.equal(button(view, "sin(x1)").getAttribute("aria-pressed"), "true");
});

test("a press toggles the feature; a refusal is said on the card", async () => {
  const {view, model, channel} = card();
  button(view, "x1^2").click();
  assert.deepEqual(model.intents(), [["toggle_feature", {name: "x1^2"}]]);
  channel.answer({id: model.lastIntent().id, ok: false, error: "x1 is the input's last feature"});
  await settle();
  const note = view.element.querySelector(".lab-features-note");
  assert.equal(note.hidden, false);
  assert.match(note.textContent, /last feature/);
});

test("the card opens where it is put, inside the area, and closes", () => {
  const {view} = card();
  assert.equal(view.isOpen, false);
  view.open([50, 20], [400, 300]);
  assert.equal(view.isOpen, true);
  assert.equal(view.element.style.left, "50px");
  view.element.querySelector(".lab-features-close").click();
  assert.equal(view.isOpen, false);
});
