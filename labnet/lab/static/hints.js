// A hint: a setting that is likely wrong (Adam with a big learning rate, dead ReLUs, a
// vanishing gradient...), said in a bubble under what it is about: the setting in the strip,
// or the node on the graph. One at a time (the kernel chooses: the `hint` trait, checked in
// Python a few times a second at most); × dismisses it (the lab's dismiss_hint: it stays away
// while it holds). It blocks nothing: the bubble is small, and the lab works around it.

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

  /** Under what it is about, whole inside the lab (again after the page moves things). */
  place() {
    if (!this.hint.key || !this.element.isConnected) return;
    const anchor = this.anchor();
    if (!anchor) return;
    const lab = this.root.getBoundingClientRect();
    const box = anchor.getBoundingClientRect();
    const width = this.element.offsetWidth;
    const left = Math.max(0, Math.min(box.left - lab.left, this.root.clientWidth - width));
    this.element.style.left = `${left}px`;
    this.element.style.top = `${box.bottom - lab.top + 6}px`;
    // the bubble's arrow points at the middle of what it is about
    const arrow = Math.max(8, Math.min(box.left + box.width / 2 - lab.left - left, width - 8));
    this.element.style.setProperty("--lab-hint-arrow", `${arrow}px`);
  }

  dismiss() {
    const key = this.hint.key;
    if (!key) return;
    this.element.hidden = true;  // (at once: the kernel's next hint comes when it comes)
    this.channel.intent("dismiss_hint", {key});
  }
}
