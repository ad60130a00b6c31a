// A teacher's lab: controls locked (shown greyed, not moving) or hidden. The lock is the lab's
// (the `view` trait's `lock`, labnet/lab/lock.py), and the kernel refuses every intent that
// would move a locked control: what the page does here is only to show it. The Teach panel
// has a row a control to lock or hide it (the lab's set_lock); a lock the teacher sealed (in
// Python, or in the lab's file) cannot be loosened from here, and its looser choices are off.

import {h} from "./util.js";

/**
 * @typedef {Object} LockState   the `view` trait's `lock`
 * @property {Object<string, string>} modes  control → "locked" or "hidden" (others: free)
 * @property {string[]} sealed  controls the page cannot loosen
 */

/** Where each control is on the page (the settings it names, and their rows). */
export const PLACES = {
  play: [".lab-play", ".lab-step", ".lab-epoch"],
  reset: [".lab-reset"],
  dataset: [".lab-setting-data", ".lab-classes", ".lab-csv-upload", ".lab-csv-paste-open",
    ".lab-csv-paste", ".lab-csv-use"],
  noise: [".lab-setting-noise"],
  points: [".lab-n-points", ".lab-test-fraction", ".lab-data-seed", ".lab-regenerate",
    ".lab-standardize"],
  clicks: [".lab-click-mode"],
  lr: [".lab-setting-lr"],
  optimizer: [".lab-setting-optimizer"],
  loss: [".lab-setting-loss"],
  batch: [".lab-setting-batch"],
  activation: [".lab-setting-activation"],
  regularisation: [".lab-setting-regularisation"],
  features: [".lab-feature"],
  graph: [".lab-palette", ".lab-undo", ".lab-redo", ".lab-preset"],
  weights: [],  // (the weights' card: the graph's view is told)
  teach: [".lab-hide-boundary", ".lab-hide-curves", ".lab-hide-gradients", ".lab-hide-graph",
    ".lab-hide-errors", ".lab-lock-mode"],
  files: [".lab-save", ".lab-open"],
};
const ROW = ".lab-setting, .lab-field, .lab-check";  // a control's row: hidden with it
const MODES = ["free", "locked", "hidden"];

export class LockView {
  /**
   * @param {import("./protocol.js").Channel} channel
   * @param {HTMLElement} root  the lab
   */
  constructor(channel, root) {
    this.channel = channel;
    this.root = root;
    this.lock = {modes: {}, sealed: []};
    this.selects = new Map();
    this.rows = h("div", {class: "lab-lock-rows"});
    this.note = h("div", {class: "lab-lock-note", role: "status"});
    this.summary = h("summary", {class: "lab-lock-summary"}, "Lock, for a class");
    // (folded: the panels share one place, as tall as the tallest)
    this.element = h("details", {class: "lab-lock-section"}, this.summary,
      h("p", {class: "lab-hint"}, "A locked control is shown greyed, a hidden one is gone; the "
        + "lab refuses both. Saved with the lab: who opens the file cannot free them."),
      this.rows, this.note);
  }

  /** @param {Array<[string, string]>} controls  [name, words] of each control */
  setControls(controls) {
    if (this.selects.size) return;
    for (const [name, words] of controls) {
      const select = h("select", {class: "lab-lock-mode", "data-control": name,
        "aria-label": `${words}: free, locked or hidden`,
        onchange: () => this.send(name, select.value)},
      ...MODES.map(mode => h("option", {value: mode}, mode)));
      this.selects.set(name, select);
      this.rows.append(h("label", {class: "lab-field lab-lock-row"},
        h("span", {class: "lab-field-name"}, words), select));
    }
    this.showModes();
  }

  async send(control, mode) {
    const reply = await this.channel.intent("set_lock", {control, mode});
    this.note.textContent = reply.ok ? "" : reply.error;
    if (!reply.ok) this.showModes();  // (refused: the lab's mode again)
  }

  /**
   * @param {LockState} lock
   * @returns {boolean} whether a control was freed (the views show their own states again)
   */
  setLock(lock) {
    const before = this.lock.modes;
    this.lock = lock || {modes: {}, sealed: []};
    this.showModes();
    this.apply();
    return Object.keys(before).some(control => this.mode(control) === "free");
  }

  mode(control) {
    return this.lock.modes[control] || "free";
  }

  showModes() {
    const count = Object.keys(this.lock.modes).length;
    this.summary.textContent = `Lock, for a class${count ? ` (${count} locked or hidden)` : ""}`;
    for (const [name, select] of this.selects) {
      const mode = this.mode(name);
      select.value = mode;
      const sealed = this.lock.sealed.includes(name);
      for (const option of select.options) {  // (the teacher's lock: no looser choice)
        option.disabled = sealed && MODES.indexOf(option.value) < MODES.indexOf(mode);
      }
    }
  }

  /**
   * Show every control as the lock has it: hidden (its row gone), locked (greyed, its inputs
   * off) or free. Run again after the views redraw their controls.
   */
  apply() {
    for (const [control, selectors] of Object.entries(PLACES)) {
      const mode = this.mode(control);
      this.root.classList.toggle(`lab-lock-${control}-locked`, mode === "locked");
      this.root.classList.toggle(`lab-lock-${control}-hidden`, mode === "hidden");
      for (const selector of selectors) {
        for (const element of this.root.querySelectorAll(selector)) {
          this.mark(element.closest(ROW) || element, mode);
        }
      }
    }
  }

  mark(place, mode) {
    const was = place.dataset.lock;
    place.classList.toggle("lab-lock-hidden", mode === "hidden");
    place.classList.toggle("lab-lock-locked", mode === "locked");
    const inputs = [place, ...place.querySelectorAll("input, select, button, textarea")]
      .filter(el => "disabled" in el && ["input", "select", "button", "textarea"]
        .includes(el.tagName.toLowerCase()));
    if (mode === "free") {
      if (was) {  // (freed: on again; the views set their own states on their next update)
        delete place.dataset.lock;
        place.setAttribute("title", place.dataset.title || "");
        for (const input of inputs) input.disabled = false;
      }
      return;
    }
    if (!was) place.dataset.title = place.getAttribute("title") || "";
    place.dataset.lock = mode;
    place.setAttribute("title", `${mode} in this lab by its teacher`);
    for (const input of inputs) input.disabled = true;
  }
}
