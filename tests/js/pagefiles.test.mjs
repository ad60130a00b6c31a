// The page's files in the app (files: "browser", labnet/lab/pagefiles.py): Save and Export
// picture come back as downloads the browser takes at once; Open picks a file on the student's
// machine and sends its bytes (at most 8 MiB); in JupyterLab, Open still names a file.
import assert from "node:assert/strict";
import {afterEach, beforeEach, mock, test} from "node:test";

import {Event, installDom} from "./dom.mjs";
import {FakeModel, labTraits, settle} from "./model.mjs";

installDom();
const {render} = await import("../../labnet/lab/static/app.js");

beforeEach(() => mock.timers.enable({apis: ["setTimeout"]}));
afterEach(() => mock.timers.reset());

function show(files) {
  const model = new FakeModel({...labTraits(), files});
  const el = document.createElement("div");
  document.body.append(el);
  const dispose = render({model, el});
  return {model, root: el.querySelector(".labnet-lab"), dispose};
}

/** The kernel sends the file `name` to a lab of `files`; how often its link was clicked. */
function sendFile(files, name) {
  const {model, root, dispose} = show(files);
  const link = root.querySelector(".lab-download");
  let clicked = 0;
  link.addEventListener("click", () => { clicked += 1; });
  model.receive({type: "download", name}, [new DataView(new ArrayBuffer(4))]);
  dispose();
  return {link, clicked};
}

test("in the app a file the kernel sends is downloaded at once", () => {
  const {link, clicked} = sendFile("browser", "my-lab.npz");
  assert.equal(clicked, 1);
  assert.equal(link.download, "my-lab.npz");
});

test("in JupyterLab a picture is offered as a link, not downloaded unasked", () => {
  const {link, clicked} = sendFile("server", "lab.png");
  assert.equal(clicked, 0);
  assert.ok(!link.hidden && link.download === "lab.png");
});

test("in the app Open picks a file on the student's machine and sends its bytes", async () => {
  const {model, root, dispose} = show("browser");
  const picker = root.querySelector(".lab-upload");
  let picked = 0;
  picker.addEventListener("click", () => { picked += 1; });
  root.querySelector(".lab-open").click();
  assert.equal(picked, 1);
  assert.deepEqual(model.intents(), []);  // nothing named on the server
  const bytes = new Uint8Array([80, 75, 3, 4]).buffer;
  picker.files = [{name: "mine.npz", size: 4, arrayBuffer: async () => bytes}];
  picker.dispatchEvent(new Event("change"));
  await settle();
  await settle();
  const sent = model.lastIntent();
  assert.equal(sent.action, "open_upload");
  assert.deepEqual(sent.args, {name: "mine.npz"});
  assert.deepEqual(sent.buffers, [bytes]);
  dispose();
});

test("a file too big for the app is refused in the page, before it is sent", async () => {
  const {model, root, dispose} = show("browser");
  const picker = root.querySelector(".lab-upload");
  picker.files = [{name: "huge.npz", size: 9 * 2 ** 20, arrayBuffer: async () => null}];
  picker.dispatchEvent(new Event("change"));
  await settle();
  assert.deepEqual(model.intents(), []);
  assert.match(root.querySelector(".lab-message").textContent, /up to 8 MB/);
  dispose();
});

test("in JupyterLab Open asks first, then names the file to the kernel", () => {
  const {model, root, dispose} = show("server");
  root.querySelector(".lab-open").click();
  assert.deepEqual(model.intents(), []);
  root.querySelector(".lab-open").click();
  assert.deepEqual(model.intents(), [["open", {path: "my-lab.npz"}]]);
  dispose();
});
