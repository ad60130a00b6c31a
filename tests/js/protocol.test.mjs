// protocol.js: intents go out with ids of their view; each reply reaches its intent; painted
// frames are told a few times a second, not each frame.
import assert from "node:assert/strict";
import {mock, test} from "node:test";

import {FakeModel} from "./model.mjs";

const {Channel} = await import("../../labnet/lab/static/protocol.js");

test("an intent is a message naming the Lab method and its arguments", () => {
  const model = new FakeModel();
  const channel = new Channel(model);
  channel.intent("connect", {src: 3, dst: 5});
  const [sent] = model.sent;
  assert.equal(sent.type, "intent");
  assert.equal(sent.action, "connect");
  assert.deepEqual(sent.args, {src: 3, dst: 5});
  assert.match(sent.id, /^\w+:1$/);
});

test("each reply resolves its own intent, and replies to other views are ignored", async () => {
  const model = new FakeModel();
  const channel = new Channel(model);
  const other = new Channel(model);
  const first = channel.intent("step");
  const second = channel.intent("add", {kind: "ReLU"});
  const [one, two] = model.sent.map(m => m.id);
  assert.notEqual(one.split(":")[0], other.view);
  channel.answer({id: two, ok: true, value: 8});
  channel.answer({id: `${other.view}:1`, ok: true});
  channel.answer({id: one, ok: false, error: "no network"});
  assert.deepEqual(await second, {id: two, ok: true, value: 8});
  assert.deepEqual(await first, {id: one, ok: false, error: "no network"});
});

test("a closed view sends nothing more; its waiting intents are answered 'gone'", async () => {
  const model = new FakeModel();
  const channel = new Channel(model);
  const waiting = channel.intent("step");
  channel.close();
  assert.equal((await waiting).ok, false);
  const late = await channel.intent("step");
  assert.equal(late.error, "the view is gone");
  assert.equal(model.sent.length, 1);
});

test("painted frames are told together, at most every 400 ms, the latest of each kind",
  () => {
    mock.timers.enable({apis: ["setTimeout"]});
    try {
      const model = new FakeModel();
      const channel = new Channel(model);
      for (let frame = 1; frame <= 30; frame++) channel.painted("boundary", frame);
      channel.painted("thumbs", 4);
      channel.painted("boundary", 12);  // (an older frame told late: the latest stays)
      assert.equal(model.sent.length, 0);
      mock.timers.tick(400);
      assert.deepEqual(model.sent.map(m => [m.type, m.frames]),
        [["painted", {boundary: 30, thumbs: 4}]]);
      channel.painted("boundary", 31);
      mock.timers.tick(399);
      assert.equal(model.sent.length, 1);
      mock.timers.tick(1);
      assert.deepEqual(model.sent[1].frames, {boundary: 31});
    } finally {
      mock.timers.reset();
    }
  });

test("an intent unanswered for 300 ms is told as work under way, until its reply", () => {
  mock.timers.enable({apis: ["setTimeout"]});
  try {
    const model = new FakeModel();
    const channel = new Channel(model);
    const told = [];
    channel.onWorking = working => told.push(working);
    channel.intent("step");
    const quick = model.sent[0].id;
    mock.timers.tick(100);
    channel.answer({id: quick, ok: true});  // answered in time: nothing said
    mock.timers.tick(300);
    assert.deepEqual(told, []);
    channel.intent("set_params", {node: 3, params: {width: 4096}});
    channel.intent("step");
    const [slow, next] = model.sent.slice(1).map(m => m.id);
    mock.timers.tick(300);
    assert.deepEqual(told, [true]);  // once, for both
    channel.answer({id: slow, ok: true});
    assert.deepEqual(told, [true]);  // the other still waits
    channel.answer({id: next, ok: true});
    assert.deepEqual(told, [true, false]);
  } finally {
    mock.timers.reset();
  }
});

test("a Pause is told to the page as it is sent (it stops drawing at the click)", () => {
  const model = new FakeModel();
  const channel = new Channel(model);
  const told = [];
  channel.onIntent = (action, args) => told.push([action, args]);
  channel.intent("toggle_play");
  assert.deepEqual(told, [["toggle_play", {}]]);
  assert.equal(model.sent.length, 1);
});
