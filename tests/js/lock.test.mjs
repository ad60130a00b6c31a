// lock.js: a teacher's locks shown (a locked control greyed and off, a hidden one gone, freed
// ones back), and the Teach panel's row a control (set_lock; a sealed lock offers no looser
// choice).
import assert from "node:assert/strict";
import {beforeEach, test} from "node:test";

import {change, installDom} from "./dom.mjs";
import {FakeModel, labTraits, settle} from "./model.mjs";

installDom();
const {LockView} = await import("../../labnet/lab/static/lock.js");
const {Channel} = await import("../../labnet/lab/static/protocol.js");
const {h} = await import("../../labnet/lab/static/util.js");

let model, view, root, lr, step, hideBox;
beforeEach(() => {
  model = new FakeModel(labTraits());
  const channel = new Channel(model);
  model.on("msg:custom", content => channel.answer(content));
  root = h("div", {class: "labnet-lab"});
  lr = h("input", {class: "lab-lr"});
  step = h("button", {class: "lab-step", title: "train on one mini-batch"});
  hideBox = h("input", {class: "lab-hide-graph", type: "checkbox"});
  root.append(h("label", {class: "lab-setting lab-setting-lr"},
    h("span", {class: "lab-field-name"}, "learning rate"), lr), step,
  h("label", {class: "lab-check"}, hideBox, "graph"));
  document.body.replaceChildren(root);
  view = new LockView(channel, root);
  root.append(view.element);
  view.setControls(labTraits().settings.choices.controls);
});

const lrRow = () => root.querySelector(".lab-setting-lr");

test("a locked control is greyed and off; a hidden one is gone; freed, both come back", () => {
  view.setLock({modes: {lr: "locked", play: "hidden"}, sealed: []});
  assert.ok(lrRow().classList.contains("lab-lock-locked"));
  assert.equal(lr.disabled, true);
  assert.match(lrRow().getAttribute("title"), /locked in this lab by its teacher/);
  assert.ok(step.classList.contains("lab-lock-hidden"));
  assert.ok(root.classList.contains("lab-lock-lr-locked"));
  const freed = view.setLock({modes: {}, sealed: []});
  assert.equal(freed, true);
  assert.equal(lr.disabled, false);
  assert.ok(!lrRow().classList.contains("lab-lock-locked"));
  assert.equal(step.getAttribute("title"), "train on one mini-batch");
  assert.ok(!step.classList.contains("lab-lock-hidden"));
});

test("what the views re-enable is locked again on the next apply", () => {
  view.setLock({modes: {teach: "locked"}, sealed: ["teach"]});
  assert.equal(hideBox.disabled, true);
  hideBox.disabled = false;  // (a view set its own state)
  view.apply();
  assert.equal(hideBox.disabled, true);
  assert.equal(view.selects.get("lr").disabled, true);  // (the locks themselves too)
});

test("a row a control: a choice is a set_lock intent; a refusal puts the lab's mode back",
  async () => {
    const select = view.selects.get("lr");
    change(select, "hidden");
    assert.deepEqual(model.intents(), [["set_lock", {control: "lr", mode: "hidden"}]]);
    model.reply(false, "the learning rate: locked by the lab's teacher");
    await settle();
    assert.equal(select.value, "free");
    assert.match(view.note.textContent, /by the lab's teacher/);
  });

test("a sealed lock offers no looser choice", () => {
  view.setLock({modes: {lr: "locked", graph: "hidden"}, sealed: ["lr", "graph"]});
  const offered = name => view.selects.get(name).options.filter(o => !o.disabled)
    .map(o => o.value);
  assert.deepEqual(offered("lr"), ["locked", "hidden"]);
  assert.deepEqual(offered("graph"), ["hidden"]);
  assert.deepEqual(offered("weights"), ["free", "locked", "hidden"]);
  assert.equal(view.selects.get("lr").value, "locked");
});
