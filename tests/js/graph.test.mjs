// graph.js: the graph drawn from the `graph` trait, holding still while it is edited (fit
// anew on Fit, Tidy, a preset, another graph, or a node out of view), and the surface the
// gestures see: which node or edge is under a point.
import assert from "node:assert/strict";
import {beforeEach, test} from "node:test";

import {installDom, pointer, setBox} from "./dom.mjs";
import {shownGraph} from "./model.mjs";

const page = installDom();
const {GraphView} = await import("../../labnet/lab/static/graph.js");
const {Channel} = await import("../../labnet/lab/static/protocol.js");

let model, view, traits;
beforeEach(() => ({model, view, traits} = shownGraph(page, {GraphView, Channel}, 520, 290)));

const at = id => view.nodes.get(String(id)).group.getAttribute("transform");
const withNodes = (graph, nodes) => ({...graph, nodes});

test("every node and edge of the trait is drawn, the output marked", () => {
  assert.deepEqual(view.svg.querySelectorAll("[data-node]").map(g => g.dataset.node),
    ["0", "1", "2", "3", "4", "5", "6", "7"]);
  assert.equal(view.svg.querySelectorAll(".lab-edge-hit").length, 7);
  assert.ok(view.nodes.get("7").group.classList.contains("lab-output"));
  assert.equal(view.svg.querySelectorAll('[data-delete="0"]').length, 0);  // not the input
  // − and + on each Linear, nothing on the others
  assert.deepEqual(view.svg.querySelectorAll("[data-widen]").map(b => b.dataset.widen),
    ["1", "1", "3", "3", "5", "5", "7", "7"]);
});

test("the drawing holds still while the graph is edited", () => {
  const before = [1, 3, 7].map(at);
  const graph = traits.graph;
  const tanh = withNodes(graph, graph.nodes.map(n => (n.id === 2 ? {...n, kind: "Tanh",
    label: "Tanh"} : n)));
  view.setGraph(tanh);  // a node replaced
  assert.deepEqual([1, 3, 7].map(at), before);
  const loose = {id: 8, kind: "Linear", label: "Linear 25", short: "L25", x: 3.4, y: 0.8,
    params: {width: 25}, width: 25, trained: false};
  view.setGraph(withNodes(tanh, [...tanh.nodes, loose]));  // a node dropped in view
  assert.deepEqual([1, 3, 7].map(at), before);
  view.setGraph({...tanh, nodes: tanh.nodes.filter(n => n.id !== 5),
    edges: tanh.edges.filter(e => !e.includes(5)).concat([[4, 6]])});  // a node removed
  assert.deepEqual([1, 3, 7].map(at), before);
});

test("a node put out of view, a new graph, Fit and Tidy fit the whole graph anew", () => {
  const graph = traits.graph;
  const before = at(1);
  const far = {id: 8, kind: "ReLU", label: "ReLU", short: "ReLU", x: 12, y: 0, params: {},
    width: 25, trained: false};
  view.setGraph(withNodes(graph, [...graph.nodes, far]));
  assert.notEqual(at(1), before);
  const box = view.nodes.get("8").box;
  assert.ok(box.x + box.hw <= 520, `node 8 at ${box.x}`);
  // a preset (most nodes changed): fit, even if all are in view
  view.zoomBy(2, [100, 100]);
  const zoomed = at(1);
  view.setGraph(withNodes(graph, graph.nodes.map(n => ({...n, kind: "Sum"}))));
  assert.notEqual(at(1), zoomed);
  // Fit
  view.zoomBy(2, [100, 100]);
  view.palette.tools.querySelector(".lab-zoom-fit").click();
  assert.notEqual(at(1), zoomed);
  // Tidy: its intent, and the graph that comes back is fit
  view.zoomBy(1.5, [50, 50]);
  const tidy = at(1);
  view.palette.tools.querySelector(".lab-tidy").click();
  assert.deepEqual(model.intents().at(-1), ["tidy", {}]);
  view.setGraph(graph);
  assert.notEqual(at(1), tidy);
});

test("a new size of the area fits the graph to it", () => {
  const before = view.nodes.get("7").box;
  page.resize(view.area, 900, 400);
  const after = view.nodes.get("7").box;
  assert.ok(after.x > before.x && after.hw >= before.hw);
});

test("the surface finds the node and the edge under a point", () => {
  const surface = view.surface();
  const two = view.nodes.get("2").box;
  assert.equal(surface.nodeAt([two.x, two.y + two.hh - 1]), "2");
  const [a, b] = [view.nodes.get("6").box, view.nodes.get("7").box];
  const middle = [(a.x + a.hw + b.x - b.hw) / 2, a.y + 5];
  assert.equal(surface.nodeAt(middle), null);
  assert.deepEqual(surface.edgeAt(middle), [6, 7]);
  assert.equal(surface.edgeAt([middle[0], middle[1] + 40]), null);
  assert.equal(surface.idOf("3"), 3);
  assert.equal(surface.node("7").node.label, "Linear 2");
});

test("a pan moves the drawing and the camera keeps it; points follow the pan", () => {
  const surface = view.surface();
  const two = view.nodes.get("2").box;
  surface.panBy([30, -10]);
  assert.equal(surface.nodeAt([two.x + 30, two.y - 10]), "2");
  surface.endPan();
  assert.equal(view.layer.getAttribute("transform"), "translate(0,0)");
  assert.ok(Math.abs(view.nodes.get("2").box.x - (two.x + 30)) < 1e-9);
  const graphPoint = surface.toGraph([view.nodes.get("2").box.x, view.nodes.get("2").box.y]);
  assert.ok(Math.abs(graphPoint[0] - 2) < 1e-9 && Math.abs(graphPoint[1]) < 1e-9);
});

test("a refusal shows the lab's reason beside the point, inside the area", async () => {
  const sent = view.send("connect", {src: 7, dst: 1}, [500, 280]);
  view.channel.answer({id: model.lastIntent().id, ok: false,
    error: "edge 7 → 1 would make a cycle"});
  await sent;
  assert.equal(view.refusal.hidden, false);
  assert.match(view.refusal.textContent, /cycle/);
  clearTimeout(view.refusalTimer);
});

test("thumbnails are painted at their nodes and each frame is told painted", () => {
  const n = 4;
  const nodes = traits.graph.nodes.map(node => ({id: node.id, unit: 0, low: 0, high: 1}));
  const bytes = new Uint8Array(n * n * nodes.length).fill(200);
  view.thumbs({frame: 3, n, nodes, grad_norms: {1: 0.5, 2: 0.1}, edges: [[1, 2, 0.3]],
    edge_mode: "gradient"}, [new DataView(bytes.buffer)]);
  const drawn = view.thumbCanvas.getContext("2d").calls.filter(c => c[0] === "drawImage");
  assert.equal(drawn.length, 8);
  assert.notEqual(view.nodes.get("1").rect.style.stroke, "");
  assert.equal(view.nodes.get("3").rect.style.stroke, "");  // no norm: not coloured
  assert.deepEqual(view.channel.frames, {thumbs: 3});
  view.channel.close();
});

test("an edge a frame gives no norm (a new preset, Reset: not trained) loses its colour", () => {
  const n = 4;
  const nodes = traits.graph.nodes.map(node => ({id: node.id, unit: 0, low: 0, high: 1}));
  const bytes = () => [new DataView(new Uint8Array(n * n * nodes.length).buffer)];
  view.thumbs({frame: 1, n, nodes, grad_norms: {1: 0.5, 2: 0.1}, edges: [[1, 2, 0.3]],
    edge_mode: "gradient"}, bytes());
  const edge = view.edges.get("1→2").path;
  assert.notEqual(edge.style.stroke, "");
  view.thumbs({frame: 2, n, nodes, grad_norms: {}, edges: [], edge_mode: "gradient"}, bytes());
  assert.equal(edge.style.stroke, "");  // (the colour of a network that is gone)
  assert.equal(edge.style.strokeWidth, "");
  assert.equal(view.nodes.get("1").rect.style.stroke, "");
  view.setGraph({...traits.graph, nodes: [...traits.graph.nodes]});  // drawn anew: still plain
  assert.equal(view.edges.get("1→2").path.style.stroke, "");
  view.channel.close();
});

test("gradients hidden (a class predicts them first): no border, edge or title tells them", () => {
  const n = 4;
  const nodes = traits.graph.nodes.map(node => ({id: node.id, unit: 0, low: 0, high: 1}));
  view.thumbs({frame: 1, n, nodes, grad_norms: {1: 0.5, 2: 0.1}, edges: [[1, 2, 0.3]],
    edge_mode: "gradient"}, [new DataView(new Uint8Array(n * n * nodes.length).buffer)]);
  view.setView({...traits.view, hidden: ["gradients"]});
  const [node, edge] = [view.nodes.get("1"), view.edges.get("1→2")];
  assert.equal(node.rect.style.stroke, "");
  assert.equal(edge.path.style.stroke, "");
  assert.doesNotMatch(node.title.textContent + edge.title.textContent, /‖|0\.5|0\.3/);
  view.setGraph({...traits.graph, nodes: [...traits.graph.nodes]});  // drawn anew: still hidden
  assert.equal(view.nodes.get("1").rect.style.stroke, "");
  assert.equal(view.edges.get("1→2").path.style.stroke, "");
  view.setView({...traits.view, hidden: []});  // revealed: at once
  assert.notEqual(view.nodes.get("1").rect.style.stroke, "");
  assert.notEqual(view.edges.get("1→2").path.style.stroke, "");
  view.channel.close();
});

test("the pointer resting on an edge asks for its weights; off it, the card goes", t => {
  t.mock.timers.enable({apis: ["setTimeout"]});
  const hit = view.svg.querySelector('.lab-edge-hit[data-edge="2→3"]');
  hit.dispatchEvent(pointer("pointerover", 100, 50));
  t.mock.timers.tick(200);
  assert.deepEqual(model.intents(), [["edge_weights", {src: 2, dst: 3}]]);
  view.weights.show({src: 2, dst: 3, text: "ReLU has no weights"});
  assert.equal(view.weights.element.hidden, false);
  hit.dispatchEvent(pointer("pointerout", 100, 50));
  t.mock.timers.tick(1000);
  assert.equal(view.weights.element.hidden, true);
  view.nodes.get("2").group.dispatchEvent(pointer("pointerover", 10, 10));  // a node: nothing
  t.mock.timers.tick(1000);
  assert.equal(model.intents().length, 1);
});

test("the input has ƒ, which opens its features beside it, pressed as the graph says", () => {
  const buttons = view.svg.querySelectorAll("[data-features]");
  assert.deepEqual(buttons.map(b => b.dataset.features), ["0"]);
  assert.equal(view.inputs.isOpen, false);
  buttons[0].dispatchEvent(pointer("pointerdown", 0, 0));
  assert.equal(view.inputs.isOpen, true);
  view.setGraph({...traits.graph, features: ["x1", "x2", "x1^2"]});
  const pressed = view.inputs.element.querySelectorAll('.lab-feature[aria-pressed="true"]');
  assert.deepEqual(pressed.map(b => b.dataset.feature), ["x1", "x2", "x1^2"]);
  assert.equal(view.inputs.isOpen, true);  // (it stays, beside the input)
  view.svg.dispatchEvent(pointer("pointerdown", 300, 200));  // a press elsewhere closes it
  assert.equal(view.inputs.isOpen, false);
});

test("the input's label sits right of its ƒ, whole inside the box", () => {
  const {group, box} = view.nodes.get("0");
  const text = group.querySelector(".lab-node-label");
  const button = group.querySelector(".lab-features-button");
  const radius = Number(button.querySelector("circle").getAttribute("r"));
  const buttonRight = -box.hw + 2 + radius;  // (ƒ's centre is 2 px in from the corner)
  const fontSize = parseFloat(text.getAttribute("style").match(/font-size:([\d.]+)px/)[1]);
  const half = 0.6 * fontSize * text.textContent.length / 2;  // (the width the label allows)
  const x = Number(text.getAttribute("x"));
  assert.ok(x - half >= buttonRight, `the label starts at ${x - half}, ƒ ends at ${buttonRight}`);
  assert.ok(x + half <= box.hw - 1);  // (the font size is rounded to 0.1 px)
});
