// A small page for the front end's unit tests: elements with attributes, classes, children,
// events that bubble, simple CSS selectors, and the few browser objects the views use
// (window, getComputedStyle, ResizeObserver, requestAnimationFrame, ImageData, a canvas that
// records what is drawn). No layout: a test gives an element its box (`setBox`).
//
//   import {installDom} from "./dom.mjs";
//   const page = installDom();     // globals: document, window, Node, ...
//   page.frame();                  // run the animation frames asked for

class Node {
  constructor() {
    this.parentNode = null;
    this.childNodes = [];
  }

  get parentElement() {
    return this.parentNode instanceof Element ? this.parentNode : null;
  }

  get isConnected() {
    let node = this;
    while (node.parentNode) node = node.parentNode;
    return node === globalThis.document;
  }

  remove() {
    if (!this.parentNode) return;
    const siblings = this.parentNode.childNodes;
    siblings.splice(siblings.indexOf(this), 1);
    this.parentNode = null;
  }

  append(...children) {
    for (const child of children) {
      const node = child instanceof Node ? child : new Text(String(child));
      node.remove();
      node.parentNode = this;
      this.childNodes.push(node);
    }
  }

  appendChild(child) {
    this.append(child);
    return child;
  }

  replaceChildren(...children) {
    for (const child of [...this.childNodes]) child.remove();
    this.append(...children);
  }

  get textContent() {
    return this.childNodes.map(child => child.textContent).join("");
  }

  set textContent(text) {
    this.replaceChildren(String(text));
  }
}

class Text extends Node {
  constructor(text) {
    super();
    this.text = text;
  }

  get textContent() {
    return this.text;
  }

  set textContent(text) {
    this.text = String(text);
  }
}

class Event {
  constructor(type, init = {}) {
    Object.assign(this, {bubbles: true, button: 0, pointerId: 1, clientX: 0, clientY: 0}, init);
    this.type = type;
    this.defaultPrevented = false;
    this.stopped = false;
  }

  preventDefault() {
    this.defaultPrevented = true;
  }

  stopPropagation() {
    this.stopped = true;
  }
}

class Target extends Node {
  constructor() {
    super();
    this.listeners = new Map();
  }

  addEventListener(type, listener) {
    if (!this.listeners.has(type)) this.listeners.set(type, []);
    this.listeners.get(type).push(listener);
  }

  removeEventListener(type, listener) {
    const all = this.listeners.get(type) || [];
    if (all.includes(listener)) all.splice(all.indexOf(listener), 1);
  }

  /** Run the listeners of `event` here, then (if it bubbles) on each parent up. */
  dispatchEvent(event) {
    if (!event.target) event.target = this;
    let node = this;
    while (node && !event.stopped) {
      event.currentTarget = node;
      for (const listener of [...(node.listeners ? node.listeners.get(event.type) || [] : [])]) {
        listener.call(node, event);
      }
      if (!event.bubbles) break;
      node = node.parentNode;
    }
    return !event.defaultPrevented;
  }
}

const SELECTOR = /([.#]?[\w-]+|\*|\[[^\]]+\])/g;

/** Whether `element` is what one compound selector ("button.lab-step[data-kind]") names. */
function matchesCompound(element, compound) {
  for (const part of compound.match(SELECTOR) || []) {
    if (part.startsWith(".")) {
      if (!element.classList.contains(part.slice(1))) return false;
    } else if (part.startsWith("#")) {
      if (element.getAttribute("id") !== part.slice(1)) return false;
    } else if (part.startsWith("[")) {
      const [, name, value] = part.match(/^\[([\w-]+)(?:="?([^"]*)"?)?\]$/);
      if (!element.hasAttribute(name)) return false;
      if (value !== undefined && element.getAttribute(name) !== value) return false;
    } else if (part !== "*" && element.tagName !== part.toLowerCase()) {
      return false;
    }
  }
  return true;
}

function matches(element, selector) {
  return selector.split(",").some(one => {
    const parts = one.trim().split(/\s+/);
    if (!matchesCompound(element, parts.pop())) return false;
    let node = element.parentElement;
    while (parts.length && node) {  // each ancestor part, somewhere above
      if (matchesCompound(node, parts[parts.length - 1])) parts.pop();
      node = node.parentElement;
    }
    return parts.length === 0;
  });
}

class ClassList {
  constructor(element) {
    this.element = element;
  }

  names() {
    return (this.element.getAttribute("class") || "").split(/\s+/).filter(Boolean);
  }

  contains(name) {
    return this.names().includes(name);
  }

  add(...names) {
    this.element.setAttribute("class", [...new Set([...this.names(), ...names])].join(" "));
  }

  remove(...names) {
    this.element.setAttribute("class", this.names().filter(n => !names.includes(n)).join(" "));
  }

  toggle(name, force) {
    const on = force === undefined ? !this.contains(name) : !!force;
    if (on) this.add(name); else this.remove(name);
    return on;
  }
}

class Style {
  setProperty(name, value) {
    this[name] = String(value);
  }

  getPropertyValue(name) {
    return this[name] || "";
  }
}

/** A 2-d context that keeps a list of what was asked of it. */
function context2d(canvas) {
  const calls = [];
  return new Proxy({canvas, calls}, {
    get(target, name) {
      if (name in target) return target[name];
      if (name === "createImageData") return (w, h) => new ImageData(w, h);
      if (name === "getImageData") return (x, y, w, h) => new ImageData(w, h);
      if (name === "measureText") return text => ({width: 6 * String(text).length});
      return (...args) => calls.push([name, ...args]);
    },
    set(target, name, value) {
      target[name] = value;
      return true;
    },
  });
}

const camel = name => name.replace(/-(\w)/g, (_, c) => c.toUpperCase());
const kebab = name => name.replace(/[A-Z]/g, c => `-${c.toLowerCase()}`);

class Element extends Target {
  constructor(tagName, namespace = null) {
    super();
    this.tagName = tagName.toLowerCase();
    this.namespaceURI = namespace;
    this.attributes = new Map();
    this.classList = new ClassList(this);
    this.style = new Style();
    this.validity = {badInput: false};
    this.box = {left: 0, top: 0, width: 0, height: 0};
    const element = this;
    this.dataset = new Proxy({}, {
      get: (_, name) => element.getAttribute(`data-${kebab(String(name))}`) ?? undefined,
      set: (_, name, value) => {
        element.setAttribute(`data-${kebab(String(name))}`, value);
        return true;
      },
      deleteProperty: (_, name) => {
        element.removeAttribute(`data-${kebab(String(name))}`);
        return true;
      },
      has: (_, name) => element.hasAttribute(`data-${kebab(String(name))}`),
      ownKeys: () => [...element.attributes.keys()].filter(n => n.startsWith("data-"))
        .map(n => camel(n.slice(5))),
      getOwnPropertyDescriptor: () => ({enumerable: true, configurable: true}),
    });
    if (this.tagName === "canvas") {
      this.width = 300;
      this.height = 150;
    }
  }

  setAttribute(name, value) {
    this.attributes.set(name, String(value));
    if (name === "value" && this._value === undefined) this._value = String(value);
    if (name === "width" && this.tagName === "canvas") this.width = Number(value);
    if (name === "height" && this.tagName === "canvas") this.height = Number(value);
  }

  getAttribute(name) {
    return this.attributes.has(name) ? this.attributes.get(name) : null;
  }

  hasAttribute(name) {
    return this.attributes.has(name);
  }

  removeAttribute(name) {
    this.attributes.delete(name);
  }

  get className() {
    return this.getAttribute("class") || "";
  }

  get id() {
    return this.getAttribute("id") || "";
  }

  get children() {
    return this.childNodes.filter(node => node instanceof Element);
  }

  get firstChild() {
    return this.childNodes[0] || null;
  }

  get type() {
    return this.getAttribute("type") || "";
  }

  get hidden() {
    return this.hasAttribute("hidden");
  }

  set hidden(value) {
    if (value) this.setAttribute("hidden", ""); else this.removeAttribute("hidden");
  }

  get disabled() {
    return this.hasAttribute("disabled");
  }

  set disabled(value) {
    if (value) this.setAttribute("disabled", ""); else this.removeAttribute("disabled");
  }

  get options() {
    return this.querySelectorAll("option");
  }

  get value() {
    if (this.tagName === "select") {
      const options = this.options;
      const chosen = options.find(o => o.selected) || options[0];
      return chosen ? chosen.value : "";
    }
    if (this.tagName === "option") return this.getAttribute("value") ?? this.textContent;
    return this._value ?? "";
  }

  set value(value) {
    if (this.tagName === "select") {
      for (const option of this.options) option.selected = option.value === String(value);
      return;
    }
    this._value = String(value);
  }

  get checked() {
    return this._checked ?? this.hasAttribute("checked");
  }

  set checked(value) {
    this._checked = !!value;
  }

  get clientWidth() {
    return this.box.width;
  }

  get clientHeight() {
    return this.box.height;
  }

  get offsetWidth() {
    return this.box.width;
  }

  get offsetHeight() {
    return this.box.height;
  }

  getBoundingClientRect() {
    const {left, top, width, height} = this.box;
    return {left, top, width, height, x: left, y: top, right: left + width,
      bottom: top + height};
  }

  matches(selector) {
    return matches(this, selector);
  }

  closest(selector) {
    let node = this;
    while (node instanceof Element) {
      if (node.matches(selector)) return node;
      node = node.parentNode;
    }
    return null;
  }

  querySelectorAll(selector) {
    const found = [];
    const walk = node => {
      for (const child of node.children) {
        if (child.matches(selector)) found.push(child);
        walk(child);
      }
    };
    walk(this);
    return found;
  }

  querySelector(selector) {
    return this.querySelectorAll(selector)[0] || null;
  }

  focus() {
    globalThis.document.activeElement = this;
  }

  blur() {
    if (globalThis.document.activeElement === this) globalThis.document.activeElement = null;
  }

  select() {}

  click() {
    this.dispatchEvent(new Event("click"));
  }

  getContext() {
    if (!this.context) this.context = context2d(this);
    return this.context;
  }
}

class ImageData {
  constructor(width, height) {
    this.width = width;
    this.height = height;
    this.data = new Uint8ClampedArray(4 * width * height);
  }
}

class Document extends Target {
  constructor() {
    super();
    this.activeElement = null;
    this.body = new Element("body");
    this.append(this.body);
    this.under = null;  // what elementFromPoint answers (a test sets it)
  }

  createElement(tag) {
    return new Element(tag);
  }

  createElementNS(namespace, tag) {
    return new Element(tag, namespace);
  }

  createTextNode(text) {
    return new Text(text);
  }

  elementFromPoint() {
    return this.under;
  }

  querySelector(selector) {
    return this.body.matches(selector) ? this.body : this.body.querySelector(selector);
  }
}

/**
 * Make the globals of a page (document, window, Node, getComputedStyle, ResizeObserver,
 * requestAnimationFrame, ImageData) for the modules under test; returns what drives them.
 */
export function installDom() {
  const document = new Document();
  const frames = [];
  const observers = [];
  const window = new Target();
  window.devicePixelRatio = 1;
  Object.assign(globalThis, {
    document, window, Node, Element, ImageData,
    getComputedStyle: element => ({getPropertyValue: name => {
      let node = element;  // CSS variables are inherited: the nearest one set
      while (node instanceof Element) {
        if (node.style[name]) return node.style[name];
        node = node.parentNode;
      }
      return "";
    }}),
    requestAnimationFrame: callback => frames.push(callback),
    ResizeObserver: class {
      constructor(callback) {
        this.callback = callback;
        this.elements = [];
        observers.push(this);
      }

      observe(element) {
        this.elements.push(element);
      }

      disconnect() {
        this.elements = [];
      }
    },
  });
  return {
    document, window, Event,
    /** Run the animation frames waiting (and those they ask for, up to `rounds` deep). */
    frame(rounds = 1) {
      for (let i = 0; i < rounds; i++) {
        const now = frames.splice(0);
        for (const callback of now) callback(performance.now() + 1000);
      }
    },
    /** Tell the size observers of `element` its new box. */
    resize(element, width, height) {
      setBox(element, 0, 0, width, height);
      for (const observer of observers) {
        if (observer.elements.includes(element)) {
          observer.callback([{contentRect: {width, height}}]);
        }
      }
    },
  };
}

/** Give `element` a box on the page (its bounding box and client size). */
export function setBox(element, left, top, width, height) {
  element.box = {left, top, width, height};
}

/** A pointer event of `type` at (x, y) of the page. */
export function pointer(type, x, y, init = {}) {
  return new Event(type, {clientX: x, clientY: y, ...init});
}

/** A key press on `element`. */
export function press(element, key, init = {}) {
  const event = new Event("keydown", {key, ...init});
  element.dispatchEvent(event);
  return event;
}

/** Set a control's value and send the event a user's change sends. */
export function change(element, value, type = "change") {
  if (element.type === "checkbox") element.checked = value; else element.value = value;
  element.dispatchEvent(new Event(type));
}

export {Event};
