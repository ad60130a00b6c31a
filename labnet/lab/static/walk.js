// The walk through one training step, under the graph it is drawn on (flows.js): its bar (back,
// next, a scrubber over every step, the walk of a mini-batch or of one point alone, whether its
// update is made or only shown, close), what the step does in words, and the node at work:
// what it receives and what it passes on, each a heatmap with its scale (the pointer reads its
// values), and its equations written out with the step's numbers (formula.js). The keys: → and
// ← step, Home and End go to the first and last step, Escape closes. Every move is an intent
// (walk_next, walk_back, walk_to, start_walk, end_walk); the walk that comes back is drawn.

import {figure, formulaElement} from "./formula.js";
import {Heatmap, shapeText} from "./heatmap.js";
import {colourTable, h, typedArray} from "./util.js";

const UPDATE_CELL = 1.1;  // em: the update's cells at most (every parameter in view at once)
const KEYS = {ArrowRight: "next", ArrowLeft: "back", Home: "first", End: "last",
  Escape: "close"};

/**
 * The steps of a plan in bands of one phase: [{phase, start, stop}] (stop excluded), for the
 * scrubber's colours.
 * @param {Array<[string, ?(number|string)]>} plan
 */
export function phaseBands(plan) {
  const bands = [];
  plan.forEach(([phase], i) => {
    const last = bands[bands.length - 1];
    if (last && last.phase === phase) last.stop = i + 1;
    else bands.push({phase, start: i, stop: i + 1});
  });
  return bands;
}

/** The step of a plan of `total` steps under a point `fraction` (0 to 1) of the scrubber. */
export function stepAt(fraction, total) {
  return Math.max(0, Math.min(total - 1, Math.floor(fraction * total)));
}

/** A step of the plan in words: "backward · node 5". */
export function stepWords([phase, node]) {
  return node === null || node === undefined ? phase : `${phase} · node ${node}`;
}

/**
 * The step of `plan` that a click on `node` goes to: its forward step while the walk goes
 * forward, else (from the loss on) its backward step; -1 if the plan has none.
 */
export function stepOf(plan, index, node) {
  const phase = plan[index][0] === "forward" ? "forward" : "backward";
  return plan.findIndex(([p, n]) => p === phase && n !== null && String(n) === String(node));
}

/** What the walk's update does, in words: made (a training step), or shown only. */
export function updateWords(walk) {
  return walk.train ? "its update is made: a training step"
    : `its update is shown only: the weights stay (lr ${walk.lr})`;
}

/** The walk of a mini-batch or of one point, in words. */
export function pointWords(walk) {
  if (walk.sample === null) return `a mini-batch of ${walk.batch} points`;
  const point = walk.point;
  const where = point ? ` at (${point.x1.toPrecision(3)}, ${point.x2.toPrecision(3)}), class `
    + `${point.label}` : "";
  return `training point ${walk.sample} alone${where}`;
}

/**
 * What the input node passes on, said where its numbers are: walking one point alone with
 * standardised inputs, "x = (0.894, 0.86), standardised: (1.402, 1.269) = (x − mean) / std, mean
 * (…), std (…)"; "" otherwise (nothing to say: the numbers are the point's own).
 */
export function inputWords(walk) {
  const scaling = walk.scaling;
  if (walk.sample === null || !scaling) return "";
  const row = values => `(${values.map(figure).join(", ")})`;
  return `x = ${row(scaling.x)}, standardised: ${row(scaling.scaled)} = (x − mean) / std, `
    + `mean ${row(scaling.mean)}, std ${row(scaling.std)}`;
}

/**
 * The update's arrays by parameter: [[name, before, step, after], ...] ("1.weight"), from the
 * walk maps' arrays ("1.weight before", "1.weight step", "1.weight after").
 */
export function updateRows(arrays) {
  const byName = new Map(arrays.map(a => [a.name, a]));
  return arrays.filter(a => a.name.endsWith(" before")).map(before => {
    const name = before.name.slice(0, -" before".length);
    return [name, before, byName.get(`${name} step`), byName.get(`${name} after`)];
  });
}

export class WalkView {
  /**
   * @param {import("./protocol.js").Channel} channel
   * @param {HTMLElement} root  the lab (its keys, its font size)
   */
  constructor(channel, root) {
    this.channel = channel;
    this.root = root;
    this.walk = null;
    this.maps = null;
    this.table = null;
    this.lastSample = 0;
    this.wanted = null;  // the step the scrubber asks for, while a walk_to is on its way
    this.sending = false;
    const button = (css, text, title, onclick) => h("button", {class: css, title, onclick},
      text);
    /** In the graph's corner: start a walk through the next training step. */
    this.launcher = button("lab-walk-launch", "Walk ▸", "walk through the next training step on "
      + "the graph, node by node (keys: → ←)", () => this.start(null));
    this.backButton = button("lab-walk-back", "◀", "one step back (←)", () => this.move("back"));
    this.nextButton = button("lab-walk-next", "▶", "one step further (→)",
      () => this.move("next"));
    this.finishButton = button("lab-walk-finish", "⇥", "on to the update (End)",
      () => this.move("last"));
    this.thumb = h("span", {class: "lab-scrub-thumb"});
    this.bands = h("span", {class: "lab-scrub-bands"});
    this.scrubber = h("div", {class: "lab-scrub", role: "slider", tabindex: 0,
      "aria-label": "the step of the walk"}, this.bands, this.thumb);
    this.title = h("span", {class: "lab-walk-title"});
    this.batchButton = button("lab-walk-batch", "mini-batch",
      "walk the next mini-batch: its update is a training step", () => this.start(null));
    this.pointButton = button("lab-walk-point", "one point",
      "walk one training point alone: every number by each node (click a point of the plane "
      + "to pick another); its update is only shown", () => this.start(this.lastSample));
    this.update = h("span", {class: "lab-walk-update"});
    this.input = h("div", {class: "lab-walk-input"});
    this.closeButton = button("lab-walk-close", "✕", "close the walk (Esc)",
      () => this.move("close"));
    this.text = h("div", {class: "lab-walk-says", "aria-live": "polite"});
    this.received = h("div", {class: "lab-walk-arrays lab-walk-received"});
    this.passed = h("div", {class: "lab-walk-arrays lab-walk-passed"});
    this.node = h("div", {class: "lab-walk-node"});
    this.flow = h("div", {class: "lab-walk-flow"},
      h("div", {class: "lab-walk-column"}, h("h4", {}, "receives"), this.received),
      this.node,
      h("div", {class: "lab-walk-column"}, h("h4", {}, "passes on"), this.passed));
    this.updates = h("div", {class: "lab-walk-updates"});
    this.picture = h("div", {class: "lab-walk-picture"}, this.flow, this.updates);
    this.formulas = h("div", {class: "lab-walk-formulas"});
    this.tip = h("div", {class: "lab-tip lab-walk-tip", hidden: true});
    this.element = h("section", {class: "lab-card lab-walk", tabindex: -1, hidden: true},
      h("div", {class: "lab-walk-bar"}, this.backButton, this.nextButton, this.scrubber,
        this.finishButton,
        h("span", {class: "lab-walk-modes", role: "group", "aria-label": "what to walk"},
          this.batchButton, this.pointButton), this.closeButton),
      h("div", {class: "lab-walk-line"}, this.title, this.update),
      this.input,
      this.text,
      h("div", {class: "lab-walk-body"}, this.picture, this.formulas),
      this.tip);
    this.scrubber.addEventListener("pointerdown", event => this.scrub(event));
    this.scrubber.addEventListener("pointermove", event => this.scrubHover(event));
  }

  setSettings(settings) {
    this.table = colourTable(settings.colours.boundary);
  }

  // -- the keys -------------------------------------------------------------------------------
  /** The keys of the walk, wherever the lab has the focus but in a text box or a menu. */
  keyed(event) {
    const what = KEYS[event.key];
    if (!what || !this.walk || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target && target.closest && target.closest("input, select, textarea")) return;
    event.preventDefault();
    this.move(what);
  }

  /** Send the intent of a move: next, back, first, last, close. */
  move(what) {
    if (!this.walk) return null;
    const last = this.walk.total - 1;
    const intents = {next: ["walk_next"], back: ["walk_back"], first: ["walk_to", {index: 0}],
      last: ["walk_to", {index: last}], close: ["end_walk"]};
    const [action, args] = intents[what];
    return this.channel.intent(action, args || {});
  }

  /** Start a walk: of the next mini-batch (sample null), or of one training point. */
  start(sample) {
    return this.channel.intent("start_walk", sample === null ? {} : {sample});
  }

  // -- the scrubber ---------------------------------------------------------------------------
  fraction(event) {
    const box = this.scrubber.getBoundingClientRect();
    return box.width > 0 ? (event.clientX - box.left) / box.width : 0;
  }

  scrub(event) {
    if (!this.walk || event.button !== 0) return;
    event.preventDefault();
    const go = e => this.goTo(stepAt(this.fraction(e), this.walk.total));
    go(event);
    const move = e => { if (e.buttons & 1) go(e); };
    const up = () => {
      window.removeEventListener("pointermove", move);
      window.removeEventListener("pointerup", up);
    };
    window.addEventListener("pointermove", move);
    window.addEventListener("pointerup", up);
  }

  scrubHover(event) {
    if (!this.walk) return;
    const index = stepAt(this.fraction(event), this.walk.total);
    this.scrubber.title = `step ${index + 1}: ${stepWords(this.walk.plan[index])}`;
  }

  /** A node of the graph clicked: its step in the pass the walk is in. */
  nodeClicked(node) {
    if (!this.walk) return;
    const index = stepOf(this.walk.plan, this.walk.index, node);
    if (index >= 0) this.goTo(index);
  }

  /** Go to step `index`: one walk_to at a time, the last one asked for after it. */
  goTo(index) {
    this.wanted = index;
    if (this.sending || !this.walk || index === this.walk.index) return;
    this.sending = true;
    this.channel.intent("walk_to", {index}).then(() => {
      this.sending = false;
      if (this.walk && this.wanted !== null && this.wanted !== this.walk.index) {
        this.goTo(this.wanted);
      }
    });
  }

  drawScrubber(walk) {
    const total = walk.total;
    this.bands.replaceChildren(...phaseBands(walk.plan).map(band => h("span", {
      class: `lab-scrub-band lab-phase-${band.phase}`,
      style: `left:${100 * band.start / total}%;width:${100 * (band.stop - band.start) / total}%`,
    })));
    this.thumb.style.left = `${100 * walk.index / total}%`;
    this.thumb.style.width = `${100 / total}%`;
    this.scrubber.setAttribute("aria-valuemin", 0);
    this.scrubber.setAttribute("aria-valuemax", total - 1);
    this.scrubber.setAttribute("aria-valuenow", walk.index);
    this.scrubber.setAttribute("aria-valuetext", stepWords(walk.plan[walk.index]));
  }

  // -- the walk from the kernel ---------------------------------------------------------------
  /** @param {Object} walk  the `walk` trait ({} when there is none) */
  setWalk(walk) {
    const going = walk && walk.index !== undefined;
    const started = going && !this.walk;
    // (one point or a mini-batch: the graph is taller or not, the walk moved: in view again)
    const moved = going && !!this.walk && (walk.sample === null) !== (this.walk.sample === null);
    this.walk = going ? walk : null;
    this.element.hidden = !going;
    this.root.classList.toggle("lab-walking", going);
    this.root.classList.toggle("lab-walking-point", going && walk.sample !== null);
    if (!going) {
      this.maps = null;
      return;
    }
    if (walk.sample !== null) this.lastSample = walk.sample;
    const step = walk.step;
    this.backButton.disabled = walk.at_start;
    this.nextButton.disabled = walk.done;
    this.finishButton.disabled = walk.done;
    this.batchButton.setAttribute("aria-pressed", String(walk.sample === null));
    this.pointButton.setAttribute("aria-pressed", String(walk.sample !== null));
    this.drawScrubber(walk);
    const module = step.module === step.phase ? "" : ` · ${step.module}`;
    this.title.replaceChildren(h("b", {}, `${walk.index + 1}/${walk.total} · `
      + stepWords([step.phase, step.node])), module, ` · ${pointWords(walk)}`);
    this.update.textContent = updateWords(walk);
    this.input.textContent = inputWords(walk);
    this.input.hidden = !this.input.textContent;
    this.update.classList.toggle("lab-shown-only", !walk.train);
    this.text.textContent = step.text;
    this.node.replaceChildren(h("span", {class: `lab-walk-chip lab-phase-${step.phase}`},
      step.node === null ? step.module : `node ${step.node}`),
    h("span", {class: "lab-walk-arrow"}, step.phase === "backward" ? "⟵" : "⟶"));
    this.formulas.replaceChildren(...step.formulas.map(formulaElement));
    if (step.left_out && step.left_out.formulas) {
      this.formulas.append(h("p", {class: "lab-formula-note"},
        `(and ${step.left_out.formulas} more equations)`));
    }
    this.drawArrays();
    if (started) this.element.focus({preventScroll: true});  // the keys reach the walk
    if (started || moved) {  // the graph and the walk under it, in view (once laid out anew)
      requestAnimationFrame(() => {
        const graph = this.root.querySelector(".lab-graph");
        if (graph && graph.scrollIntoView) graph.scrollIntoView({block: "start"});
      });
    }
  }

  /** The step's arrays as heatmaps (a WalkMaps message). */
  walkMaps(content, buffers) {
    this.maps = {index: content.index, arrays: content.arrays.map((array, i) => ({...array,
      values: typedArray(Float32Array, buffers[i])}))};
    this.drawArrays();
  }

  drawArrays() {
    const fresh = this.walk && this.maps && this.maps.index === this.walk.index;
    if (!fresh || !this.table) return;  // (the step's maps come after its trait)
    // (an em of a heatmap: lab.css draws them at 0.85 of the walk's size)
    const em = 0.85 * (parseFloat(getComputedStyle(this.element).getPropertyValue("font-size"))
      || 13);
    const tip = (text, event) => this.showTip(text, event);
    const draw = (a, caption = null, largest = 2) => (a ? new Heatmap(a, a.values, this.table,
      tip, em, caption, caption === null, largest).element : null);  // (the update's: numbers
    // in its equations)
    const arrays = this.maps.arrays;
    const update = this.walk.step.phase === "update";
    this.flow.hidden = update;
    this.updates.hidden = !update;
    if (update) {  // each parameter a row: before, its step, after (said once, over the rows)
      const heads = h("div", {class: "lab-walk-update-heads"},
        h("span", {class: "lab-walk-parameter"}), ...["before", "step", "after"].map(
          (words, i) => [i ? h("span", {class: "lab-sign"}, i === 1 ? "+" : "=") : null,
            h("span", {class: "lab-walk-update-head"}, words)]).flat());
      this.updates.replaceChildren(heads, ...updateRows(arrays).map(
        ([name, before, step, after]) => h("div", {class: "lab-walk-update-row",
          "data-parameter": name},
        h("span", {class: "lab-walk-parameter"}, name,
          h("small", {}, before ? shapeText(before.shape) : "")), draw(before, "", UPDATE_CELL),
        h("span", {class: "lab-sign"}, "+"), draw(step, "", UPDATE_CELL),
        h("span", {class: "lab-sign"}, "="), draw(after, "", UPDATE_CELL))));
      return;
    }
    const column = role => arrays.filter(a => a.role === role).map(a => draw(a));
    this.received.replaceChildren(...column("received"));
    this.passed.replaceChildren(...column("passed"));
  }

  showTip(text, event) {
    this.tip.hidden = !text;
    if (!text) return;
    this.tip.textContent = text;
    const box = this.element.getBoundingClientRect();
    this.tip.style.left = `${event.clientX - box.left + 12}px`;
    this.tip.style.top = `${event.clientY - box.top + 14}px`;
  }
}
