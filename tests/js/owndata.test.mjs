// owndata.js: one's own data as CSV in the Data panel: an upload (its bytes, one buffer) or a
// paste is a load_csv intent; a refusal (the line at fault) is said beside the buttons; a file
// too big is refused unread; Download CSV asks export_csv and the CSV the kernel sends is
// downloaded.
import assert from "node:assert/strict";
import {beforeEach, test} from "node:test";

import {Event, installDom} from "./dom.mjs";
import {FakeModel, labTraits, settle} from "./model.mjs";

installDom();
globalThis.URL.createObjectURL = () => "blob:csv";
globalThis.URL.revokeObjectURL = () => {};
const {OwnDataView, MAX_CSV} = await import("../../labnet/lab/static/owndata.js");
const {Channel} = await import("../../labnet/lab/static/protocol.js");

let model, view;
beforeEach(() => {
  model = new FakeModel(labTraits());
  const channel = new Channel(model);
  model.on("msg:custom", content => channel.answer(content));
  view = new OwnDataView(channel);
  document.body.replaceChildren(view.element);
});

const file = (name, text, size = text.length) => ({name, size,
  arrayBuffer: async () => new TextEncoder().encode(text).buffer});

test("an uploaded file goes to the lab as it is, its bytes in one buffer", async () => {
  view.picker.files = [file("mine.csv", "x1,x2,label\n0,0,1\n")];
  view.picker.dispatchEvent(new Event("change"));
  await settle();
  const sent = model.lastIntent();
  assert.equal(sent.action, "load_csv");
  assert.deepEqual(sent.args, {name: "mine.csv"});
  assert.equal(new TextDecoder().decode(sent.buffers[0]), "x1,x2,label\n0,0,1\n");
  model.reply(false, "line 2, column 3: 'x' is not a number");
  await settle();
  assert.equal(view.note.textContent, "line 2, column 3: 'x' is not a number");
  assert.ok(view.note.classList.contains("lab-error"));
});

test("a file bigger than the lab reads is refused before it is read", async () => {
  let read = false;
  view.picker.files = [{name: "huge.csv", size: MAX_CSV + 1, arrayBuffer: async () => {
    read = true;
  }}];
  await view.upload();
  assert.equal(read, false);
  assert.deepEqual(model.intents(), []);
  assert.match(view.note.textContent, /huge\.csv is 8\.0 MB: the lab reads CSV files of up to 8/);
});

test("pasted rows are sent as text; nothing pasted is not sent", async () => {
  view.buttons.querySelector(".lab-csv-paste-open").click();
  assert.equal(view.paste.hidden, false);
  view.usePaste.click();
  assert.deepEqual(model.intents(), []);
  view.paste.value = "0\t0\t1\n1\t1\t0\n";
  view.usePaste.click();
  assert.deepEqual(model.intents(), [["load_csv", {text: "0\t0\t1\n1\t1\t0\n",
    name: "the rows pasted"}]]);
  model.reply(true);
  await settle();
  assert.equal(view.paste.hidden, true);
  assert.equal(view.note.textContent, "");
});

test("Download CSV asks the lab; the CSV it sends is downloaded", () => {
  view.buttons.querySelector(".lab-csv-download").click();
  assert.deepEqual(model.intents(), [["export_csv", {}]]);
  let clicked = 0;
  view.link.addEventListener("click", () => { clicked += 1; });
  view.offer("data.csv", new Uint8Array([120, 49]));
  assert.equal(clicked, 1);
  assert.equal(view.link.download, "data.csv");
  assert.equal(view.link.hidden, false);
});
