// boundary.js: frames wait at most three deep and are painted one an animation frame, each
// told painted; a click on the plane is an intent at the point of the data under it.
import assert from "node:assert/strict";
import {test} from "node:test";

import {installDom, pointer, setBox} from "./dom.mjs";
import {FakeModel, labTraits} from "./model.mjs";

const page = installDom();
const {BoundaryView} = await import("../../labnet/lab/static/boundary.js");
const {Channel} = await import("../../labnet/lab/static/protocol.js");

function plane() {
  const model = new FakeModel();
  const channel = new Channel(model);
  const root = document.createElement("div");
  const view = new BoundaryView(channel, root);
  view.setColours(labTraits().settings.colours);
  return {model, channel, root, view};
}

const frame = (number, n = 2) => [{frame: number, n, extent: [0, 1, 0, 1], sent: 0},
  [new DataView(new Uint8Array(n * n).fill(number).buffer)]];

test("frames are painted one an animation frame, the oldest dropped past three", () => {
  const {view, root, channel} = plane();
  for (let i = 1; i <= 5; i++) view.frame(...frame(i));
  page.frame();
  assert.equal(view.latest.content.frame, 3);  // 1 and 2 dropped
  page.frame(5);
  assert.equal(view.latest.content.frame, 5);
  assert.equal(root.labnetPaints, 3);
  assert.deepEqual(channel.frames, {boundary: 5});
  channel.close();
});

test("the painted grid takes the colours of the table", () => {
  const {view, channel} = plane();
  view.frame(...frame(255, 2));
  page.frame();
  assert.deepEqual([...view.image.data.slice(0, 4)], [...view.tables.smooth.slice(1020)]);
  channel.close();
});

test("a click on the plane adds a point where the data is, only when clicks do", () => {
  const {view, model, channel} = plane();
  view.frame(...frame(1));
  page.frame();
  setBox(view.canvas, 100, 50, 200, 200);
  view.canvas.dispatchEvent(pointer("click", 150, 100));
  assert.deepEqual(model.intents(), []);
  view.setView({...labTraits().view, click: "orange"});
  view.canvas.dispatchEvent(pointer("click", 150, 100));
  assert.deepEqual(model.intents(), [["click_plane", {x1: 0.25, x2: 0.75}]]);
  channel.close();
});

test("walking one point, a click picks the training point to walk, and it is ringed", () => {
  const {view, model, channel} = plane();
  view.frame(...frame(1));
  page.frame();
  setBox(view.canvas, 100, 50, 200, 200);
  view.setWalk({index: 3, sample: 4, point: {x1: 0.5, x2: 0.5, label: 1}});
  assert.ok(view.canvas.classList.contains("lab-clickable"));
  view.canvas.dispatchEvent(pointer("click", 150, 100));
  assert.deepEqual(model.intents(), [["pick_sample", {x1: 0.25, x2: 0.75}]]);
  page.frame();
  const arcs = view.canvas.getContext("2d").calls.filter(c => c[0] === "arc");
  assert.ok(arcs.some(([, x, y, r]) => x === 100 && y === 100 && r > 5), "no ring at the point");
  view.setWalk({});  // the walk of one point is over: clicks are the click mode's again
  view.canvas.dispatchEvent(pointer("click", 150, 100));
  assert.equal(model.intents().length, 1);
  assert.ok(!view.canvas.classList.contains("lab-clickable"));
  channel.close();
});

test("a frame of more classes is painted in the classes' colours, paler where unsure", () => {
  const {view, channel} = plane();
  const [content, buffers] = frame(2 * 32 + 31, 2);
  view.frame({...content, code: "classes"}, buffers);
  page.frame();
  assert.deepEqual([...view.image.data.slice(0, 4)], [...view.tables.classes.slice(4 * 95,
    4 * 95 + 4)]);
  const [r, g, b] = view.image.data;
  assert.ok(g > r && g > b, "class 2 is green");
  view.setView({...labTraits().view, discretize: true});
  view.frame({...content, code: "classes"}, [new DataView(new Uint8Array(4).fill(64).buffer)]);
  page.frame(3);
  assert.deepEqual([...view.image.data.slice(0, 3)], [...view.tables.classesDiscrete.slice(256,
    259)]);  // class 2, unsure: still its colour when discretised
  channel.close();
});

test("a regression's points take the colour of their target on the plane's scale", () => {
  const {view, channel} = plane();
  const colours = [];
  const context = view.canvas.getContext("2d");
  const fill = context.fill.bind(context);
  context.fill = (...args) => { colours.push(context.fillStyle); fill(...args); };
  view.setPoints({extent: [0, 1, 0, 1], task: "regression", classes: 0},
    [new DataView(new Float32Array([0.2, 0.2, 0.8, 0.8]).buffer),
      new DataView(new Uint8Array([0, 255]).buffer),
      new DataView(new Float32Array([]).buffer), new DataView(new Uint8Array([]).buffer)]);
  view.frame(...frame(128));
  page.frame();
  const at = byte => `rgb(${[...view.values.slice(4 * byte, 4 * byte + 3)].join(",")})`;
  assert.deepEqual(colours, [at(0), at(255)]);
  channel.close();
});
