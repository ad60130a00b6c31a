// The gestures that edit the graph: pointer drags and presses, double-clicks and keys on the
// graph's drawing and its palette. Each ends in one intent: the drawing changes only when the
// kernel's new graph comes back. A gesture the lab refuses snaps back, the lab's reason
// beside it. The gestures see the graph's view through a narrow surface (GraphSurface), no
// more: what is drawn where, and the few things a gesture shows before the kernel answers.
//
//   drag a palette module onto a node          replace (the node becomes that module)
//                        onto an edge          add, into that edge
//                        elsewhere             add, there
//   click a palette module                     add, right of the rest
//   drag "+ layer" onto an edge (or click it)  add_layer (there, or before the output)
//   drag from a node's output port to a node   connect
//   drag a node                                move
//   click a node                               select it and look_at it (its unit, shown)
//   click a node or an edge, then Delete or ×  remove (a chain's neighbours joined) / disconnect
//   − and + on a Linear                        widen by −1 or +1 (its number of units)
//   ƒ on the input, or a click on it           its features, on a card (toggle_feature)
//   double-click a Linear or a LeakyReLU       set_params: its width or its slope
//   Ctrl+Z, Ctrl+Shift+Z (or Ctrl+Y)           undo, redo
//   drag the background; Ctrl+wheel            pan; zoom

import {h} from "./util.js";

const DRAG_START = 4;  // pixels the pointer moves before a press becomes a drag
const EDIT_PARAMS = {Linear: ["width", "units"], LeakyReLU: ["negative_slope", "slope"]};
const SNAP_BACK = 250;  // ms a refused edge takes to go back to its port

/**
 * The graph's view as the gestures see it. Points are pixels of the area (the drawing's box),
 * as they are on the screen now (a pan under way included).
 * @typedef {Object} GraphSurface
 * @property {Element} svg      where pointer presses, double-clicks, keys and the wheel come
 * @property {Element} palette  where presses on the palette's modules come
 * @property {Element} area     the drawing's box: points are relative to it
 * @property {Element} root     the lab (a dragged module's ghost is drawn in it)
 * @property {function(string): ?{node: Object, x: number, y: number, hw: number, hh: number}}
 *   node  a drawn node by its id as text: the graph's node and its box
 * @property {function(number[]): ?string} nodeAt  the node whose box holds a point (id as text)
 * @property {function(number[]): ?Array} edgeAt   the edge passing near a point ([src, dst])
 * @property {function(string): ?Array} edge       an edge by its key ("src→dst")
 * @property {function(number[]): number[]} toGraph  a point in graph units (column, row)
 * @property {function(): ?Object} selected        {node} or {edge: [src, dst]}, or null
 * @property {function(?Object): void} select      outline that (null: nothing)
 * @property {function(string, Object=, ?number[]=): Promise<Object>} send  an intent; a
 *   refusal is shown beside the point given
 * @property {function(string, number[]): void} refuse  show a reason beside a point
 * @property {function(): void} hideRefusal
 * @property {function(number[]): void} panBy     show the drawing moved by [dx, dy] (a drag)
 * @property {function(): void} endPan            the drawing stays where the drag left it
 * @property {function(number, ?number[]): void} zoomBy  closer by a factor, around a point
 * @property {function(string, ?number[]): void} dragNode  draw a node at a point while it is
 *   dragged (null: back where the graph has it)
 * @property {function(?number[], ?number[]): void} draft  a draft edge from a point to a
 *   point (null: none)
 * @property {function(string): Object} newParams  the parameters of a new module of a kind
 * @property {function(): number} newWidth  the width of a new Linear or layer
 * @property {function(): void} features  show the input's features (beside the input)
 * @property {function(string): (number|string)} idOf  a node's id from its text
 */

export class Gestures {
  /** @param {GraphSurface} surface  the graph they edit */
  constructor(surface) {
    this.surface = surface;
    this.cancelTracking = null;
    surface.palette.addEventListener("pointerdown", event => this.pressPalette(event));
    surface.svg.addEventListener("pointerdown", event => this.press(event));
    surface.svg.addEventListener("dblclick", event => this.doubleClick(event));
    surface.svg.addEventListener("keydown", event => this.key(event));
    surface.svg.addEventListener("wheel", event => this.wheel(event), {passive: false});
  }

  /** Where a pointer event is, in pixels of the area. */
  local(event) {
    const box = this.surface.area.getBoundingClientRect();
    return [event.clientX - box.left, event.clientY - box.top];
  }

  press(event) {
    if (event.button !== 0) return;
    const surface = this.surface;
    surface.hideRefusal();  // a new gesture: the last refusal has been read
    surface.svg.focus({preventScroll: true});
    const target = event.target;
    if (target.closest("[data-features]")) {
      event.stopPropagation();
      return surface.features();
    }
    const button = target.closest("[data-delete], [data-widen]");
    if (button) {
      event.stopPropagation();
      const node = surface.idOf(button.dataset.delete || button.dataset.widen);
      return button.dataset.delete !== undefined ? surface.send("remove", {node})
        : surface.send("widen", {node, by: Number(button.dataset.by)}, this.local(event));
    }
    const port = target.closest("[data-port]");
    if (port) return this.dragEdge(event, port.dataset.port);
    const group = target.closest("[data-node]");
    if (group) return this.dragNode(event, group.dataset.node);
    const hit = target.closest("[data-edge]");
    if (hit) return surface.select({edge: surface.edge(hit.dataset.edge)});
    this.dragBackground(event);
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

  dragNode(event, id) {
    const surface = this.surface;
    const drawn = surface.node(id);
    const [x0, y0] = this.local(event);
    this.track(event, e => {
      const [x, y] = this.local(e);
      surface.dragNode(id, [drawn.x + x - x0, drawn.y + y - y0]);
    }, (e, moved) => {
      const node = drawn.node.id;
      if (!moved) {
        surface.select({node});
        // a node the network being trained has is looked at (its unit is shown); one still
        // being wired has no output to look at yet: selecting it is all a click does
        if (drawn.node.trained) surface.send("look_at", {node, unit: 0});
        if (drawn.node.kind === "input") surface.features();
        return;
      }
      const [x, y] = this.local(e);
      const at = surface.toGraph([drawn.x + x - x0, drawn.y + y - y0]);
      surface.send("move", {node, x: at[0], y: at[1]}).then(reply => {
        if (!reply.ok) surface.dragNode(id, null);
      });
    }, () => surface.dragNode(id, null));
  }

  dragEdge(event, id) {
    const surface = this.surface;
    const from = surface.node(id);
    const src = from.node.id;
    const start = [from.x + from.hw, from.y];
    this.track(event, e => surface.draft(start, this.local(e)), async (e, moved) => {
      const where = this.local(e);
      const target = moved ? surface.nodeAt(where) : null;
      if (target === null) {  // dropped nowhere: nothing to say
        surface.draft(null);
        return;
      }
      const reply = await surface.send("connect", {src, dst: surface.idOf(target)});
      if (reply.ok) {
        surface.draft(null);
        return;
      }
      surface.refuse(reply.error, where);
      this.snapBack(start, where);
    }, () => surface.draft(null));
  }

  /** Animate a refused draft edge back to its port, then remove it. */
  snapBack(start, end) {
    const began = performance.now();
    const frame = now => {
      const t = Math.min(1, (now - began) / SNAP_BACK);
      this.surface.draft(start, [end[0] + (start[0] - end[0]) * t,
        end[1] + (start[1] - end[1]) * t]);
      if (t < 1) requestAnimationFrame(frame); else this.surface.draft(null);
    };
    requestAnimationFrame(frame);
  }

  dragBackground(event) {
    const surface = this.surface;
    const [x0, y0] = [event.clientX, event.clientY];
    this.track(event, e => surface.panBy([e.clientX - x0, e.clientY - y0]), (e, moved) => {
      if (moved) surface.endPan();
      else if (surface.selected()) surface.select(null);
    }, () => {
      surface.panBy([0, 0]);
      surface.endPan();
    });
  }

  pressPalette(event) {
    const item = event.target.closest("[data-kind], [data-layer]");
    if (!item || event.button !== 0) return;
    const surface = this.surface;
    surface.hideRefusal();
    event.preventDefault();
    const kind = item.dataset.kind;  // (undefined: a whole layer)
    const ghost = h("div", {class: "lab-ghost"}, kind || "layer");
    const place = e => {  // (in the lab's box: the lab is the ghost's containing block)
      const box = surface.root.getBoundingClientRect();
      ghost.style.left = `${e.clientX - box.left + 6}px`;
      ghost.style.top = `${e.clientY - box.top + 6}px`;
    };
    this.track(event, e => {
      if (!ghost.isConnected) surface.root.append(ghost);
      place(e);
    }, (e, moved) => {
      ghost.remove();
      const box = surface.area.getBoundingClientRect();
      const outside = e.clientX < box.left || e.clientX > box.right || e.clientY < box.top
        || e.clientY > box.bottom;
      if (moved && outside) return;
      this.drop(kind, moved ? this.local(e) : null);
    }, () => ghost.remove());
  }

  /**
   * A palette item let go at `where` (null: clicked): a module (`kind`) replaces the node it
   * is dropped on, goes into the edge it is dropped on, or is added there; a layer (no
   * `kind`) goes into the edge it is dropped on (clicked: before the output).
   */
  drop(kind, where) {
    const surface = this.surface;
    const target = where && surface.nodeAt(where);
    const edge = where && target === null ? surface.edgeAt(where) : null;
    if (kind === undefined) {
      const args = {width: surface.newWidth()};
      if (edge) args.between = edge;
      if (where && !edge) {
        return surface.refuse("drop a layer onto an edge (or click + layer: it goes in before "
          + "the output)", where);
      }
      return surface.send("add_layer", args, where);
    }
    const params = surface.newParams(kind);
    if (!where) return surface.send("add", {kind, params});
    if (target !== null) {
      return surface.send("replace", {node: surface.idOf(target), kind, params}, where);
    }
    const at = surface.toGraph(where);
    return surface.send("add", edge ? {kind, params, at, between: edge} : {kind, params, at},
      where);
  }

  doubleClick(event) {
    const group = event.target.closest("[data-node]");
    if (!group) return;
    const surface = this.surface;
    const node = surface.node(group.dataset.node).node;
    const edit = EDIT_PARAMS[node.kind];
    const [x, y] = this.local(event);
    if (!edit) {
      surface.refuse(`${node.label} has nothing to set: only a Linear (its width) and a `
        + "LeakyReLU (its slope) do", [x, y]);
      return;
    }
    const [name, words] = edit;
    const input = h("input", {class: "lab-param-editor", type: "number",
      value: node.params[name], step: name === "width" ? 1 : 0.01,
      "aria-label": `${words} of node ${node.id}`});
    const holder = h("div", {class: "lab-param-box"}, h("span", {}, `${words}: `), input);
    const area = surface.area;
    area.append(holder);
    // the box whole inside the area, near the click
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
      surface.send("set_params", {node: node.id, params: {[name]: value}}, [x, y]);
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
    this.surface.zoomBy(event.deltaY < 0 ? 1.1 : 1 / 1.1, this.local(event));
  }

  key(event) {
    const surface = this.surface;
    const mod = event.ctrlKey || event.metaKey;
    const name = event.key.toLowerCase();
    const take = () => {
      event.preventDefault();
      event.stopPropagation();
    };
    if (mod && (name === "z" || name === "y")) {
      take();
      return surface.send(name === "z" && !event.shiftKey ? "undo" : "redo");
    }
    const selected = surface.selected();
    if ((event.key === "Delete" || event.key === "Backspace") && selected) {
      take();
      surface.select(null);
      if (selected.edge) {
        return surface.send("disconnect", {src: selected.edge[0], dst: selected.edge[1]});
      }
      return surface.send("remove", {node: selected.node});
    }
    if (event.key === "Escape") surface.select(null);
  }
}
