// util.js: numbers for people, colour tables, buffers read as typed arrays.
import assert from "node:assert/strict";
import {test} from "node:test";

import {installDom} from "./dom.mjs";

installDom();
const util = await import("../../labnet/lab/static/util.js");

test("numbers are shown with three significant digits, exponents when far from 1", () => {
  assert.equal(util.num(0.123456), "0.123");
  assert.equal(util.num(12345.6), "12300");
  assert.equal(util.num(123456), "1.23e+5");
  assert.equal(util.num(0.0001234), "1.23e-4");
  assert.equal(util.num(0), "0");
  assert.equal(util.num(null), "–");
  assert.equal(util.num(NaN), "–");
  assert.equal(util.num(Infinity), "∞");
  assert.equal(util.num(-1e301), "−∞");
});

test("shares are percentages and whole numbers have thousands separated", () => {
  assert.equal(util.percent(0.015), "1.5 %");
  assert.equal(util.percent(undefined), "–");
  assert.equal(util.whole(12345.4), "12,345");
  assert.equal(util.whole(null), "–");
});

test("a colour table runs from the first stop to the last, opaque", () => {
  const table = util.colourTable(["#000000", "#ff8000"]);
  assert.equal(table.length, 1024);
  assert.deepEqual([...table.slice(0, 4)], [0, 0, 0, 255]);
  assert.deepEqual([...table.slice(1020, 1024)], [255, 128, 0, 255]);
  assert.deepEqual([...table.slice(4 * 128, 4 * 128 + 3)], [128, 64, 0]);
  assert.equal(util.tableColour(table, 2), "rgb(255,128,0)");  // (clamped to the top)
  assert.equal(util.tableColour(table, -1), "rgb(0,0,0)");
});

test("a class table fades each class's colour to white as the network is less sure", () => {
  const table = util.classTable(["#f59322", "#0877bd", "#009e73"]);
  const at = byte => [...table.slice(4 * byte, 4 * byte + 4)];
  assert.deepEqual(at(31), [0xf5, 0x93, 0x22, 255]);  // class 0, sure
  assert.deepEqual(at(2 * util.LEVELS + 31), [0x00, 0x9e, 0x73, 255]);  // class 2, sure
  assert.deepEqual(at(2 * util.LEVELS), [255, 255, 255, 255]);  // a tie: white
  assert.deepEqual(at(5 * util.LEVELS + 31), [255, 255, 255, 255]);  // no such class
  const discrete = util.classTable(["#f59322", "#0877bd"], true);
  assert.deepEqual([...discrete.slice(4 * 32, 4 * 32 + 3)], [0x08, 0x77, 0xbd]);
  assert.deepEqual([...util.paler(new Uint8ClampedArray([0, 255, 55, 255]), 0.5)],
    [128, 255, 155, 255]);
});

test("values are painted through the table into an image", () => {
  const table = util.colourTable(["#000000", "#ffffff"]);
  const image = new ImageData(2, 1);
  util.paintValues(new Uint8Array([0, 255]), table, image);
  assert.deepEqual([...image.data], [0, 0, 0, 255, 255, 255, 255, 255]);
});

test("a log level spans the decades below the top", () => {
  assert.equal(util.logLevel(1, 1, 4), 1);
  assert.equal(util.logLevel(0.01, 1, 4), 0.5);
  assert.equal(util.logLevel(1e-9, 1, 4), 0);
  assert.equal(util.logLevel(0, 1, 4), 0);
  assert.equal(util.logLevel(5, 1, 4), 1);
});

test("axis steps are 1, 2 or 5 times a power of ten", () => {
  assert.equal(util.niceStep(0.3), 0.5);
  assert.equal(util.niceStep(7), 10);
  assert.equal(util.niceStep(1.5), 2);
  assert.equal(util.niceStep(0), 1e-9);
});

test("a buffer is read in place where it is aligned, else copied", () => {
  const bytes = new ArrayBuffer(12);
  new Float32Array(bytes).set([1, 2, 3]);
  const aligned = util.typedArray(Float32Array, new DataView(bytes, 4, 8));
  assert.deepEqual([...aligned], [2, 3]);
  assert.equal(aligned.buffer, bytes);
  const odd = new ArrayBuffer(9);
  new Uint8Array(odd).set(new Uint8Array(bytes, 0, 8), 1);
  const copied = util.typedArray(Float32Array, new DataView(odd, 1, 8));
  assert.deepEqual([...copied], [1, 2]);
});

test("elements are built with attributes, listeners and children; nulls left out", () => {
  let clicked = 0;
  const button = util.h("button", {class: "lab-step", onclick: () => { clicked += 1; },
    hidden: false, title: null}, "Step", null, util.h("b", {}, 3));
  assert.equal(button.className, "lab-step");
  assert.equal(button.hasAttribute("hidden"), false);
  assert.equal(button.hasAttribute("title"), false);
  assert.equal(button.textContent, "Step3");
  button.click();
  assert.equal(clicked, 1);
});

test("keys of nodes and edges are their ids as text", () => {
  assert.equal(util.key(3, "a"), "3→a");
  assert.equal(util.key(3), util.key("3"));
});
