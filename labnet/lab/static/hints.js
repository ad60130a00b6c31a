// A hint: a setting that is likely wrong (Adam with a big learning rate, dead ReLUs, a
// vanishing gradient...), said in a bubble next to what it is about (the setting in the strip,
// or the node on the graph), never over a control. One at a time (the kernel chooses: the
// `hint` trait, checked in Python a few times a second at most); × dismisses it (the lab's
// dismiss_hint: it stays away while it holds). It blocks nothing: the bubble is small, and the
// lab works around it.

import {h} from "./util.js";

/**
 * @typedef {Object} HintState   the `hint` trait ({} when there is none)
 * @property {string} key      names the hint: "adam-lr", "dead-relu:4"
 * @property {string} text
 * @property {string} about    "lr", "loss", "optimizer", "activation", or "node"
 * @property {?NodeId} node    the node it is about (about "node")
 */

export class HintView {
  /**
   * @param {import("./protocol.js").Channel} channel
   * @param {HTMLElement} root   the lab (the bubble is placed in it)
   * @param {function(?NodeId): ?Element} nodeOf  a node's drawing on the graph
   */
  constructor(channel, root, nodeOf) {
    this.channel = channel;
    this.root = root;
    this.nodeOf = nodeOf;
    this.hint = {};
    this.text = h("span", {class: "lab-hint-text"});
    this.close = h("button", {class: "lab-hint-dismiss", title: "dismiss this hint",
      "aria-label": "dismiss this hint", onclick: () => this.dismiss()}, "×");
    this.element = h("div", {class: "lab-hint-bubble", role: "note", hidden: true},
      h("b", {class: "lab-hint-mark"}, "Hint"), this.text, this.close);
  }

  /** @param {HintState} hint */
  setHint(hint) {
    this.hint = hint || {};
    const shown = !!this.hint.key;
    this.element.hidden = !shown;
    if (!shown) return;
    this.text.textContent = this.hint.text;
    this.element.dataset.key = this.hint.key;
    this.element.dataset.about = this.hint.about;
    this.place();
  }

  /** What the hint is about, on the page: its setting, or its node (else the strip). */
  anchor() {
    const {about, node} = this.hint;
    const found = about === "node" ? this.nodeOf(node)
      : this.root.querySelector(`.lab-setting-${about}`);
    const visible = found && !found.closest("[hidden]");
    return visible ? found : this.root.querySelector(".lab-strip");
  }

  /**
   * Next to what it is about, covering no control (a button, a box, a menu) and whole on the
   * screen: the first free place below it, above it, beside it, then further down or up past
   * the controls in the way; if there is none, a compact line at the top of the plane's card,
   * where messages go. Again whenever the page moves things.
   */
  place() {
    if (!this.hint.key || !this.element.isConnected) return;
    const anchor = this.anchor();
    if (!anchor) return;
    this.element.classList.remove("lab-hint-compact");
    const lab = this.root.getBoundingClientRect();
    const box = anchor.getBoundingClientRect();
    const size = {width: this.element.offsetWidth, height: this.element.offsetHeight};
    const room = this.room(lab, box);
    const controls = this.controls();
    const free = spot => inside(spot, room) && !controls.some(c => overlap(spot, c));
    const spot = spots(box, size, room, controls).find(free);
    if (!spot) {
      this.compact(lab);
      return;
    }
    this.element.dataset.side = spot.side;
    this.element.removeAttribute("title");
    this.element.style.left = `${spot.left - lab.left}px`;
    this.element.style.top = `${spot.top - lab.top}px`;
    // the bubble's arrow points at the middle of what it is about
    const arrow = Math.max(8, Math.min(box.left + box.width / 2 - spot.left, size.width - 8));
    this.element.style.setProperty("--lab-hint-arrow", `${arrow}px`);
  }

  /** Where the bubble may go: the lab, and of it what the screen shows (if it shows the
   * anchor). */
  room(lab, box) {
    const [width, height] = [window.innerWidth || Infinity, window.innerHeight || Infinity];
    const shown = box.top >= 0 && box.bottom <= height;
    return {left: Math.max(lab.left, 0), right: Math.min(lab.right, width),
      top: shown ? Math.max(lab.top, 0) : lab.top,
      bottom: shown ? Math.min(lab.bottom, height) : lab.bottom};
  }

  /** The boxes of the controls the lab shows (not the bubble's own ×). */
  controls() {
    return [...this.root.querySelectorAll(CONTROLS)]
      .filter(c => !c.closest(".lab-hint-bubble, [hidden]"))
      .map(c => c.getBoundingClientRect())
      .filter(b => b.width > 0 && b.height > 0);
  }

  /** No free place: one line at the top of the plane's card (its full text as a tooltip). */
  compact(lab) {
    const plane = this.root.querySelector(".lab-plane") || this.root;
    const box = plane.getBoundingClientRect();
    this.element.classList.add("lab-hint-compact");
    this.element.dataset.side = "compact";
    this.element.title = this.hint.text;
    this.element.style.left = `${box.left - lab.left}px`;
    this.element.style.top = `${box.top - lab.top}px`;
  }

  dismiss() {
    const key = this.hint.key;
    if (!key) return;
    this.element.hidden = true;  // (at once: the kernel's next hint comes when it comes)
    this.channel.intent("dismiss_hint", {key});
  }
}

const GAP = 6;  // px between the bubble and what it is about
const CONTROLS = "button, input, select, textarea, summary, .lab-node-button, .lab-port-out";

/**
 * The bubble's places to try, in order (page coordinates): below, above, right, left of the
 * box; then further below or above, just past each control in the way. Each at the box's left,
 * its right, or its middle, kept inside the room across.
 */
function spots(box, {width, height}, room, controls) {
  const across = [box.left, box.right - width, box.left + (box.width - width) / 2]
    .map(left => Math.max(room.left, Math.min(left, room.right - width)));
  const at = (side, top) => across.map(left => ({side, left, top, width, height}));
  const beside = (side, left) => [box.top, box.bottom - height].map(top => (
    {side, left, top, width, height}));
  const lower = controls.map(c => c.bottom + GAP).filter(top => top > box.bottom + GAP)
    .sort((a, b) => a - b);
  const higher = controls.map(c => c.top - GAP - height).filter(top => top < box.top - GAP
    - height).sort((a, b) => b - a);
  return [...at("below", box.bottom + GAP), ...at("above", box.top - GAP - height),
    ...beside("right", box.right + GAP), ...beside("left", box.left - GAP - width),
    ...lower.flatMap(top => at("far", top)), ...higher.flatMap(top => at("far", top))];
}

function inside(spot, room) {
  return spot.left >= room.left - 0.5 && spot.left + spot.width <= room.right + 0.5
    && spot.top >= room.top - 0.5 && spot.top + spot.height <= room.bottom + 0.5;
}

function overlap(spot, box) {
  return spot.left < box.right && box.left < spot.left + spot.width
    && spot.top < box.bottom && box.top < spot.top + spot.height;
}
