// The input node's features, TensorFlow Playground's x₁, x₂, x₁², x₂², x₁x₂, sin x₁, sin x₂: a
// card beside the input node (opened by its ƒ, or a click on it), a button a feature, pressed
// when the network sees it. A press toggles it: the lab's toggle_feature, one step of undo
// (Ctrl+Z on the graph); the input's width follows. What is pressed is the kernel's (the
// `graph` trait's `features`); a refusal (the last feature, a width no network can take) is
// said on the card.

import {h} from "./util.js";

const NOTE_FOR = 6000;  // ms a refusal's reason stays on the card

export class FeaturesView {
  /** @param {import("./protocol.js").Channel} channel */
  constructor(channel) {
    this.channel = channel;
    this.buttons = new Map();  // feature name → its button
    this.list = h("div", {class: "lab-features-list", role: "group",
      "aria-label": "what the network sees of each point"});
    this.note = h("div", {class: "lab-features-note", role: "status", hidden: true});
    this.element = h("div", {class: "lab-features", hidden: true},
      h("div", {class: "lab-features-head"}, h("span", {}, "features"),
        h("button", {class: "lab-features-close", title: "close", "aria-label": "close",
          onclick: () => this.close()}, "×")),
      this.list, this.note);
    this.element.addEventListener("keydown", event => {
      if (event.key === "Escape") this.close();
    });
  }

  /** @param {Array<[string, string, string]>} features  [name, label, formula] of each */
  setChoices(features) {
    const names = features.map(([name]) => name).join();
    if (names === this.names) return;
    this.names = names;
    this.buttons.clear();
    this.list.replaceChildren(...features.map(([name, label, formula]) => {
      const button = h("button", {class: "lab-feature", "data-feature": name,
        "aria-pressed": "false", title: `${formula}: press to turn it on or off`,
        onclick: () => this.toggle(name)}, label);
      this.buttons.set(name, button);
      return button;
    }));
    this.show(this.on || []);
  }

  /** @param {string[]} on  the features the input gives (the graph's) */
  show(on) {
    this.on = on;
    for (const [name, button] of this.buttons) {
      button.setAttribute("aria-pressed", String(on.includes(name)));
    }
  }

  async toggle(name) {
    const reply = await this.channel.intent("toggle_feature", {name});
    if (reply.ok) {
      this.note.hidden = true;
      return;
    }
    this.note.textContent = reply.error;
    this.note.hidden = false;
    clearTimeout(this.noteTimer);
    this.noteTimer = setTimeout(() => { this.note.hidden = true; }, NOTE_FOR);
  }

  get isOpen() {
    return !this.element.hidden;
  }

  /**
   * Open the card at `[x, y]` (pixels of the graph's area: beside the input node), kept
   * inside an area `width` wide and `height` tall.
   */
  open([x, y], [width, height]) {
    this.element.hidden = false;
    const box = this.element;
    box.style.left = `${Math.max(2, Math.min(x, width - box.offsetWidth - 2))}px`;
    box.style.top = `${Math.max(2, Math.min(y, height - box.offsetHeight - 2))}px`;
  }

  close() {
    this.element.hidden = true;
  }
}
