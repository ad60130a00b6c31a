// flows.js: a walk's step on the graph: the node at work, the edges at work as flows with what
// they carry (a Sum's copy, a Concat's split), the loss beside the output, and walking one
// point, every value and gradient as numbers by its node.
import assert from "node:assert/strict";
import {beforeEach, test} from "node:test";

import {installDom} from "./dom.mjs";
import {labTraits, shownGraph, walkTrait} from "./model.mjs";

const page = installDom();
const {WALK_SCALE, flowLabel, flowsOf, middle, numberLines, numberRoom, updatedNodes, walkCamera,
  walkFocus} =
  await import("../../labnet/lab/static/flows.js");
const {GraphView} = await import("../../labnet/lab/static/graph.js");
const {Channel} = await import("../../labnet/lab/static/protocol.js");

test("a gradient's flow says how it is made: a copy (Sum), a slice (Concat), · Wᵀ, Σ", () => {
  const gradient = how => flowLabel({carries: "gradient", role: "passed", how});
  assert.equal(gradient("a copy of dL/dy"), "copy");
  assert.equal(gradient("a copy of dL/dy[:, 25:50]"), "copy of [:, 25:50]");
  assert.equal(gradient("dL/dy · Wᵀ"), "· Wᵀ");
  assert.equal(gradient("dL/dy ⊙ (1 − y²)"), "⊙ (1 − y²)");
  assert.equal(gradient("summed with the 1 other(s)"), "Σ");
  assert.equal(flowLabel({carries: "value", role: "received", how: ""}), "");
});

test("the loss step's flows go to the loss and back; the output's backward comes from it", () => {
  const loss = walkTrait({step: {phase: "loss", node: null, flows: []}});
  assert.deepEqual(flowsOf(loss, 7).map(f => [f.src, f.dst, f.carries, f.role]),
    [[7, "loss", "value", "received"], [7, "loss", "gradient", "passed"]]);
  const back = walkTrait({step: {phase: "backward", node: 7, flows: []}});
  assert.deepEqual(flowsOf(back, 7).map(f => [f.dst, f.carries, f.role]),
    [["loss", "gradient", "received"]]);
  assert.deepEqual(flowsOf(walkTrait(), 7).map(f => [f.src, f.dst, f.label]),
    [[5, 6, ""], [4, 5, "· Wᵀ"]]);
});

test("the update changes the nodes it names; numbers are written a line each, four at most",
  () => {
    const update = {phase: "update", received: [{name: "1.weight before"},
      {name: "1.bias before"}, {name: "lin.a.weight before"}]};
    assert.deepEqual([...updatedNodes(update)], ["1", "lin.a"]);
    assert.deepEqual([...updatedNodes(walkTrait().step)], []);
    assert.deepEqual(numberLines([0.5, -0.25], 2), ["0.5", "-0.25"]);
    assert.deepEqual(numberLines([1, 2, 3, 4, 5], 25), ["1", "2", "3", "… (25 in all)"]);
    assert.deepEqual(numberLines(null, 3), []);
    assert.deepEqual(numberLines([0.5, -0.25], 3, true), ["0.5  -0.25  …"]);
    const widths = new Map([["0", 2], ["1", 3], ["2", 3], ["3", 2]]);
    const point = walkTrait({sample: 4});
    // a mini-batch: no numbers; one point: on one line where three numbers fit between two
    // columns (3 × 9 characters of half an em, at 0.85 em), else one a line, four at most
    assert.deepEqual(numberRoom(walkTrait(), widths, 200, 10), {lines: 0, oneLine: true});
    assert.deepEqual(numberRoom(point, widths, 200, 10), {lines: 1, oneLine: true});
    assert.deepEqual(numberRoom(point, widths, 100, 10), {lines: 3, oneLine: false});
    assert.deepEqual(numberRoom(point, new Map([["0", 25]]), 100, 10),
      {lines: 4, oneLine: false});
  });

test("walking a deep graph: nodes big enough to read, the node at work kept in view", () => {
  const small = {scale: 20, size: 1, offset: [10, 50]};
  assert.equal(walkCamera(small, null, 700, 300).scale, WALK_SCALE);
  const read = {scale: WALK_SCALE, size: 1, offset: [30, 50]};
  const near = walkCamera(read, [1, 0], 700, 300);
  const far = walkCamera(read, [30, 0], 700, 300);
  assert.equal(near, read);  // in view: the camera stays
  assert.equal(far.offset[0] + 30 * far.scale, 350);  // out of view: centred on it
  const wide = {scale: 80, size: 1, offset: [0, 0]};
  assert.equal(walkCamera(wide, [2, 1], 700, 300), wide);
  const nodes = [{id: 0, x: 0, y: 0}, {id: 7, x: 7, y: 1}];
  assert.deepEqual(walkFocus(walkTrait({step: {node: 0}}), nodes, 7), [0, 0]);
  assert.deepEqual(walkFocus(walkTrait({step: {phase: "loss", node: null}}), nodes, 7), [8, 1]);
  assert.equal(walkFocus({}, nodes, 7), null);
});

test("a label sits at the middle of its edge", () => {
  assert.deepEqual(middle({around: false, points: [[0, 0], [5, 1], [10, 2]]}), [5, 1]);
  assert.deepEqual(middle({around: true, points: [[0, 0], [2, 0], [2, 20], [40, 20],
    [40, 0], [44, 0]]}), [21, 20]);
});

let model, view;
beforeEach(() => ({model, view} = shownGraph(page, {GraphView, Channel}, 700, 300)));

const classes = id => view.nodes.get(String(id)).group.className;

test("on the graph: the node at work outlined, its flows drawn along their edges", () => {
  view.setWalk(walkTrait());
  assert.match(classes(5), /lab-walk-here/);
  assert.doesNotMatch(classes(4), /lab-walk-here/);
  assert.match(classes(6), /lab-walk-graded/);
  const flows = view.svg.querySelectorAll(".lab-flow");
  assert.deepEqual(flows.map(f => [f.dataset.flow, f.className]), [
    ["5→6", "lab-flow lab-flow-gradient lab-flow-received"],
    ["4→5", "lab-flow lab-flow-gradient lab-flow-passed"]]);
  assert.equal(flows[1].getAttribute("d"), view.edges.get("4→5").path.getAttribute("d"));
  assert.equal(flows[1].getAttribute("marker-start"), "url(#lab-flow-gradient)");
  // the words over the thumbnails: the label and the loss beside the output
  const words = view.words;
  assert.deepEqual(words.querySelectorAll(".lab-flow-label").map(l => l.textContent),
    ["dL/dy · Wᵀ· Wᵀ"]);  // (its tooltip, then its words)
  assert.match(words.querySelector(".lab-walk-loss").textContent, /loss\s*L = 0\.0751/);
  assert.equal(words.querySelectorAll(".lab-walk-number.lab-walk-value").length, 0);
  view.setWalk({});  // the walk closed: nothing of it left
  assert.doesNotMatch(classes(5), /lab-walk/);
  assert.equal(view.svg.querySelectorAll(".lab-flow").length, 0);
  assert.equal(words.querySelectorAll(".lab-walk-loss").length, 0);
});

test("one point alone: each node's value above it and its gradient below, as numbers", () => {
  view.setWalk(walkTrait({sample: 3}));
  const numbers = view.words.querySelectorAll(".lab-walk-number[data-node]");
  const by = css => numbers.filter(n => n.classList.contains(css)).map(n => [n.dataset.node,
    n.querySelectorAll("tspan").map(t => t.textContent)]);
  // (the seed chain's nodes are 25 wide: the first numbers, and how many there are in all)
  assert.deepEqual(by("lab-walk-value").slice(0, 2), [["0", ["0", "-1", "… (25 in all)"]],
    ["1", ["0.1", "-1", "… (25 in all)"]]]);
  assert.deepEqual(by("lab-walk-grad").map(([n, lines]) => [n, lines.slice(0, 2)]),
    [5, 6, 7].map(n => [String(n), ["0.01", "-0.02"]]));
  // above and below the node's box
  const box = view.nodes.get("5").box;
  const [value, grad] = ["lab-walk-value", "lab-walk-grad"].map(css => numbers.find(
    n => n.dataset.node === "5" && n.classList.contains(css)));
  assert.ok(Number(value.getAttribute("y")) < box.y - box.hh);
  assert.ok(Number(grad.getAttribute("y")) > box.y + box.hh);
});

test("the update outlines the nodes whose parameters change; the loss step the loss", () => {
  view.setWalk(walkTrait({step: {phase: "update", node: null, flows: [], received: [
    {name: "1.weight before"}, {name: "7.bias before"}]}}));
  assert.match(classes(1), /lab-walk-updated/);
  assert.match(classes(7), /lab-walk-updated/);
  assert.doesNotMatch(classes(2), /lab-walk-updated/);
  view.setWalk(walkTrait({step: {phase: "loss", node: null, flows: []}}));
  assert.match(view.words.querySelector(".lab-walk-loss").className.baseVal
    ?? view.words.querySelector(".lab-walk-loss").className, /lab-walk-here/);
});

test("hidden gradients: no border and no edge says how large they were", () => {
  view.thumbs({frame: 1, n: 1, nodes: [], grad_norms: {1: 0.5, 2: 0.05},
    edges: [[1, 2, 0.5]], edge_mode: "gradient"}, [new DataView(new ArrayBuffer(0))]);
  assert.notEqual(view.nodes.get("1").rect.style.stroke, "");
  view.setView({...labTraits().view, hidden: ["gradients"]});
  assert.equal(view.nodes.get("1").rect.style.stroke, "");
  assert.equal(view.edges.get("1→2").path.style.stroke, "");
  assert.doesNotMatch(view.nodes.get("1").title.textContent, /‖/);
});
