// app.js: the whole lab drawn from the model's traits, every part in its place; a change of a
// trait reaches the views; custom messages reach theirs; a view gone tells the kernel and
// leaves no listener behind.
import assert from "node:assert/strict";
import {afterEach, beforeEach, mock, test} from "node:test";

import {installDom, setBox} from "./dom.mjs";
import {FakeModel, labTraits, settle, walkTrait} from "./model.mjs";

const page = installDom();
const {render} = await import("../../labnet/lab/static/app.js");

// (a refusal's note, the acks of painted frames wait on timers: none is left running)
beforeEach(() => mock.timers.enable({apis: ["setTimeout"]}));
afterEach(() => mock.timers.reset());

function show(traits = labTraits()) {
  const model = new FakeModel(traits);
  const el = document.createElement("div");
  document.body.append(el);
  const dispose = render({model, el});
  const root = el.querySelector(".labnet-lab");
  return {model, el, root, dispose, part: css => root.querySelector(css)};
}

test("the lab says hello and shows every part a lesson needs", () => {
  const {model, part, dispose} = show();
  assert.deepEqual(model.sent.map(m => m.type), ["hello"]);
  for (const css of [".lab-play", ".lab-step", ".lab-epoch", ".lab-reset", ".lab-strip",
    ".lab-dataset", ".lab-noise", ".lab-lr", ".lab-optimizer", ".lab-loss", ".lab-batch-size",
    ".lab-activation", "canvas.lab-boundary", ".lab-graph-area", ".lab-palette-tools",
    ".lab-unit", ".lab-tab-inside", ".lab-chart-loss"]) {
    assert.ok(part(css), `${css} is missing`);
  }
  // the grid's order: bar, strip, message, plane, graph, the walk (hidden), panel, curves,
  // gradients
  assert.deepEqual(part(".lab-grid").children.map(c => c.className.split(" ").at(-1)),
    ["lab-bar", "lab-strip", "lab-message", "lab-plane", "lab-graph", "lab-walk", "lab-panel",
      "lab-curves", "lab-gradients"]);
  assert.equal(part(".lab-walk").hidden, true);
  // the unit of the node clicked sits under the graph, next to it
  assert.ok(part(".lab-graph-box .lab-unit"));
  dispose();
});

test("a trait changed by the kernel reaches its views", () => {
  const {model, root, part, dispose} = show();
  model.set("message", {text: "The graph is not a network yet", error: true});
  assert.equal(part(".lab-message").textContent, "The graph is not a network yet");
  assert.ok(part(".lab-message").classList.contains("lab-error"));
  model.set("view", {...model.get("view"), scale: 1.4, hidden: ["boundary"]});
  assert.equal(root.style["--lab-scale"], "1.4");
  assert.ok(root.classList.contains("lab-presenting"));
  assert.equal(part(".lab-plane .lab-cover").hidden, false);
  const settings = model.get("settings");
  model.set("settings", {...settings, training: {...settings.training, optimizer: "adam"}});
  assert.equal(part(".lab-optimizer").value, "adam");
  dispose();
});

test("tabs show one page at a time and keep every page in one place", () => {
  const {part, dispose} = show();
  const pages = part(".lab-tab-pages").children;
  assert.deepEqual(pages.map(p => p.hidden), [false, true, true, true]);
  part(".lab-tab-teach").click();
  assert.deepEqual(pages.map(p => p.hidden), [true, true, true, false]);
  assert.equal(part(".lab-tab-teach").getAttribute("aria-selected"), "true");
  dispose();
});

test("a reply reaches the intent that asked; a frame reaches the plane", async () => {
  const {model, root, part, dispose} = show();
  part(".lab-step").click();
  const intent = model.lastIntent();
  model.receive({type: "reply", id: intent.id, ok: false, error: "no network to train"});
  await settle();
  assert.match(part(".lab-strip .lab-panel-note").textContent, /no network/);
  const n = 2;
  model.receive({type: "boundary", frame: 1, n, extent: [0, 1, 0, 1], sent: 0},
    [new DataView(new Uint8Array(n * n).buffer)]);
  page.frame();
  assert.equal(root.labnetPaints, 1);
  model.receive({type: "nothing known"});  // (ignored)
  dispose();
});

test("a view gone says goodbye and stops listening", () => {
  const {model, el, dispose} = show();
  assert.ok(model.listening() > 0);
  dispose();
  assert.equal(model.sent.at(-1).type, "goodbye");
  assert.equal(model.listening(), 0);
  assert.equal(el.querySelector(".labnet-lab"), null);
});

test("a key pressed in the lab never reaches the notebook, but Ctrl+S does", () => {
  const {el, part, dispose} = show();
  const heard = [];
  el.addEventListener("keydown", event => heard.push(event.key));
  for (const [key, init] of [["d", {}], ["s", {ctrlKey: true}]]) {
    const event = new page.Event("keydown", {key, ...init});
    part(".lab-graph-svg").dispatchEvent(event);
  }
  assert.deepEqual(heard, ["s"]);
  dispose();
});

test("a walk reaches the walk under the graph, the graph, the plane and the keys", () => {
  const {model, root, part, dispose} = show();
  model.set("walk", walkTrait({sample: 2, train: false, point: {x1: 0.5, x2: 0.5, label: 1}}));
  assert.ok(root.classList.contains("lab-walking"));
  assert.equal(part(".lab-walk").hidden, false);
  assert.match(part(".lab-walk-title").textContent, /backward · node 5/);
  assert.ok(part("canvas.lab-boundary").classList.contains("lab-clickable"));  // (picks)
  assert.match(part(".lab-walk-update").textContent, /shown only/);
  model.receive({type: "walkmaps", index: 12, arrays: [{role: "received", name: "dL/d(output)",
    shape: [1, 2], rows: 1, cols: 2}]}, [new DataView(new Float32Array([1, 2]).buffer)]);
  assert.equal(part(".lab-walk-received .lab-heatmap").dataset.array, "dL/d(output)");
  const key = new page.Event("keydown", {key: "ArrowLeft"});
  part(".lab-walk").dispatchEvent(key);
  assert.deepEqual(model.intents().at(-1), ["walk_back", {}]);
  model.set("walk", {});
  assert.ok(!root.classList.contains("lab-walking"));
  dispose();
});

test("the plane is given the room the screen leaves under the bar and the strip", () => {
  const port = document.createElement("div");  // (JupyterLab's notebook: it scrolls the lab)
  port.style["overflow-y"] = "auto";
  setBox(port, 0, 0, 900, 650);
  document.body.append(port);
  const model = new FakeModel(labTraits());
  const el = document.createElement("div");
  port.append(el);
  const dispose = render({model, el});
  const root = el.querySelector(".labnet-lab");
  setBox(root.querySelector(".lab-plane-box"), 10, 120, 370, 370);
  page.resize(root, 900, 1200);  // (a size observed: measured; the lab's top at 0)
  assert.equal(root.style["--lab-room"], `${650 - 120 - 10}px`);
  dispose();
});

test("Pause stops the picture at the click: the play loop's frames still coming are dropped",
  () => {
    // (issue 14, 9: the picture kept changing for a round trip after the click)
    const playing = {...labTraits(), status: {...labTraits().status, playing: true}};
    const {model, part, dispose} = show(playing);
    window.labnetTrace = [];
    const shown = () => window.labnetTrace.filter(e => e[0] === "painted").map(e => e[1]);
    const frame = (number, loop) => model.receive(
      {type: "boundary", frame: number, n: 2, extent: [0, 1, 0, 1], sent: 0, playing: loop},
      [new DataView(new Uint8Array(4).fill(number).buffer)]);
    frame(1, true);
    page.frame();
    frame(2, true);  // on its way when Pause is clicked: dropped too
    part(".lab-play").click();
    assert.deepEqual(model.lastIntent().action, "toggle_play");
    assert.match(part(".lab-play").textContent, /Play/);  // said at once
    // ... but not "paused" before the kernel has stopped: its last steps are still to come
    assert.match(part(".lab-status").textContent, /pausing…/);
    assert.doesNotMatch(part(".lab-status").textContent, /paused/);
    frame(3, true);
    model.set("status", {...model.get("status"), step: 99});  // said before the kernel heard
    page.frame(3);
    assert.deepEqual([...new Set(shown())], [1]);
    assert.match(part(".lab-play").textContent, /Play/);
    assert.match(part(".lab-status").textContent, /pausing…/);
    model.set("status", {...model.get("status"), playing: false, step: 100});
    assert.match(part(".lab-status").textContent, /step 100\b.*paused/);
    frame(4, false);  // the kernel's last picture, once it has stopped
    page.frame();
    assert.deepEqual([...new Set(shown())], [1, 4]);
    delete window.labnetTrace;
    dispose();
  });
