// unit.js: the unit of the node clicked, under the graph; its node and unit are the lab's,
// changed by look_at intents.
import assert from "node:assert/strict";
import {test} from "node:test";

import {change, installDom} from "./dom.mjs";
import {FakeModel, labTraits} from "./model.mjs";

installDom();
const {UnitView} = await import("../../labnet/lab/static/unit.js");
const {Channel} = await import("../../labnet/lab/static/protocol.js");

function unitView() {
  const traits = labTraits();
  const model = new FakeModel(traits);
  const unit = new UnitView(new Channel(model));
  unit.setSettings(traits.settings);
  unit.setGraph(traits.graph);
  unit.setView(traits.view);
  return {unit, model, traits};
}

const map = (node, unit) => [{type: "unitmap", node, unit, n: 2, low: -1, high: 2,
  width: 25}, [new DataView(new Uint8Array(4).buffer)]];

test("a hint until a node is picked; then its unit, named", () => {
  const {unit, traits} = unitView();
  assert.equal(unit.controls.hidden, true);
  assert.match(unit.text.textContent, /Click a node/);
  unit.setView({...traits.view, picked: 3, units: [[3, 4]]});
  unit.unitMap(...map(3, 4));
  assert.equal(unit.controls.hidden, false);
  assert.equal(unit.nodeSelect.value, "3");
  assert.equal(unit.unitInput.value, "4");
  assert.match(unit.text.textContent, /node 3, unit 4 of 25: -1 \(orange\) to 2 \(blue\)/);
});

test("another node or unit is a look_at intent", () => {
  const {unit, model, traits} = unitView();
  unit.setView({...traits.view, picked: 3, units: []});
  change(unit.nodeSelect, "5");
  change(unit.unitInput, "7");
  assert.deepEqual(model.intents(), [["look_at", {node: 5, unit: 0}],
    ["look_at", {node: 5, unit: 7}]]);
});

test("the hint comes back when the node shown is gone or nothing is picked", () => {
  const {unit, traits} = unitView();
  unit.setView({...traits.view, picked: 3, units: []});
  unit.unitMap(...map(3, 0));
  unit.setGraph({...traits.graph, nodes: traits.graph.nodes.filter(n => n.id !== 3)});
  assert.match(unit.text.textContent, /Click a node/);
  unit.unitMap(...map(5, 0));
  unit.setView(traits.view);
  assert.equal(unit.controls.hidden, true);
});

test("a node gone and brought back by Undo shows in the boxes as in the map", () => {
  const {unit, traits} = unitView();
  unit.setView({...traits.view, picked: 5, units: []});
  unit.setGraph({...traits.graph, nodes: traits.graph.nodes.filter(n => n.id !== 5)});
  unit.setGraph(traits.graph);
  assert.equal(unit.nodeSelect.value, "5");
  unit.nodeSelect.value = "1";
  unit.unitMap(...map(5, 2));
  assert.deepEqual([unit.nodeSelect.value, unit.unitInput.value], ["5", "2"]);
});
