// A walk's step drawn on the graph: the node at work outlined, the edges that carry its values
// (forward) or its gradients (backward) drawn as flows with what they carry written on them
// (a Sum's backward sends "a copy of dL/dy" to each input, a Concat's each its slice), the loss
// beside the output, the nodes whose parameters the update changes; and, walking one point
// alone, every value and every gradient as numbers by each node.

import {figure} from "./formula.js";
import {inside, nodeBox, zoomCamera} from "./geometry.js";
import {key, svg} from "./util.js";

const NUMBER_LINES = 4;  // numbers written above (values) or below (gradients) a node at most
const LINE = 1.15;  // em between two lines of numbers
const NUMBER_CHARS = 9;  // characters a number and its space take ("-0.2134  ")
const CHAR = 0.5;  // em a character of the numbers takes (at their size)
const NUMBER_SIZE = 0.85;  // em: the numbers' size (lab.css .lab-walk-number)

/**
 * The nodes whose parameters the update step changes ("1.weight before" → "1"), as text.
 * @param {Object} step  the walk's step (step_json)
 */
export function updatedNodes(step) {
  if (!step || step.phase !== "update") return new Set();
  return new Set(step.received.map(a => a.name.replace(/\.[^.]+ before$/, "")));
}

/**
 * The flows of a step to draw, with the loss's: [{src, dst, carries, role, label}], where src
 * and dst are node ids, or "loss" for the loss beside the output.
 * @param {Object} walk    the `walk` trait
 * @param {?(number|string)} output  the network's output node
 */
export function flowsOf(walk, output) {
  const step = walk.step;
  const flows = step.flows.map(flow => ({src: flow.src, dst: flow.dst, carries: flow.carries,
    role: flow.role, label: flowLabel(flow), how: flow.how}));
  if (step.phase === "loss") {
    flows.push({src: output, dst: "loss", carries: "value", role: "received", label: "",
      how: "the output y"},
    {src: output, dst: "loss", carries: "gradient", role: "passed", label: "dL/dy",
      how: "dL/dy, the gradient that starts the backward pass"});
  } else if (step.phase === "backward" && String(step.node) === String(output)) {
    flows.push({src: output, dst: "loss", carries: "gradient", role: "received",
      label: "dL/dy", how: "dL/dy, from the loss"});
  }
  return flows;
}

/**
 * What a gradient's flow says on the graph, in few words (its whole `how` in its tooltip): how
 * the gradient passed on is made from dL/dy ("· Wᵀ", "⊙ (1 − y²)"), that a Sum copies it
 * ("copy") and a Concat splits it ("copy of [:, 0:25]"), that a node fed by several sums
 * what they send back ("Σ"). A value's flow says nothing: its arrow is enough.
 */
export function flowLabel(flow) {
  if (flow.carries !== "gradient") return "";
  const how = flow.how || "";
  if (how.startsWith("a copy of dL/dy[")) return `copy of ${how.slice("a copy of dL/dy".length)}`;
  if (how.startsWith("a copy of")) return "copy";
  if (how.startsWith("summed with")) return "Σ";
  if (how.startsWith("dL/dy ")) return how.slice("dL/dy ".length);
  return how;
}

/**
 * The lines of numbers written by a node, or [] if none is known: all on one line when
 * `oneLine`, else one number a line, at most NUMBER_LINES (the rest said in one line).
 * @param {?Array<?number>} values  the first row of the node's output or gradient (cut)
 * @param {?number} width  how many the node has in all
 */
export function numberLines(values, width, oneLine = false) {
  if (!values) return [];
  const all = width || values.length;
  if (oneLine) return [values.map(figure).join("  ") + (all > values.length ? "  …" : "")];
  if (all <= NUMBER_LINES) return values.map(figure);
  return [...values.slice(0, NUMBER_LINES - 1).map(figure), `… (${all} in all)`];
}

/**
 * How a walk writes its numbers by the nodes: `lines` above (values) and below (gradients)
 * each node, all on one line if the widest node's numbers fit between two columns of the
 * graph (`spacing` pixels; `em` pixels an em). None when it walks a mini-batch: only one point
 * alone is written out number by number.
 * @returns {{lines: number, oneLine: boolean}}
 */
export function numberRoom(walk, widths, spacing, em) {
  if (!walk || walk.index === undefined || walk.sample === null) return {lines: 0, oneLine: true};
  const widest = Math.min(8, Math.max(1, ...walk.nodes.map(n => widths.get(String(n.node)) || 1)));
  const oneLine = widest * NUMBER_CHARS * CHAR * NUMBER_SIZE * em <= 0.95 * spacing;
  return {lines: oneLine ? 1 : Math.min(widest, NUMBER_LINES), oneLine};
}

export const WALK_SCALE = 48;  // pixels a column at least while walking

/**
 * Walking, the graph's camera: at least WALK_SCALE pixels a column (a deep graph's nodes big
 * enough to read; only part of it in view then), and moved, if need be, so that the node at
 * graph point `focus` ([column, row]: the node at work) is in the area (`width` × `height`),
 * at its centre.
 * @param {import("./geometry.js").Camera} camera
 */
export function walkCamera(camera, focus, width, height) {
  let view = camera;
  if (view.scale < WALK_SCALE) view = zoomCamera(view, WALK_SCALE / view.scale, [width / 2,
    height / 2]);
  if (!focus) return view;
  const box = nodeBox(view, ...focus);
  if (inside(box, width, height)) return view;
  return {...view, offset: [view.offset[0] + width / 2 - box.x, view.offset[1] + height / 2
    - box.y]};
}

/** Where the walk is at on the graph ([column, row]): its node, or by the loss beside the
 * output (at the loss and the update); null without a walk. */
export function walkFocus(walk, nodes, output) {
  if (!walk || walk.index === undefined) return null;
  const step = walk.step;
  const at = nodes.find(n => String(n.id) === String(step.node === null ? output : step.node));
  if (!at) return null;
  return step.node === null ? [at.x + 1, at.y] : [at.x, at.y];
}

/** The middle of an edge's route (its points), and which way it runs there. */
export function middle(route) {
  const points = route.points;
  let best = [points[0], points[points.length - 1]];
  let longest = -1;
  for (let i = 1; i < points.length; i++) {
    const length = Math.hypot(points[i][0] - points[i - 1][0], points[i][1] - points[i - 1][1]);
    if (length > longest) [longest, best] = [length, [points[i - 1], points[i]]];
  }
  if (!route.around) {  // a curve: its middle point
    const mid = points[Math.floor(points.length / 2)];
    return [mid[0], mid[1]];
  }
  return [(best[0][0] + best[1][0]) / 2, (best[0][1] + best[1][1]) / 2];
}

/** The arrow heads of the flows (for the graph's <defs>): a value's forward, a gradient's
 * back towards the node it is passed to. */
export function markers() {
  return ["value", "gradient"].map(carries => svg("marker", {id: `lab-flow-${carries}`,
    viewBox: "0 0 10 10", refX: 8, refY: 5, markerWidth: 11, markerHeight: 11,
    markerUnits: "userSpaceOnUse", orient: "auto-start-reverse"},
  svg("path", {d: "M 0 0 L 10 5 L 0 10 z", class: `lab-flow-head lab-flow-${carries}`})));
}

/** The walk drawn over the graph: two layers, under the nodes (flows) and over them (words). */
export class FlowLayer {
  constructor() {
    this.under = svg("g", {class: "lab-flows"});
    this.over = svg("g", {class: "lab-flow-words"});
  }

  /**
   * Draw `walk` on the graph drawn in `nodes` and `edges` (GraphView's maps), `em` pixels an
   * em, a point's numbers on one line each if `oneLine`; nothing when there is no walk.
   */
  draw(walk, {nodes, edges, output, em, oneLine = false}) {
    this.under.replaceChildren();
    this.over.replaceChildren();
    const walking = !!walk && walk.index !== undefined;
    const step = walking ? walk.step : null;
    const updated = updatedNodes(step);
    const known = new Map(walking ? walk.nodes.map(n => [String(n.node), n]) : []);
    for (const [id, drawn] of nodes) {
      const here = walking && step.node !== null && String(step.node) === id;
      const info = known.get(id);
      drawn.group.classList.toggle("lab-walk-here", here);
      drawn.group.classList.toggle("lab-walk-updated", updated.has(id));
      drawn.group.classList.toggle("lab-walk-valued", !!info && info.value !== null);
      drawn.group.classList.toggle("lab-walk-graded", !!info && info.grad !== null);
    }
    if (!walking) return;
    const loss = this.drawLoss(walk, nodes.get(String(output)), em);
    for (const flow of flowsOf(walk, output)) this.drawFlow(flow, edges, loss, em);
    if (walk.sample !== null) this.drawNumbers(walk, nodes, em, oneLine);
  }

  /** The loss, a box beside the output node (its value once the walk has reached it). */
  drawLoss(walk, out, em) {
    if (!out) return null;
    const box = out.box;
    const value = walk.loss === null ? "L = ?" : `L = ${figure(walk.loss)}`;
    const [w, h] = [Math.max(0.62 * em * value.length + em, box.hw * 1.6), 2.6 * em];
    const x = box.x + box.hw + 1.8 * em;
    const here = walk.step.phase === "loss";
    const group = svg("g", {class: `lab-walk-loss${here ? " lab-walk-here" : ""}`,
      transform: `translate(${x},${box.y})`},
    svg("rect", {x: 0, y: -h / 2, width: w, height: h, rx: 4}),
    svg("text", {x: w / 2, y: -0.25 * em, "text-anchor": "middle"}, "loss"),
    svg("text", {class: "lab-walk-number", x: w / 2, y: 0.95 * em, "text-anchor": "middle"},
      value));
    this.over.append(group);
    const from = [box.x + box.hw, box.y];
    return {from, to: [x, box.y]};
  }

  /** A flow along its edge (or to the loss), with its label at the middle. */
  drawFlow(flow, edges, loss, em) {
    let d;
    let at;
    if (flow.dst === "loss") {
      if (!loss) return;
      const [[x1, y1], [x2, y2]] = [loss.from, loss.to];
      d = `M ${x1} ${y1} L ${x2} ${y2}`;
      at = [(x1 + x2) / 2, y1 - 1.1 * em];
    } else {
      const drawn = edges.get(key(flow.src, flow.dst));
      if (!drawn) return;
      d = drawn.path.getAttribute("d");
      const [x, y] = middle(drawn.route);
      at = [x, y - 1.1 * em];  // (over the edge, not on its arrow)
    }
    const gradient = flow.carries === "gradient";
    this.under.append(svg("path", {d, class: `lab-flow lab-flow-${flow.carries} `
      + `lab-flow-${flow.role}`, "data-flow": `${flow.src}→${flow.dst}`,
    [gradient ? "marker-start" : "marker-end"]: `url(#lab-flow-${flow.carries})`}));
    if (flow.label) this.label(flow, at, em);
  }

  /** A flow's words on a pill, centred at `at` (its whole `how` as its tooltip). */
  label(flow, [x, y], em) {
    const width = 0.5 * em * flow.label.length + 0.9 * em;
    this.over.append(svg("g", {class: `lab-flow-label lab-flow-${flow.carries}`,
      "data-flow": `${flow.src}→${flow.dst}`, transform: `translate(${x},${y})`},
    svg("title", {}, flow.how || flow.label),
    svg("rect", {x: -width / 2, y: -0.68 * em, width, height: 1.36 * em, rx: 0.68 * em}),
    svg("text", {x: 0, y: 0.3 * em, "text-anchor": "middle"}, flow.label)));
  }

  /** One point alone: each node's value above it, its gradient below it, as numbers. */
  drawNumbers(walk, nodes, em, oneLine) {
    for (const info of walk.nodes) {
      const drawn = nodes.get(String(info.node));
      if (!drawn) continue;
      const {x, y, hh} = drawn.box;
      const width = drawn.node.width;
      const above = numberLines(info.value, width, oneLine);
      const below = numberLines(info.grad, width, oneLine);
      const block = (lines, top, css) => svg("text", {class: `lab-walk-number ${css}`,
        "data-node": info.node, x, y: top, "text-anchor": "middle"},
      ...lines.map((line, i) => svg("tspan", {x, dy: i ? `${LINE}em` : 0}, line)));
      const line = LINE * NUMBER_SIZE * em;
      if (above.length) {
        this.over.append(block(above, y - hh - 1.3 * em - (above.length - 1) * line,
          "lab-walk-value"));
      }
      if (below.length) this.over.append(block(below, y + hh + 1.05 * em, "lab-walk-grad"));
    }
  }
}
