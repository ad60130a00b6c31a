// The Inside tab: a launcher for the walk through one training step, which happens on the
// graph (walk.js under it, flows.js on it), and what the walk's keys do. (One unit of a node
// over the plane: unit.js.)

import {h} from "./util.js";

export class InsideView {
  /** @param {import("./protocol.js").Channel} channel */
  constructor(channel) {
    this.channel = channel;
    this.start = h("button", {class: "lab-walk-start", title: "walk through the next "
      + "mini-batch on the graph, node by node (its update is a training step)",
    onclick: () => channel.intent("start_walk")}, "Walk a mini-batch");
    this.point = h("button", {class: "lab-walk-start-point", title: "walk one training point "
      + "alone: every value and gradient as a number by its node (click a point of the plane "
      + "to pick another; its update is only shown)",
    onclick: () => channel.intent("start_walk", {sample: 0})}, "Walk one point");
    this.state = h("p", {class: "lab-walk-state"});
    this.element = h("div", {class: "lab-inside"},
      h("section", {}, h("h4", {}, "One training step, node by node, on the graph"),
        h("div", {class: "lab-row"}, this.start, this.point),
        this.state,
        h("p", {class: "lab-hint"}, "Forward, the loss, backward, then the update: each node "
          + "shows what it receives and passes on, and its chain rule with the step's numbers. "
          + "Keys: → next, ← back, Home, End, Esc to close; drag the bar of steps to go "
          + "anywhere. One point alone on a tiny network (the preset tiny) is every number a "
          + "student can redo by hand.")));
    this.setWalk({});
  }

  /** @param {Object} walk  the `walk` trait ({} when there is no walk) */
  setWalk(walk) {
    const going = walk.index !== undefined;
    this.state.textContent = going ? `A walk is under way, above: step ${walk.index + 1} of `
      + `${walk.total}.` : "No walk under way.";
  }
}
