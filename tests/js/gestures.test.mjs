// gestures.js, through the narrow surface it sees of the graph: each gesture ends in the
// intent a notebook would call (replace, add, add_layer, connect, move, remove, widen, ...),
// and a refused one snaps back with the lab's reason.
import assert from "node:assert/strict";
import {beforeEach, test} from "node:test";

import {Event, installDom, pointer, press, setBox} from "./dom.mjs";
import {settle} from "./model.mjs";

const page = installDom();
const {Gestures} = await import("../../labnet/lab/static/gestures.js");
const {h, svg} = await import("../../labnet/lab/static/util.js");

/**
 * A surface of three nodes in a row (input 0, ReLU 1 at x 100, Linear 2 at x 200, each 40 wide)
 * with the edges 0 → 1 → 2, which records what the gestures ask and answers their intents.
 */
function fakeSurface({refuse = null} = {}) {
  const nodes = {
    0: {node: {id: 0, kind: "input", label: "input", params: {}, trained: true}, x: 0},
    1: {node: {id: 1, kind: "ReLU", label: "ReLU", params: {}, trained: true}, x: 100},
    2: {node: {id: 2, kind: "Linear", label: "Linear 25", params: {width: 25}, trained: true},
      x: 200},
  };
  const area = h("div");
  setBox(area, 10, 20, 400, 200);  // the area's place on the page
  const drawing = svg("svg");
  for (const id of Object.keys(nodes)) {
    drawing.append(svg("g", {"data-node": id}, svg("rect", {class: "lab-node-box"}),
      svg("circle", {class: "lab-port-out", "data-port": id}),
      svg("g", {"data-delete": id}), svg("g", {"data-widen": id, "data-by": 1})));
  }
  drawing.querySelector('[data-node="0"]').append(svg("g", {"data-features": "0"}));
  drawing.append(svg("path", {"data-edge": "1→2"}));
  const palette = h("div", {}, h("button", {"data-kind": "Tanh"}),
    h("button", {"data-kind": "Linear"}), h("button", {"data-layer": "true"}));
  const root = h("div", {}, palette, area);
  setBox(root, 0, 0, 800, 600);
  area.append(drawing);
  document.body.append(root);
  const log = [];
  const surface = {
    svg: drawing, palette, area, root, log, sent: [], selection: null,
    node: id => nodes[id] ? {...nodes[id], y: 100, hw: 20, hh: 25} : null,
    nodeAt: ([x, y]) => {
      const found = Object.entries(nodes).find(([, n]) => Math.abs(x - n.x) <= 20
        && Math.abs(y - 100) <= 25);
      return found ? found[0] : null;
    },
    edgeAt: ([x, y]) => (x > 120 && x < 180 && Math.abs(y - 100) < 12 ? [1, 2] : null),
    edge: text => text.split("→").map(Number),
    toGraph: ([x, y]) => [x / 100, (y - 100) / 100],
    selected: () => surface.selection,
    select: s => { surface.selection = s; log.push(["select", s]); },
    send: (action, args = {}, where = null) => {
      surface.sent.push([action, args]);
      const ok = !refuse || !refuse(action);
      if (!ok && where) log.push(["refuse", where]);
      return Promise.resolve(ok ? {ok: true} : {ok: false, error: "no"});
    },
    refuse: (text, where) => log.push(["refuse", where, text]),
    hideRefusal: () => log.push(["hideRefusal"]),
    panBy: d => log.push(["panBy", d]),
    endPan: () => log.push(["endPan"]),
    zoomBy: (f, at) => log.push(["zoomBy", f, at]),
    dragNode: (id, point) => log.push(["dragNode", id, point]),
    draft: (from, to) => log.push(["draft", from, to]),
    newParams: kind => (kind === "Linear" ? {width: 8} : {}),
    newWidth: () => 8,
    features: () => log.push(["features"]),
    idOf: text => Number(text),
  };
  return surface;
}

/** Press on `element`, move (in steps) through `path` (page points), release at the last. */
function drag(element, path) {
  const [start, ...rest] = path;
  element.dispatchEvent(pointer("pointerdown", ...start));
  for (const point of rest) window.dispatchEvent(pointer("pointermove", ...point));
  window.dispatchEvent(pointer("pointerup", ...path[path.length - 1]));
}

const inArea = ([x, y]) => [x + 10, y + 20];  // a point of the area, on the page
let surface;
beforeEach(() => {
  document.body.replaceChildren();
  surface = fakeSurface();
  surface.gestures = new Gestures(surface);
});

const item = kind => surface.palette.querySelector(`[data-kind="${kind}"]`);

test("a module dropped on a node replaces it (Tanh onto the ReLU)", async () => {
  drag(item("Tanh"), [[5, 5], [50, 50], inArea([102, 98])]);
  await settle();
  assert.deepEqual(surface.sent, [["replace", {node: 1, kind: "Tanh", params: {}}]]);
});

test("a module dropped on an edge goes into it; elsewhere it is added there", () => {
  drag(item("Linear"), [[5, 5], [50, 50], inArea([150, 104])]);
  drag(item("Linear"), [[5, 5], [50, 50], inArea([300, 180])]);
  assert.deepEqual(surface.sent, [
    ["add", {kind: "Linear", params: {width: 8}, at: [1.5, 0.04], between: [1, 2]}],
    ["add", {kind: "Linear", params: {width: 8}, at: [3, 0.8]}]]);
});

test("a module clicked is added; one dropped outside the graph is not", () => {
  const tanh = item("Tanh");
  tanh.dispatchEvent(pointer("pointerdown", 5, 5));
  window.dispatchEvent(pointer("pointerup", 6, 5));
  drag(tanh, [[5, 5], [500, 500], [700, 500]]);
  assert.deepEqual(surface.sent, [["add", {kind: "Tanh", params: {}}]]);
  assert.equal(document.body.querySelectorAll(".lab-ghost").length, 0);
});

test("a layer goes into the edge it is dropped on, or before the output when clicked", () => {
  const layer = surface.palette.querySelector("[data-layer]");
  drag(layer, [[5, 5], [60, 60], inArea([150, 98])]);
  layer.dispatchEvent(pointer("pointerdown", 5, 5));
  window.dispatchEvent(pointer("pointerup", 5, 5));
  drag(layer, [[5, 5], [60, 60], inArea([300, 180])]);  // on no edge: said so, nothing sent
  assert.deepEqual(surface.sent, [["add_layer", {width: 8, between: [1, 2]}],
    ["add_layer", {width: 8}]]);
  assert.match(surface.log.at(-1)[2], /drop a layer onto an edge/);
});

test("a drag from a port to a node connects them; dropped nowhere, nothing", async () => {
  const port = surface.svg.querySelector('[data-port="0"]');
  drag(port, [inArea([20, 100]), inArea([60, 100]), inArea([195, 110])]);
  await settle();
  drag(port, [inArea([20, 100]), inArea([60, 100]), inArea([150, 190])]);
  await settle();
  assert.deepEqual(surface.sent, [["connect", {src: 0, dst: 2}]]);
  assert.deepEqual(surface.log.filter(e => e[0] === "draft").at(-1), ["draft", null, undefined]);
});

test("a refused edge says why beside the drop and snaps back to its port", async () => {
  surface = fakeSurface({refuse: action => action === "connect"});
  surface.gestures = new Gestures(surface);
  const port = surface.svg.querySelector('[data-port="2"]');
  drag(port, [inArea([220, 100]), inArea([150, 120]), inArea([2, 100])]);
  await settle();
  assert.deepEqual(surface.sent, [["connect", {src: 2, dst: 0}]]);
  assert.deepEqual(surface.log.find(e => e[0] === "refuse").slice(0, 2), ["refuse", [2, 100]]);
  page.frame(20);  // the animation back to the port, then no draft
  assert.deepEqual(surface.log.at(-1), ["draft", null, undefined]);
});

test("a node dragged is moved where it is dropped; a click selects and looks at it", () => {
  const box = surface.svg.querySelector('[data-node="1"] rect');
  drag(box, [inArea([100, 100]), inArea([120, 130]), inArea([130, 150])]);
  box.dispatchEvent(pointer("pointerdown", ...inArea([100, 100])));
  window.dispatchEvent(pointer("pointerup", ...inArea([101, 100])));
  assert.deepEqual(surface.sent, [["move", {node: 1, x: 1.3, y: 0.5}],
    ["look_at", {node: 1, unit: 0}]]);
  assert.deepEqual(surface.selection, {node: 1});
  assert.ok(surface.log.some(([what, id, at]) => what === "dragNode" && id === "1"
    && at[0] === 130 && at[1] === 150));
});

test("× removes the node (its neighbours joined by the lab); + widens a Linear", () => {
  surface.svg.querySelector('[data-delete="1"]').dispatchEvent(pointer("pointerdown", 0, 0));
  surface.svg.querySelector('[data-widen="2"]').dispatchEvent(pointer("pointerdown", 0, 0));
  assert.deepEqual(surface.sent, [["remove", {node: 1}], ["widen", {node: 2, by: 1}]]);
});

test("Delete removes what is selected; Ctrl+Z and Ctrl+Shift+Z undo and redo", () => {
  surface.svg.querySelector('[data-edge="1→2"]').dispatchEvent(pointer("pointerdown", 0, 0));
  assert.deepEqual(surface.selection, {edge: [1, 2]});
  const event = press(surface.svg, "Delete");
  assert.ok(event.defaultPrevented && event.stopped);  // (the notebook never sees it)
  surface.select({node: 2});
  press(surface.svg, "Backspace");
  press(surface.svg, "z", {ctrlKey: true});
  press(surface.svg, "Z", {ctrlKey: true, shiftKey: true});
  press(surface.svg, "y", {metaKey: true});
  press(surface.svg, "Delete");  // nothing selected: nothing
  assert.deepEqual(surface.sent, [["disconnect", {src: 1, dst: 2}], ["remove", {node: 2}],
    ["undo", {}], ["redo", {}], ["redo", {}]]);
});

test("a double-click on a Linear edits its width; Escape leaves it as it was", () => {
  const group = surface.svg.querySelector('[data-node="2"] rect');
  group.dispatchEvent(new Event("dblclick", {clientX: 210, clientY: 120}));
  const input = surface.area.querySelector(".lab-param-editor");
  input.value = "7";
  press(input, "Enter");
  group.dispatchEvent(new Event("dblclick", {clientX: 210, clientY: 120}));
  const again = surface.area.querySelector(".lab-param-editor");
  again.value = "9";
  press(again, "Escape");
  surface.svg.querySelector('[data-node="1"] rect').dispatchEvent(new Event("dblclick"));
  assert.deepEqual(surface.sent, [["set_params", {node: 2, params: {width: 7}}]]);
  assert.match(surface.log.at(-1)[2], /ReLU has nothing to set/);
  assert.equal(surface.area.querySelectorAll(".lab-param-box").length, 0);
});

test("the background drags the drawing; Ctrl+wheel zooms around the pointer", () => {
  drag(surface.svg, [[300, 50], [320, 60], [330, 70]]);
  const wheel = new Event("wheel", {ctrlKey: true, deltaY: -1, clientX: 110, clientY: 70});
  surface.svg.dispatchEvent(wheel);
  surface.svg.dispatchEvent(new Event("wheel", {deltaY: -1}));  // a plain wheel: the page's
  assert.deepEqual(surface.log.filter(e => ["panBy", "endPan", "zoomBy"].includes(e[0])),
    [["panBy", [20, 10]], ["panBy", [30, 20]], ["endPan"], ["zoomBy", 1.1, [100, 50]]]);
  assert.ok(wheel.defaultPrevented);
});

test("a drag the browser cancels sends nothing and puts the node back", () => {
  const box = surface.svg.querySelector('[data-node="1"] rect');
  box.dispatchEvent(pointer("pointerdown", 100, 100));
  window.dispatchEvent(pointer("pointermove", 140, 100));
  window.dispatchEvent(pointer("pointercancel", 140, 100));
  window.dispatchEvent(pointer("pointerup", 140, 100));
  assert.deepEqual(surface.sent, []);
  assert.deepEqual(surface.log.at(-1), ["dragNode", "1", null]);
});

test("ƒ on the input, or a click on it, shows its features (and looks at it)", async () => {
  surface.svg.querySelector("[data-features]").dispatchEvent(pointer("pointerdown", 10, 120));
  assert.deepEqual(surface.log.filter(([what]) => what === "features"), [["features"]]);
  const input = surface.svg.querySelector('[data-node="0"] .lab-node-box');
  input.dispatchEvent(pointer("pointerdown", 12, 120));
  window.dispatchEvent(pointer("pointerup", 12, 120));
  await settle();
  assert.equal(surface.log.filter(([what]) => what === "features").length, 2);
  assert.deepEqual(surface.sent, [["look_at", {node: 0, unit: 0}]]);
});
