// The whole lab in one element: the bar, the strip of settings, the message line, the plane,
// the graph (with the unit of the node clicked under it), the panels and the curves, in a
// CSS grid that follows the width it is given (lab.css): what a lesson needs on the first
// screen, the rest below. This module builds them, hands each the state and the messages it
// draws, and nothing else.

import {BarsView} from "./bars.js";
import {BoundaryView} from "./boundary.js";
import {Controls} from "./controls.js";
import {CurvesView} from "./curves.js";
import {GraphView} from "./graph.js";
import {HintView} from "./hints.js";
import {InsideView} from "./inside.js";
import {LegendView} from "./legend.js";
import {LockView} from "./lock.js";
import {OwnDataView} from "./owndata.js";
import {watchKernel} from "./kernel.js";
import {Channel} from "./protocol.js";
import {UnitView} from "./unit.js";
import {h, watchSize} from "./util.js";
import {WalkView} from "./walk.js";

const PAUSE_WAIT = 3000;  // ms a Pause click waits for the kernel to say it has stopped
const MARGIN = 10;  // pixels kept under the plane on the first screen

/**
 * A card of the lab: a title (and tools beside it), its content, and a cover for when the
 * teacher hides it.
 */
function card(css, [title, ...tools], ...content) {
  const cover = h("div", {class: "lab-cover", hidden: true},
    h("span", {}, `${title}: hidden`), h("span", {}, "what do you predict?"));
  const element = h("section", {class: `lab-card ${css}`},
    h("div", {class: "lab-card-head"}, h("h3", {class: "lab-card-title"}, title), ...tools),
    ...content, cover);
  return {element, cover};
}

/**
 * Tabs: one button per panel, one panel shown. The panels share one place, as tall as the
 * tallest: a tab switched never moves what is below it (nor the page).
 */
function tabs(pages) {
  const bar = h("div", {class: "lab-tab-bar", role: "tablist"});
  const box = h("div", {class: "lab-tab-pages"});
  const buttons = pages.map(([name, page], i) => {
    page.classList.add("lab-tab-page");
    page.hidden = i !== 0;
    box.append(page);
    const button = h("button", {class: `lab-tab lab-tab-${name.toLowerCase()}`, role: "tab",
      "aria-selected": String(i === 0), onclick: () => {
        buttons.forEach((b, k) => {
          b.setAttribute("aria-selected", String(k === i));
          pages[k][1].hidden = k !== i;
        });
      }}, name);
    bar.append(button);
    return button;
  });
  return h("div", {class: "lab-tabs"}, bar, box);
}

/**
 * The part of the page that scrolls the lab and shows less than all of it (JupyterLab's
 * notebook), or null (the window).
 * @param {Element} element
 */
function scroller(element) {
  const tall = element.offsetHeight;
  for (let node = element.parentElement; node; node = node.parentElement) {
    const overflow = getComputedStyle(node).getPropertyValue("overflow-y");
    if ((overflow === "auto" || overflow === "scroll") && node.clientHeight > 0
      && node.clientHeight < tall) return node;
  }
  return null;
}

/**
 * Keep the plane on the first screen: the room a screen leaves for it, under what is above it
 * in the lab (the bar, the strip of settings, however many rows they wrap to), is the CSS
 * variable --lab-room (lab.css sizes the plane with it).
 */
function keepOnScreen(root, planeBox) {
  let room = null;
  const measure = () => {
    if (!root.isConnected) return;
    const port = scroller(root);
    const height = port ? port.clientHeight : window.innerHeight;
    const above = planeBox.getBoundingClientRect().top - root.getBoundingClientRect().top;
    const next = Math.max(0, Math.floor(height - above - MARGIN));
    if (next === room) return;
    room = next;
    root.style.setProperty("--lab-room", `${room}px`);
    // the whole screen's height: a walk takes it, under the bar and the strip scrolled away
    root.style.setProperty("--lab-screen", `${Math.floor(height - 2 * MARGIN)}px`);
  };
  watchSize(root, measure);
  window.addEventListener("resize", measure);
  return () => window.removeEventListener("resize", measure);
}

/**
 * Draw the lab of `model` into `el`; returns what undoes it.
 * @param {{model: Object, el: HTMLElement}} context
 */
export function render({model, el}) {
  // (focusable: a click anywhere in the lab keeps its keys in it, the walk's arrows too)
  const root = h("div", {class: "labnet-lab", "data-lm-suppress-shortcuts": "true",
    tabindex: -1});
  // JupyterLab's notebook shortcuts (d d deletes the cell, m makes it Markdown, arrows move
  // between cells) must never see a key pressed in the lab: its views handle theirs first.
  // Ctrl+S (Cmd+S) still saves the notebook (else the browser would save the page).
  root.addEventListener("keydown", event => {
    const save = (event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s";
    if (!save) event.stopPropagation();
  });
  const grid = h("div", {class: "lab-grid"});
  const channel = new Channel(model);
  const message = h("div", {class: "lab-message", role: "alert"});
  const say = (text, error) => {
    message.textContent = text;
    message.classList.toggle("lab-error", !!error);
  };
  // long work (a wide network's edit, say) is said at once: a reply awaited 300 ms
  channel.onWorking = on => message.classList.toggle("lab-working", on);
  const controls = new Controls(channel, say);
  const boundary = new BoundaryView(channel, root);
  const graph = new GraphView(channel, root);
  const curves = new CurvesView(root);
  const bars = new BarsView(root);
  const inside = new InsideView(channel);
  const walk = new WalkView(channel, root);  // (under the graph, while a walk is under way)
  root.addEventListener("keydown", event => walk.keyed(event));
  const unit = new UnitView(channel);
  const ownData = new OwnDataView(channel);  // CSV in and out, in the Data panel
  const lock = new LockView(channel, root);  // a teacher's locks, in the Teach panel
  const legend = new LegendView(channel);
  boundary.element.append(legend.element);  // (over the plane's corner: on a projector too)
  graph.element.append(unit.element);  // (under the graph: next to the node clicked)
  graph.area.append(walk.launcher);  // (in the graph's corner: one step, node by node, on it)
  graph.svg.addEventListener("click", event => {  // walking: a node clicked, its step
    const node = event.target.closest && event.target.closest("[data-node]");
    if (node) walk.nodeClicked(node.dataset.node);
  });
  const cards = {
    boundary: card("lab-plane", ["decision boundary"], boundary.element),
    graph: card("lab-graph", ["graph", graph.palette.tools], graph.element),
    curves: card("lab-curves", ["curves"], curves.curvesBox),
    gradients: card("lab-gradients", ["gradient norms"], h("div", {class: "lab-curves-box"},
      curves.gradients.element, bars.element)),
  };
  const panel = h("section", {class: "lab-card lab-panel"}, tabs([
    ["Data", h("div", {}, controls.data, ownData.element)], ["Train", controls.train],
    ["Inside", inside.element],
    ["Teach", h("div", {}, controls.teach, lock.element)]]));
  grid.append(controls.bar, controls.strip, message, cards.boundary.element,
    cards.graph.element, walk.element, panel, cards.curves.element, cards.gradients.element);
  // a hint about a setting likely wrong, under what it is about
  const hint = new HintView(channel, root, id => {
    const drawn = graph.nodes.get(String(id));
    return drawn ? drawn.rect : null;
  });
  root.append(grid, hint.element);
  el.append(root);
  const forgetScreen = keepOnScreen(root, boundary.element);
  watchSize(root, () => hint.place());

  const shown = {network: false};  // what the views show now
  // Pause stops the picture at the click: the play loop's frames and status that were on their
  // way are dropped until the kernel says it has stopped (its last frames say playing: false)
  const pausing = {on: false, timer: null};
  channel.onIntent = action => {
    if (action !== "pause" && !(action === "toggle_play" && model.get("status").playing)) return;
    pausing.on = true;
    boundary.hold();
    // the button says Play at once; the status says "pausing…" until the kernel's last step
    controls.setStatus({...model.get("status"), playing: false}, {pausing: true});
    clearTimeout(pausing.timer);  // (if the kernel never says so, the page shows it again)
    pausing.timer = setTimeout(() => { pausing.on = false; on.status(); }, PAUSE_WAIT);
  };
  const on = {
    settings() {
      const settings = model.get("settings");
      controls.setSettings(settings);
      boundary.setColours(settings.colours);
      legend.setSettings(settings);
      cards.boundary.element.querySelector(".lab-card-title").textContent =
        settings.data.task === "regression" ? "prediction" : "decision boundary";
      graph.setSettings(settings);
      bars.setSettings(settings);
      walk.setSettings(settings);
      unit.setSettings(settings);
      lock.setControls(settings.choices.controls || []);
      lock.apply();  // (after the controls set their own states)
    },
    graph() {
      const state = model.get("graph");
      graph.setGraph(state);
      controls.setGraph(state);
      curves.setGraph(state);
      bars.setGraph(state);
      unit.setGraph(state);
      hint.place();  // (its node may have moved)
      lock.apply();
    },
    view() {
      const view = model.get("view");
      root.style.setProperty("--lab-scale", String(view.scale));
      root.classList.toggle("lab-presenting", view.scale > 1);
      for (const [name, {cover, element}] of Object.entries(cards)) {
        const hidden = view.hidden.includes(name);
        cover.hidden = !hidden;
        element.classList.toggle("lab-hidden", hidden);
      }
      controls.setView(view);
      curves.setView(view);
      boundary.setView(view);
      legend.setView(view);
      graph.setView(view);
      unit.setView(view);
      if (lock.setLock(view.lock)) {  // freed: the controls' own states again
        controls.setSettings(model.get("settings"));
        controls.setGraph(model.get("graph"));
        graph.palette.setGraph(model.get("graph"));
        lock.apply();
      }
      graph.weights.setLocked(lock.mode("weights"));
      hint.place();
    },
    status() {
      const status = model.get("status");
      if (pausing.on && status.playing) return;  // said before the kernel heard the Pause
      pausing.on = false;
      controls.setStatus(status);
      if (!status.network && shown.network) {  // (no frames come for no network)
        boundary.clear();
        curves.clear();
        bars.setNorms({});
        graph.clearThumbs();
      }
      shown.network = status.network;
    },
    message() {
      const m = model.get("message");
      say(m.text || "", m.error);
    },
    walk() {
      const state = model.get("walk");
      walk.setWalk(state);
      inside.setWalk(state);
      graph.setWalk(state);
      boundary.setWalk(state);
    },
    code() { controls.setCode(model.get("code")); },
    files() { controls.setFiles(model.get("files")); },
    hint() { hint.setHint(model.get("hint")); },
  };
  // what the page has drawn, counted for tests and benchmarks (the boundary counts its paints)
  const count = name => { root.dataset[name] = String(Number(root.dataset[name] || 0) + 1); };
  /** @type {Object<string, function(Object, DataView[]): void>} */
  const streams = {
    boundary: (content, buffers) => boundary.frame(content, buffers),
    thumbs: (content, buffers) => {
      graph.thumbs(content, buffers);
      bars.setNorms(content.grad_norms);
      count("thumbs");
    },
    curves: (content, buffers) => {
      curves.update(content, buffers);
      count("curves");
    },
    points: (content, buffers) => boundary.setPoints(content, buffers),
    unitmap: (content, buffers) => unit.unitMap(content, buffers),
    walkmaps: (content, buffers) => walk.walkMaps(content, buffers),
    reply: content => channel.answer(content),
    download: (content, buffers) => (content.name.endsWith(".csv") ? ownData
      : controls).offer(content.name, buffers[0]),
  };
  const onMessage = (content, buffers) => {
    const handle = content && streams[content.type];
    if (!handle || (pausing.on && content.playing)) return;
    const start = performance.now();
    handle(content, buffers || []);
    if (window.labnetTrace) {
      window.labnetTrace.push(["handled", content.type, performance.now() - start]);
    }
  };
  const handlers = Object.entries(on).map(([name, handler]) => [`change:${name}`, handler]);
  for (const [event, handler] of handlers) model.on(event, handler);
  model.on("msg:custom", onMessage);
  for (const handler of Object.values(on)) handler();
  // a kernel gone (restarted, dead) or the widget closed: the lab says so and takes no gesture
  const unwatch = watchKernel(model, (words, why) => {
    channel.close();
    clearTimeout(pausing.timer);  // (nothing will say "playing" again)
    graph.gestures.cancel();
    controls.setStatus({...model.get("status"), playing: false});  // never a frozen Pause
    for (const input of root.querySelectorAll("button, input, select, textarea")) {
      input.disabled = true;
    }
    root.classList.add("lab-gone");
    say(words, true);
    // a closed widget's element is taken away and the output holding it hidden (JupyterLab,
    // Notebook 7, Voilà): the words go one level up, where the lab was
    const place = el.parentElement && (el.parentElement.parentElement || el.parentElement);
    if (why === "closed" && place) {
      place.append(h("div", {class: "lab-gone-note", role: "alert"}, words));
    }
  });
  // this view's own token: said only to the kernel, so no other page can say goodbye for it
  const token = Math.random().toString(36).slice(2, 12);
  model.send({type: "hello", view: token});
  return () => {  // the view is gone (its cell ran again, its output was cleared)
    unwatch();
    model.send({type: "goodbye", view: token});
    for (const [event, handler] of handlers) model.off(event, handler);
    model.off("msg:custom", onMessage);
    channel.close();
    clearTimeout(pausing.timer);
    forgetScreen();
    graph.gestures.cancel();
    root.remove();  // (the views' size observers stop themselves)
  };
}
