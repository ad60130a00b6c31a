// The gestures that edit the graph: pointer drags and presses, double-clicks and keys on the
// graph's SVG and its palette. Each ends in one intent (GraphView.send): the drawing changes
// only when the kernel's new graph comes back. A gesture the lab refuses snaps back, the
// lab's reason beside it (GraphView.refuse).

import {edgePath, h, key, svg} from "./util.js";

const DRAG_START = 4;  // pixels the pointer moves before a press becomes a drag
const EDIT_PARAMS = {Linear: ["width", "units"], LeakyReLU: ["negative_slope", "slope"]};

export class Gestures {
  /** @param {import("./graph.js").GraphView} view  the graph they edit */
  constructor(view) {
    this.view = view;
    this.listen();
  }

  listen() {
    this.view.palette.addEventListener("pointerdown", event => this.pressPalette(event));
    this.view.svg.addEventListener("pointerdown", event => this.press(event));
    this.view.svg.addEventListener("dblclick", event => this.doubleClick(event));
    this.view.svg.addEventListener("keydown", event => this.key(event));
    this.view.svg.addEventListener("wheel", event => this.wheel(event), {passive: false});
  }

  /** Where a pointer event is, in pixels of the area. */
  local(event) {
    const box = this.view.area.getBoundingClientRect();
    return [event.clientX - box.left, event.clientY - box.top];
  }

  press(event) {
    if (event.button !== 0) return;
    this.view.refusal.hidden = true;  // a new gesture: the last refusal has been read
    this.view.svg.focus({preventScroll: true});
    const target = event.target;
    const remove = target.closest("[data-delete]");
    if (remove) {
      event.stopPropagation();
      return this.view.send("remove", {node: this.idOf(remove.dataset.delete)});
    }
    const port = target.closest("[data-port]");
    if (port) return this.dragEdge(event, this.idOf(port.dataset.port));
    const group = target.closest("[data-node]");
    if (group) return this.dragNode(event, group);
    const hit = target.closest("[data-edge]");
    if (hit) {
      this.view.selected = {edge: this.view.edges.get(hit.dataset.edge).edge};
      return this.view.outline();
    }
    this.dragBackground(event);
  }

  /** The id a data attribute names: a number if the graph has that number. */
  idOf(text) {
    const found = this.view.graph.nodes.find(n => String(n.id) === text);
    return found ? found.id : text;
  }

  /**
   * Follow a press: `onMove` while the pointer moves (once it has moved a few pixels),
   * `onUp(event, moved)` when it is released. A press the browser cancels (a touch turned
   * into a scroll, the window losing focus, the view going away) ends in `onCancel`, with no
   * intent sent.
   */
  track(event, onMove, onUp, onCancel = () => {}) {
    this.cancel();  // (one gesture at a time)
    const start = [event.clientX, event.clientY];
    let moved = false;
    const move = e => {
      if (e.pointerId !== event.pointerId) return;
      if (!moved && Math.hypot(e.clientX - start[0], e.clientY - start[1]) < DRAG_START) return;
      moved = true;
      onMove(e);
    };
    const listeners = [["pointermove", move], ["pointerup", e => {
      if (e.pointerId !== event.pointerId) return;
      stop();
      onUp(e, moved);
    }], ["pointercancel", e => {
      if (e.pointerId === event.pointerId) this.cancel();
    }], ["blur", () => this.cancel()]];
    const stop = () => {
      for (const [name, listener] of listeners) window.removeEventListener(name, listener);
      this.cancelTracking = null;
    };
    for (const [name, listener] of listeners) window.addEventListener(name, listener);
    this.cancelTracking = () => {
      stop();
      onCancel();
    };
  }

  /** End the gesture under way, if any, as if it had not begun. */
  cancel() {
    if (this.cancelTracking) this.cancelTracking();
  }

  dragNode(event, group) {
    const drawn = this.view.nodes.get(group.dataset.node);
    const [x0, y0] = this.local(event);
    this.track(event, e => {
      const [x, y] = this.local(e);
      group.setAttribute("transform", `translate(${drawn.x + x - x0},${drawn.y + y - y0})`);
      if (!group.classList.contains("lab-dragging")) {  // its thumbnail waits for the drop
        group.classList.add("lab-dragging");
        if (this.view.lastThumbs) this.view.applyThumbs(...this.view.lastThumbs);
      }
    }, (e, moved) => {
      group.classList.remove("lab-dragging");
      const node = drawn.node.id;
      if (!moved) {
        this.view.selected = {node};
        this.view.outline();
        // a node the network being trained has is looked at (the Inside tab shows it); one
        // still being wired has no output to look at yet: selecting it is all a click does
        if (drawn.node.trained) this.view.send("look_at", {node, unit: 0});
        return;
      }
      const [gx, gy] = this.view.toGraph(...this.local(e));
      this.view.send("move", {node, x: gx, y: gy}).then(reply => {
        if (!reply.ok) this.view.render();
      });
    }, () => {
      group.classList.remove("lab-dragging");
      this.view.render();
    });
  }

  dragEdge(event, src) {
    const from = this.view.nodes.get(String(src));
    const start = [from.x + from.half[0] + this.view.pan[0], from.y + this.view.pan[1]];
    const line = svg("path", {class: "lab-edge-draft"});
    this.view.svg.append(line);
    const draw = ([x, y]) => line.setAttribute("d", edgePath(start[0], start[1], x, y));
    this.track(event, e => draw(this.local(e)), async (e, moved) => {
      const where = this.local(e);
      const below = document.elementFromPoint(e.clientX, e.clientY);
      const group = below && below.closest && below.closest("[data-node]");
      if (!moved || !group) {  // dropped nowhere: nothing to say
        line.remove();
        return;
      }
      const reply = await this.view.send("connect", {src, dst: this.idOf(group.dataset.node)});
      if (reply.ok) {
        line.remove();
        return;
      }
      this.view.refuse(reply.error, where);
      snapBack(line, start, where);
    }, () => line.remove());
  }

  dragBackground(event) {
    const start = [...this.view.pan];
    const [x0, y0] = [event.clientX, event.clientY];
    this.track(event, e => {
      this.view.pan = [start[0] + e.clientX - x0, start[1] + e.clientY - y0];
      const [px, py] = this.view.pan;
      this.view.layer.setAttribute("transform", `translate(${px},${py})`);
      if (this.view.lastThumbs) this.view.applyThumbs(...this.view.lastThumbs);
    }, (e, moved) => {
      if (!moved && this.view.selected) {
        this.view.selected = null;
        this.view.outline();
      }
    });
  }

  pressPalette(event) {
    const item = event.target.closest("[data-kind]");
    if (!item || event.button !== 0) return;
    this.view.refusal.hidden = true;
    event.preventDefault();
    const kind = item.dataset.kind;
    const ghost = h("div", {class: "lab-ghost"}, kind);
    const place = e => {  // (in the lab's box: the lab is the ghost's containing block)
      const box = this.view.root.getBoundingClientRect();
      ghost.style.left = `${e.clientX - box.left + 6}px`;
      ghost.style.top = `${e.clientY - box.top + 6}px`;
    };
    this.track(event, e => {
      if (!ghost.isConnected) this.view.root.append(ghost);
      place(e);
    }, (e, moved) => {
      ghost.remove();
      const params = this.view.newParams(kind);
      if (!moved) return this.view.send("add", {kind, params});
      const box = this.view.area.getBoundingClientRect();
      if (e.clientX < box.left || e.clientX > box.right || e.clientY < box.top
        || e.clientY > box.bottom) return;
      const where = this.local(e);
      const edge = this.edgeNear(where);
      const at = this.view.toGraph(...where);
      this.view.send("add", edge ? {kind, params, at, between: edge} : {kind, params, at}, where);
    }, () => ghost.remove());
  }

  /** The edge passing within a few pixels of `where` (pixels of the area), or null. */
  edgeNear([x, y]) {
    let best = null;
    let bestDistance = 12;
    for (const {path, edge} of this.view.edges.values()) {
      const length = path.getTotalLength();
      for (let s = 0; s <= length; s += 4) {
        const p = path.getPointAtLength(s);
        const distance = Math.hypot(p.x + this.view.pan[0] - x, p.y + this.view.pan[1] - y);
        if (distance < bestDistance) {
          bestDistance = distance;
          best = edge;
        }
      }
    }
    return best;
  }

  doubleClick(event) {
    const group = event.target.closest("[data-node]");
    if (!group) return;
    const drawn = this.view.nodes.get(group.dataset.node);
    const edit = EDIT_PARAMS[drawn.node.kind];
    if (!edit) {
      this.view.refuse(`${drawn.node.label} has nothing to set: only a Linear (its width) and a `
        + "LeakyReLU (its slope) do", this.local(event));
      return;
    }
    const [name, words] = edit;
    const input = h("input", {class: "lab-param-editor", type: "number",
      value: drawn.node.params[name], step: name === "width" ? 1 : 0.01,
      "aria-label": `${words} of node ${drawn.node.id}`});
    const [x, y] = this.local(event);
    const holder = h("div", {class: "lab-param-box"}, h("span", {}, `${words}: `), input);
    this.view.area.append(holder);
    const area = this.view.area;  // the box whole inside the area, near the click
    holder.style.left = `${Math.max(0, Math.min(x, area.clientWidth - holder.offsetWidth))}px`;
    holder.style.top = `${Math.max(0, Math.min(y, area.clientHeight - holder.offsetHeight))}px`;
    input.focus();
    input.select();
    const before = input.value;
    let closed = false;
    const done = commit => {
      if (closed) return;  // (removing the box blurs its input: a second call, ignored)
      closed = true;
      holder.remove();
      // an unchanged value is no edit (it would take a place in the undo history)
      const bad = input.validity.badInput;  // (what is not a number reads as "")
      if (!commit || input.value === before || (input.value === "" && !bad)) return;
      const value = bad ? "not a number" : Number(input.value);
      this.view.send("set_params", {node: drawn.node.id, params: {[name]: value}}, [x, y]);
    };
    input.addEventListener("keydown", e => {
      e.stopPropagation();
      if (e.key === "Enter") done(true);
      if (e.key === "Escape") done(false);
    });
    input.addEventListener("blur", () => done(true));
  }

  /** Ctrl+wheel (or a pinch) zooms around the pointer; a plain wheel scrolls the page. */
  wheel(event) {
    if (!event.ctrlKey && !event.metaKey) return;
    event.preventDefault();
    this.view.zoomBy(event.deltaY < 0 ? 1.1 : 1 / 1.1, this.local(event));
  }

  key(event) {
    const mod = event.ctrlKey || event.metaKey;
    if (mod && event.key.toLowerCase() === "z") {
      event.preventDefault();
      event.stopPropagation();
      return this.view.send(event.shiftKey ? "redo" : "undo");
    }
    if (mod && event.key.toLowerCase() === "y") {
      event.preventDefault();
      event.stopPropagation();
      return this.view.send("redo");
    }
    if ((event.key === "Delete" || event.key === "Backspace") && this.view.selected) {
      event.preventDefault();
      event.stopPropagation();
      const selected = this.view.selected;
      this.view.selected = null;
      if (selected.edge) return this.view.send("disconnect", {src: selected.edge[0],
        dst: selected.edge[1]});
      return this.view.send("remove", {node: selected.node});
    }
    if (event.key === "Escape") {
      this.view.selected = null;
      this.view.outline();
    }
  }
}

/** Animate a refused draft edge back to its port, then remove it. */
function snapBack(line, start, end) {
  const began = performance.now();
  const frame = now => {
    const t = Math.min(1, (now - began) / 250);
    const x = end[0] + (start[0] - end[0]) * t;
    const y = end[1] + (start[1] - end[1]) * t;
    line.setAttribute("d", edgePath(start[0], start[1], x, y));
    if (t < 1) requestAnimationFrame(frame); else line.remove();
  };
  requestAnimationFrame(frame);
}
