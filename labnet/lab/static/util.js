// Small helpers shared by the views: building elements, colours, numbers.

const SVG = "http://www.w3.org/2000/svg";

/**
 * An HTML element: h("button", {class: "lab-step", onclick: f}, "Step").
 * Attributes starting with "on" are listeners; `null` and `false` attributes are left out.
 * @param {string} tag
 * @param {Object} [attrs]
 * @param {...(Node|string|null)} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

/**
 * An SVG element, as `h` makes HTML ones.
 * @returns {SVGElement}
 */
export function svg(tag, attrs = {}, ...children) {
  return fill(document.createElementNS(SVG, tag), attrs, children);
}

function fill(element, attrs, children) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === false || value === undefined) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) {
      element.append(child instanceof Node ? child : String(child));
    }
  }
  return element;
}

/** @param {string} hex  "#f59322" @returns {number[]} [r, g, b] */
export function rgb(hex) {
  const value = parseInt(hex.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

/**
 * A buffer of a message (a DataView) as a typed array: its bytes as they are where they are
 * aligned for `Type`, else a copy (a Float32Array cannot start at an odd byte).
 * @template T
 * @param {{new(...args: *): T, BYTES_PER_ELEMENT: number}} Type
 * @param {DataView} view
 * @returns {T}
 */
export function typedArray(Type, view) {
  const {buffer, byteOffset, byteLength} = view;
  if (byteOffset % Type.BYTES_PER_ELEMENT === 0) {
    return new Type(buffer, byteOffset, byteLength / Type.BYTES_PER_ELEMENT);
  }
  return new Type(buffer.slice(byteOffset, byteOffset + byteLength));
}

/** The CSS colour of `level` (0 to 1) in a colourTable. */
export function tableColour(table, level) {
  const i = 4 * Math.round(Math.min(Math.max(level, 0), 1) * 255);
  return `rgb(${table[i]},${table[i + 1]},${table[i + 2]})`;
}

/** A round step (1, 2 or 5 times a power of ten) of at least `raw`: ticks of an axis. */
export function niceStep(raw) {
  const decade = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-9)));
  return [1, 2, 5, 10].map(m => m * decade).find(s => s >= raw);
}

/**
 * A 256-entry RGBA table running through `stops` (evenly spaced hex colours).
 * @param {string[]} stops
 * @returns {Uint8ClampedArray} 1024 bytes
 */
export function colourTable(stops) {
  const colours = stops.map(rgb);
  const table = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) {
    const at = (i / 255) * (colours.length - 1);
    const k = Math.min(Math.floor(at), colours.length - 2);
    const t = at - k;
    for (let c = 0; c < 3; c++) {
      table[4 * i + c] = colours[k][c] * (1 - t) + colours[k + 1][c] * t;
    }
    table[4 * i + 3] = 255;
  }
  return table;
}

/** How sure a class's pixel is, in levels: a byte of a "classes" picture is class · 32 + level. */
export const LEVELS = 32;

/**
 * A 256-entry RGBA table for pictures coded "classes" (labnet/lab/pictures.py): byte
 * class · LEVELS + level is the class's colour, faded to white as the level falls to 0 (a
 * tie); `discrete`: the class's colour whatever the level.
 * @param {string[]} classColours  a hex colour per class
 * @param {boolean} [discrete]
 * @returns {Uint8ClampedArray} 1024 bytes
 */
export function classTable(classColours, discrete = false) {
  const colours = classColours.map(rgb);
  const table = new Uint8ClampedArray(256 * 4).fill(255);
  for (let byte = 0; byte < 256; byte++) {
    const colour = colours[Math.floor(byte / LEVELS)];
    if (!colour) continue;
    const sure = discrete ? 1 : (byte % LEVELS) / (LEVELS - 1);
    for (let c = 0; c < 3; c++) table[4 * byte + c] = 255 + sure * (colour[c] - 255);
  }
  return table;
}

/**
 * A table of colours made paler (towards white), as the plane is under its points.
 * @param {Uint8ClampedArray} table
 * @param {number} strength  1: as it is, 0: white
 */
export function paler(table, strength) {
  return table.map((v, i) => (i % 4 === 3 ? v : 255 - (255 - v) * strength));
}

/**
 * Paint uint8 `values` (n×n, rows from the top) through `table` into `image` (ImageData).
 * @param {Uint8Array} values
 * @param {Uint8ClampedArray} table
 * @param {ImageData} image
 */
export function paintValues(values, table, image) {
  const pixels = image.data;
  for (let i = 0, p = 0; i < values.length; i++, p += 4) {
    const c = 4 * values[i];
    pixels[p] = table[c];
    pixels[p + 1] = table[c + 1];
    pixels[p + 2] = table[c + 2];
    pixels[p + 3] = 255;
  }
}

/**
 * Where `value` sits on a log scale that spans `decades` below `top`: 0 (at or below the
 * bottom) to 1 (at the top).
 */
export function logLevel(value, top, decades) {
  if (!(value > 0) || !(top > 0)) return 0;
  return Math.max(0, Math.min(1, 1 + Math.log10(value / top) / decades));
}

/** A number for people: 3 significant digits, exponents for very big or small ones. */
export function num(value, digits = 3) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (!Number.isFinite(value) || Math.abs(value) >= 1e300) return value > 0 ? "∞" : "−∞";
  const size = Math.abs(value);
  if (size !== 0 && (size >= 1e5 || size < 1e-3)) return value.toExponential(digits - 1);
  return Number(value.toPrecision(digits)).toString();
}

/** A share from 0 to 1 as a percentage: "1.5 %". */
export function percent(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  return `${(100 * value).toFixed(1)} %`;
}

/** A whole number with thousands separated: "12,345". */
export function whole(value) {
  return value === null || value === undefined ? "–" : Math.round(value).toLocaleString("en");
}

/**
 * A CSS variable of the page (JupyterLab's theme), or `fallback` where there is none.
 * @param {Element} element
 * @param {string} name  "--jp-ui-font-color1"
 * @param {string} fallback
 */
export function themeColour(element, name, fallback) {
  const value = getComputedStyle(element).getPropertyValue(name).trim();
  return value || fallback;
}

/**
 * Size a canvas's pixels to its box on the screen (times the device's pixel ratio); true if
 * they changed.
 * @param {HTMLCanvasElement} canvas
 */
export function fitCanvas(canvas) {
  const ratio = window.devicePixelRatio || 1;
  // the size its ResizeObserver saw (reading clientWidth after a change forces a layout)
  const [cssWidth, cssHeight] = canvas.labnetSize || [canvas.clientWidth, canvas.clientHeight];
  const width = Math.max(1, Math.round(cssWidth * ratio));
  const height = Math.max(1, Math.round(cssHeight * ratio));
  if (canvas.width === width && canvas.height === height) return false;
  canvas.width = width;
  canvas.height = height;
  return true;
}

/**
 * Call `onResize` when `element` changes size, keeping its size (CSS pixels) where
 * `fitCanvas` reads it.
 */
export function watchSize(element, onResize) {
  const observer = new ResizeObserver(entries => {
    if (!element.isConnected) {  // the view is gone (its lab's cell ran again)
      observer.disconnect();
      return;
    }
    const box = entries[entries.length - 1].contentRect;
    element.labnetSize = [box.width, box.height];
    onResize();
  });
  observer.observe(element);
}

/**
 * The theme's colours, read once a second at most (reading a style forces the page's style
 * to be worked out first).
 */
export function themeColours(element, names) {
  const now = performance.now();
  const key = JSON.stringify(names);  // (each view asks for its own colours)
  element.labnetColours = element.labnetColours || new Map();
  const cached = element.labnetColours.get(key);
  if (cached && now - cached.at < 1000) return cached.values;
  const style = getComputedStyle(element);
  const values = Object.fromEntries(Object.entries(names).map(([name, [css, fallback]]) =>
    [name, style.getPropertyValue(css).trim() || fallback]));
  values.scale = parseFloat(style.getPropertyValue("--lab-scale")) || 1;
  element.labnetColours.set(key, {at: now, values});
  return values;
}

/** The key of a node or an edge in maps: ids may be numbers or names. */
export function key(...ids) {
  return ids.map(String).join("→");
}
