// The plane's legend, beside its title: what its colours mean, and what a click on it does.
// With classes, a swatch per class, in its colour and with its number: pressing one makes a
// click on the plane add a point of that class (pressing it again, nothing), and + a point of
// a new class; × makes a click remove the nearest point. With a regression, the colour scale
// of the targets and the prediction, from the lowest to the highest, and ×. Each press is a `show` intent: what is
// pressed comes back in the `view` trait.

import {colourTable, h, num} from "./util.js";

export class LegendView {
  /** @param {import("./protocol.js").Channel} channel */
  constructor(channel) {
    this.channel = channel;
    this.element = h("div", {class: "lab-legend-plane", role: "group",
      "aria-label": "what a click on the plane adds"});
    this.click = "off";
    this.key = null;
    this.buttons = new Map();  // click mode → its button
  }

  /** @param {import("./protocol.js").Settings} settings */
  setSettings(settings) {
    const {data, choices, colours} = settings;
    const regression = data.task === "regression";
    const key = JSON.stringify([data.task, data.outputs, colours.classes, colours.boundary,
      data.target_range]);
    if (key === this.key) return;  // (nothing new: the buttons stay, and their focus)
    this.key = key;
    this.buttons.clear();
    const names = choices.class_names;
    const parts = regression ? [this.scale(colours.boundary, data.target_range)]
      : names.slice(0, data.outputs).map((name, label) => this.pick(name, `${label}`,
        colours.classes[label], `a click adds a point of class ${label} (${name})`));
    const next = data.outputs;
    if (!regression && next < names.length) {  // a class more: the network gets an output more
      parts.push(this.pick(names[next], "+", colours.classes[next], `a click adds a point of a `
        + `new class, ${next} (${names[next]}): the output gets one more unit`));
      this.buttons.get(names[next]).classList.add("lab-pick-new");
    }
    parts.push(this.pick("remove", "×", null, "a click removes the nearest point"));
    this.element.classList.toggle("lab-legend-regression", regression);
    this.element.replaceChildren(...parts);
    this.showClick();
  }

  /** A button that makes clicks on the plane do `mode` (pressed again: nothing). */
  pick(mode, text, colour, title) {
    const button = h("button", {class: `lab-pick lab-pick-${mode}`, title, "aria-label": title,
      "aria-pressed": "false", style: colour ? `background:${colour}` : null,
      onclick: () => this.channel.intent("show", {click: this.click === mode ? "off" : mode})},
    text);
    this.buttons.set(mode, button);
    return button;
  }

  /** The diverging scale of a regression: from −high (orange) through 0 to high (blue). */
  scale(stops, high) {
    const table = colourTable(stops);
    const at = i => `rgb(${table[4 * i]},${table[4 * i + 1]},${table[4 * i + 2]})`;
    const gradient = [0, 64, 128, 191, 255].map(at).join(", ");
    return h("span", {class: "lab-scale", title: "the target of each point and the network's "
      + "prediction, on one scale"},
    h("span", {class: "lab-scale-end"}, num(-high, 2)),
    h("span", {class: "lab-scale-bar", style: `background:linear-gradient(90deg, ${gradient})`}),
    h("span", {class: "lab-scale-end"}, num(high, 2)));
  }

  /** @param {import("./protocol.js").ViewState} view */
  setView(view) {
    this.click = view.click;
    this.showClick();
  }

  showClick() {
    for (const [mode, button] of this.buttons) {
      button.setAttribute("aria-pressed", String(mode === this.click));
    }
  }
}
