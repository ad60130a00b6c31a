// hints.js: the hint the kernel chose, in a bubble under what it is about (a setting of the
// strip, or a node of the graph); × dismisses it (dismiss_hint).
import assert from "node:assert/strict";
import {beforeEach, test} from "node:test";

import {installDom, setBox} from "./dom.mjs";
import {FakeModel, labTraits} from "./model.mjs";

installDom();
const {HintView} = await import("../../labnet/lab/static/hints.js");
const {Channel} = await import("../../labnet/lab/static/protocol.js");
const {h} = await import("../../labnet/lab/static/util.js");

let model, view, root, lr, node;
beforeEach(() => {
  document.body.replaceChildren();
  model = new FakeModel(labTraits());
  root = h("div", {class: "labnet-lab"});
  const strip = h("div", {class: "lab-strip"});
  lr = h("label", {class: "lab-setting lab-setting-lr"});
  strip.append(lr);
  node = h("rect", {class: "lab-node-box"});
  root.append(strip, node);
  document.body.append(root);
  setBox(root, 100, 50, 900, 700);
  setBox(strip, 100, 60, 900, 40);
  setBox(lr, 300, 60, 200, 40);
  setBox(node, 700, 300, 40, 50);
  view = new HintView(new Channel(model), root, id => (id === 4 ? node : null));
  root.append(view.element);
  setBox(view.element, 0, 0, 300, 40);
});

const ADAM = {key: "adam-lr", text: "Adam with a learning rate of 0.11: ...", about: "lr",
  node: null};

test("no hint: no bubble", () => {
  view.setHint({});
  assert.equal(view.element.hidden, true);
});

test("a hint about a setting shows under it, its arrow at the setting's middle", () => {
  view.setHint(ADAM);
  assert.equal(view.element.hidden, false);
  assert.equal(view.text.textContent, ADAM.text);
  assert.equal(view.element.style.left, "200px");  // (the setting's left, in the lab)
  assert.equal(view.element.style.top, "56px");  // (6 px under it)
  assert.equal(view.element.style["--lab-hint-arrow"], "100px");
});

test("a hint about a node shows under the node; one whose place is gone, under the strip",
  () => {
    view.setHint({key: "dead-relu:4", text: "ReLU node 4: ...", about: "node", node: 4});
    assert.equal(view.element.style.top, "306px");
    view.setHint({key: "dead-relu:9", text: "ReLU node 9: ...", about: "node", node: 9});
    assert.equal(view.element.style.top, "56px");
    lr.hidden = true;  // (a teacher hid the learning rate)
    view.setHint(ADAM);
    assert.equal(view.element.style.left, "0px");
  });

test("a hint never covers a control: past the graph's tools in the way, beside a setting "
  + "that has none", () => {
  const tools = h("button", {class: "lab-tidy"});
  const optimizer = h("select", {class: "lab-optimizer"});
  root.append(tools, optimizer);
  setBox(tools, 300, 106, 400, 24);  // (where the bubble would go under the rate)
  setBox(optimizer, 520, 60, 180, 40);
  view.setHint(ADAM);
  assert.equal(view.element.dataset.side, "far");  // below the tools: 130 + 6, in the lab
  assert.equal(view.element.style.top, "86px");
  optimizer.hidden = true;  // (a teacher hid it: beside the rate is free)
  view.place();
  assert.equal(view.element.dataset.side, "right");
  assert.equal(view.element.style.left, "406px");
  assert.equal(view.element.style.top, "10px");
});

test("a hint with no free place left is a compact line at the top of the plane's card", () => {
  const plane = h("div", {class: "lab-plane"});
  const optimizer = h("select", {class: "lab-optimizer"});
  const code = h("textarea", {class: "lab-code"});  // (everything under the strip)
  root.append(plane, optimizer, code);
  setBox(plane, 100, 110, 400, 400);
  setBox(optimizer, 520, 60, 180, 40);
  setBox(code, 100, 100, 900, 650);
  view.setHint(ADAM);
  assert.ok(view.element.classList.contains("lab-hint-compact"));
  assert.equal(view.element.title, ADAM.text);
  assert.deepEqual([view.element.style.left, view.element.style.top], ["0px", "60px"]);
  code.hidden = true;
  view.place();
  assert.ok(!view.element.classList.contains("lab-hint-compact"));
  assert.equal(view.element.dataset.side, "below");
});

test("× dismisses the hint at once and tells the lab", () => {
  view.setHint(ADAM);
  view.close.click();
  assert.equal(view.element.hidden, true);
  assert.deepEqual(model.intents(), [["dismiss_hint", {key: "adam-lr"}]]);
});
