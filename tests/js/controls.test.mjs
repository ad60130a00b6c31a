// controls.js: each control sends its intent (the strip's settings, the activation of every
// node, the bar's buttons, the panels'), shows what the kernel says, and springs back with
// the lab's reason beside it when refused.
import assert from "node:assert/strict";
import {afterEach, beforeEach, mock, test} from "node:test";

import {change, installDom} from "./dom.mjs";
import {FakeModel, labTraits, settle} from "./model.mjs";

installDom();
const {Controls} = await import("../../labnet/lab/static/controls.js");
const {Channel} = await import("../../labnet/lab/static/protocol.js");

let model, channel, controls, said, traits;
beforeEach(() => {
  mock.timers.enable({apis: ["setTimeout"]});  // (refusals' notes and asking buttons wait)
  traits = labTraits();
  model = new FakeModel(traits);
  channel = new Channel(model);
  said = [];
  controls = new Controls(channel, (text, error) => said.push([text, error]));
  controls.setSettings(traits.settings);
  controls.setGraph(traits.graph);
  controls.setView(traits.view);
  controls.setStatus(traits.status);
});

afterEach(() => mock.timers.reset());

const part = css => [controls.bar, controls.strip, controls.data, controls.train,
  controls.teach].map(p => p.querySelector(css)).find(Boolean);

/** Answer the last intent as the kernel would (through the channel). */
async function answer(ok, error) {
  channel.answer({id: model.lastIntent().id, ok, error});
  await settle();
}

test("the strip shows the lab's settings", () => {
  assert.equal(part(".lab-dataset").value, "disk");
  assert.equal(part(".lab-optimizer").value, "sgd");
  assert.equal(part(".lab-loss").value, "mse");
  assert.equal(part(".lab-lr-value").value, "0.1");
  assert.equal(Number(part(".lab-lr").value), -1);  // (log10 of the rate)
  assert.equal(part(".lab-batch-size").value, "10");
  assert.equal(part(".lab-activation").value, "ReLU");
  assert.equal(part(".lab-regularisation").value, "none");
  assert.equal(part(".lab-regularisation-rate").value, "0.001");
});

test("regularisation and its rate send set_training; a rate of the lab's own is offered", () => {
  change(part(".lab-regularisation"), "l2");
  change(part(".lab-regularisation-rate"), "0.03");
  assert.deepEqual(model.intents(), [["set_training", {regularization: "l2"}],
    ["set_training", {regularization_rate: 0.03}]]);
  const settings = traits.settings;
  controls.setSettings({...settings, training: {...settings.training, regularization: "l1",
    regularization_rate: 0.005}});
  const rate = part(".lab-regularisation-rate");
  assert.equal(rate.value, "0.005");
  assert.deepEqual([...rate.options].map(o => o.value).slice(2, 5), ["0.003", "0.005", "0.01"]);
  assert.equal(part(".lab-regularisation").value, "l1");
});

test("each setting of the strip sends its intent", () => {
  change(part(".lab-dataset"), "xor");
  change(part(".lab-noise"), "0.2");
  change(part(".lab-optimizer"), "adam");
  change(part(".lab-loss"), "cross-entropy");
  change(part(".lab-lr-value"), " 0.03 ");
  change(part(".lab-lr"), "-2");
  change(part(".lab-batch-size"), "32");
  change(part(".lab-activation"), "Tanh");
  assert.deepEqual(model.intents(), [
    ["set_data", {dataset: "xor"}], ["set_data", {noise: 0.2}],
    ["set_training", {optimizer: "adam"}], ["set_training", {loss: "cross-entropy"}],
    ["set_training", {lr: 0.03}], ["set_training", {lr: 0.01}],
    ["set_training", {batch_size: 32}], ["set_activation", {kind: "Tanh"}]]);
});

test("the activation picker says when the nodes' activations differ, or there is none", () => {
  const graph = traits.graph;
  controls.setGraph({...graph, nodes: graph.nodes.map(n => (n.id === 2 ? {...n,
    kind: "Tanh"} : n))});
  const picker = part(".lab-activation");
  assert.equal(picker.value, "mixed");
  assert.equal(picker.options[0].disabled, true);
  controls.setGraph({...graph, nodes: graph.nodes.filter(n => n.kind !== "ReLU")});
  assert.equal(picker.value, "none");
  assert.equal(picker.disabled, true);
});

test("a refused setting springs back to the lab's and the reason shows in the strip", async () => {
  change(part(".lab-lr-value"), "fast");
  assert.deepEqual(model.lastIntent().args, {lr: "fast"});  // (the lab says what is wrong)
  await answer(false, "the learning rate must be a number, got 'fast'");
  assert.equal(part(".lab-lr-value").value, "0.1");
  const note = controls.strip.querySelector(".lab-panel-note");
  assert.equal(note.hidden, false);
  assert.match(note.textContent, /must be a number/);
  change(part(".lab-activation"), "Sigmoid");
  await answer(false, "no");
  assert.equal(part(".lab-activation").value, "ReLU");
});

test("a value the lab takes clears the note of the refusal it makes moot, not of another's",
  async () => {
    const note = controls.strip.querySelector(".lab-panel-note");
    change(part(".lab-lr-value"), "fast");
    await answer(false, "the learning rate must be a number, got 'fast'");
    change(part(".lab-batch-size"), "20");  // (another setting: the note still holds)
    await answer(true);
    assert.equal(note.hidden, false);
    change(part(".lab-lr-value"), "0.05");
    await answer(true);
    assert.equal(note.hidden, true);  // (at once, not 8 s later)
  });

test("a number box holding letters is refused in the page, named by its label", async () => {
  const batch = part(".lab-batch-size");
  batch.validity = {badInput: true};
  change(batch, "");
  await settle();
  assert.deepEqual(model.intents(), []);
  assert.match(controls.strip.querySelector(".lab-panel-note").textContent,
    /^batch: what is typed is not a number/);
});

test("the bar's buttons send their intents and Play turns into Pause while playing", () => {
  for (const css of [".lab-play", ".lab-step", ".lab-epoch", ".lab-reset"]) part(css).click();
  assert.deepEqual(model.intents().map(([action]) => action),
    ["toggle_play", "step", "epoch", "reset"]);
  controls.setStatus({...traits.status, playing: true, steps_per_second: 1234});
  assert.equal(part(".lab-play").textContent, "‖ Pause");
  assert.match(controls.status.textContent, /1,234 steps\/s/);
  controls.setStatus({...traits.status, errors_hidden: true});
  assert.match(controls.status.textContent, /test error \?/);
});

test("the cap box sends 'none' when emptied, and the panels' settings their intents", () => {
  change(part(".lab-cap"), "");
  change(part(".lab-cap"), "50");
  change(part(".lab-n-points"), "300");
  change(part(".lab-standardize"), false);
  change(part(".lab-click-mode"), "blue");
  part(".lab-regenerate").click();
  assert.deepEqual(model.intents(), [
    ["set_training", {max_steps_per_second: "none"}],
    ["set_training", {max_steps_per_second: 50}], ["set_data", {n_points: 300}],
    ["set_data", {standardize: false}], ["show", {click: "blue"}], ["set_data", {seed: 1}]]);
});

test("a server's cap is shown as the ceiling it is: the box's placeholder and its max", () => {
  assert.equal(part(".lab-cap").getAttribute("placeholder"), "none");  // (no server cap)
  const capped = labTraits();
  capped.settings = {...capped.settings,
    limits: {...capped.settings.limits, server_cap: 1000}};
  const other = new Controls(new Channel(new FakeModel(capped)), () => {});
  other.setSettings(capped.settings);
  const box = other.train.querySelector(".lab-cap");
  assert.equal(box.getAttribute("placeholder"), "≤ 1000");
  assert.equal(String(box.getAttribute("max")), "1000");
  assert.match(box.getAttribute("title"), /this server allows 1000/);
});

test("Save asks again before replacing a file; Open asks first", async () => {
  const save = part(".lab-save");
  save.click();
  await settle();
  channel.answer({id: model.lastIntent().id, ok: false, exists: true,
    error: "my-lab.npz already exists"});
  await settle();
  assert.equal(save.textContent, "Save: replace?");
  save.click();
  await settle();
  assert.deepEqual(model.intents(), [["save", {path: "my-lab.npz", replace: false}],
    ["save", {path: "my-lab.npz", replace: true}]]);
  part(".lab-open").click();
  assert.equal(model.intents().length, 2);
  assert.match(said.at(-1)[0], /Press Open again/);
  part(".lab-open").click();
  assert.deepEqual(model.intents().at(-1), ["open", {path: "my-lab.npz"}]);
  mock.timers.tick(10000);  // (asked, not answered: the buttons are themselves again)
  assert.equal(save.textContent, "Save");
});

test("presentation mode and hiding a view are intents of the Teach panel", () => {
  change(part(".lab-presentation"), true);
  change(part(".lab-hide-errors"), true);
  change(part(".lab-hide-errors"), false);
  assert.deepEqual(model.intents(), [["present", {on: true}], ["hide", {names: ["errors"]}],
    ["reveal", {names: ["errors"]}]]);
});

test("the data sets are grouped by what they are for; classes are for blobs and spirals", () => {
  const groups = part(".lab-dataset").querySelectorAll("optgroup");
  assert.deepEqual(groups.map(g => g.getAttribute("label")),
    ["2 classes", "3+ classes", "regression"]);
  const classes = part(".lab-classes");
  assert.equal(classes.value, "3");
  assert.equal(classes.disabled, true);  // (disk)
  const settings = traits.settings;
  controls.setSettings({...settings, data: {...settings.data, dataset: "blobs", outputs: 3}});
  assert.equal(classes.disabled, false);
  change(classes, "4");
  assert.deepEqual(model.lastIntent().args, {classes: 4});
  const click = part(".lab-click-mode");
  assert.deepEqual(click.options.map(o => o.textContent).slice(0, 4), ["does nothing",
    "adds an orange point (class 0)", "adds a blue point (class 1)",
    "adds a green point (class 2)"]);
});

test("a regression's status shows the losses on the training and test sets, not errors", () => {
  const settings = traits.settings;
  controls.setSettings({...settings, data: {...settings.data, task: "regression", outputs: 1,
    target_range: 1.2}});
  controls.setStatus({...traits.status, train_loss: 0.0123, test_loss: 0.0456,
    train_error: null, test_error: null});
  const text = controls.status.textContent;
  assert.match(text, /train loss 0\.0123/);
  assert.match(text, /test loss 0\.0456/);
  assert.doesNotMatch(text, /error/);
  controls.setSettings(settings);  // back to classes: the names follow at once
  assert.match(controls.status.textContent, /train error/);
});
