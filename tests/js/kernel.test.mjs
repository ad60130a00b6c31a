// kernel.js, and the lab (app.js) when its kernel is gone: the host's word that the widget's
// connection died (a restarted or dead kernel) or that Python closed it is told once; the lab
// then says so, shows Play (never a frozen Pause), takes no gesture, and sends nothing.
import assert from "node:assert/strict";
import {afterEach, beforeEach, mock, test} from "node:test";

import {installDom} from "./dom.mjs";
import {FakeModel, labTraits} from "./model.mjs";

installDom();
const {GONE, watchKernel} = await import("../../labnet/lab/static/kernel.js");
const {render} = await import("../../labnet/lab/static/app.js");

beforeEach(() => mock.timers.enable({apis: ["setTimeout"]}));
afterEach(() => mock.timers.reset());

function watched() {
  const model = new FakeModel();
  const told = [];
  const stop = watchKernel(model, (words, why) => told.push([why, words]));
  return {model, told, stop};
}

test("a connection the host marks dead is told once, as the kernel lost", () => {
  const {model, told} = watched();
  model.emit("comm_live_update");
  model.emit("comm_live_update");  // (JupyterLab tells twice on a restart)
  assert.deepEqual(told, [["kernel", GONE.kernel]]);
  assert.match(GONE.kernel, /lost its kernel.*Run its cell again/);
});

test("a widget closed from Python is told; stopping leaves no listener", () => {
  const {model, told, stop} = watched();
  model.emit("comm:close");
  model.emit("comm_live_update");
  assert.deepEqual(told, [["closed", GONE.closed]]);
  stop();
  assert.equal(model.listening(), 0);
});

function show() {
  const traits = labTraits();
  traits.status = {...traits.status, playing: true, steps_per_second: 2000};
  const model = new FakeModel(traits);
  const parent = document.createElement("div");  // (the output area)
  const output = document.createElement("div");  // (the output holding the widget)
  const el = document.createElement("div");
  output.append(el);
  parent.append(output);
  document.body.append(parent);
  const dispose = render({model, el});
  return {model, el, parent, dispose, root: el.querySelector(".labnet-lab")};
}

test("a lab whose kernel is gone says so, shows Play and takes no gesture", () => {
  const {model, el, root, dispose} = show();
  const play = root.querySelector(".lab-play");
  assert.match(play.textContent, /Pause/);  // playing when the kernel went
  model.emit("comm_live_update");
  assert.match(play.textContent, /Play/);
  assert.ok(play.disabled && root.querySelector(".lab-step").disabled);
  assert.ok([...root.querySelectorAll("button, input, select")].every(b => b.disabled));
  assert.ok(root.classList.contains("lab-gone"));
  assert.equal(root.querySelector(".lab-message").textContent, GONE.kernel);
  const sent = model.sent.length;
  play.click();
  root.querySelector(".lab-step").click();
  assert.equal(model.sent.length, sent);  // nothing sent to a kernel that is not there
  dispose();
});

test("a lab closed from Python leaves its words where it was", () => {
  const {model, el, parent, dispose} = show();
  model.emit("comm:close");
  el.remove();  // (the host takes the view's element away)
  const note = parent.querySelector(".lab-gone-note");
  assert.equal(note.parentElement, parent);  // (not in the output the host hides)
  assert.ok(note);
  assert.equal(note.textContent, GONE.closed);
  dispose();
});
