// geometry.js: the camera that fits the graph, nodes sized to leave edges room to be hit,
// which node or edge is under a point, and edges routed clear of the nodes they pass.
import assert from "node:assert/strict";
import {test} from "node:test";

import {
  Lanes, MIN_GAP, boxSize, fitCamera, inBox, inside, nodeBox, route, routeDistance,
  segmentDistance, toGraph, toPixels, zoomCamera,
} from "../../labnet/lab/static/geometry.js";

const chain = Array.from({length: 8}, (_, i) => [i, 0]);

test("the fitted camera shows every node whole, centred", () => {
  const camera = fitCamera(chain, 520, 290);
  for (const [x, y] of chain) assert.ok(inside(nodeBox(camera, x, y), 520, 290), `node ${x}`);
  const first = nodeBox(camera, 0, 0);
  const last = nodeBox(camera, 7, 0);
  assert.ok(Math.abs((first.x - first.hw) - (520 - last.x - last.hw)) < 1);  // centred
  assert.ok(Math.abs(first.y - 145) < 1);
});

test("between two columns' boxes there is room for an edge to be hit", () => {
  for (const width of [300, 520, 900, 1400]) {
    const camera = fitCamera(chain, width, 300);
    const [a, b] = [nodeBox(camera, 0, 0), nodeBox(camera, 1, 0)];
    const gap = (b.x - b.hw) - (a.x + a.hw);
    // a laptop's graph (a column of 58 px or more): MIN_GAP; narrower: most of it to nodes
    const least = camera.scale >= MIN_GAP + 30 ? MIN_GAP : 0.28 * camera.scale;
    assert.ok(gap >= least - 1e-9, `${width}: gap ${gap}, scale ${camera.scale}`);
  }
  assert.ok(boxSize(28) / boxSize(18) > 1.4);  // a deep graph's nodes grow as one zooms in
});

test("a projector's scale makes nodes larger where there is room", () => {
  const small = nodeBox(fitCamera([[0, 0], [2, 0]], 1200, 500, 1), 0, 0);
  const large = nodeBox(fitCamera([[0, 0], [2, 0]], 1200, 500, 1.4), 0, 0);
  assert.ok(large.hw > 1.3 * small.hw, `${small.hw} → ${large.hw}`);
  assert.ok(boxSize(1000, 1) <= 92 && boxSize(1000, 1.4) <= 92 * 1.4);
});

test("pixels and graph units go back and forth", () => {
  const camera = fitCamera(chain, 500, 300);
  const [px, py] = toPixels(camera, 3.5, -1);
  const [x, y] = toGraph(camera, px, py);
  assert.ok(Math.abs(x - 3.5) < 1e-9 && Math.abs(y + 1) < 1e-9);
});

test("zooming keeps the point under the pointer where it is", () => {
  const camera = fitCamera(chain, 500, 300);
  const at = [123, 77];
  const before = toGraph(camera, ...at);
  const closer = zoomCamera(camera, 1.5, at);
  assert.ok(Math.abs(closer.scale - 1.5 * camera.scale) < 1e-9);
  const after = toGraph(closer, ...at);
  assert.ok(Math.abs(after[0] - before[0]) < 1e-9 && Math.abs(after[1] - before[1]) < 1e-9);
});

test("a point is on a box within its slack, and a node out of the area is not inside", () => {
  const box = {x: 50, y: 50, hw: 10, hh: 12};
  assert.ok(inBox(box, [59, 61]) && !inBox(box, [61, 50]) && inBox(box, [61, 50], 2));
  assert.ok(inside(box, 100, 100) && !inside(box, 55, 100));
});

test("the distance to a segment is the distance to its nearest point", () => {
  assert.equal(segmentDistance([5, 3], [0, 0], [10, 0]), 3);
  assert.equal(segmentDistance([-4, 3], [0, 0], [10, 0]), 5);
});

/** Whether a route's corners and the straight runs between them stay out of `box`. */
function clear(way, box) {
  for (let i = 1; i < way.points.length; i++) {
    const [a, b] = [way.points[i - 1], way.points[i]];
    for (let t = 0; t <= 1; t += 0.05) {
      const p = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
      if (inBox(box, p, 2)) return false;
    }
  }
  return true;
}

test("an edge between neighbours is a plain curve from port to port", () => {
  const camera = fitCamera(chain, 520, 290);
  const boxes = chain.map(([x, y]) => nodeBox(camera, x, y));
  const way = route(boxes[2], boxes[3], boxes, new Lanes());
  assert.match(way.d, /^M [\d.]+ [\d.]+ C /);
  assert.equal(way.around, false);
  assert.deepEqual(way.points[0], [boxes[2].x + boxes[2].hw, boxes[2].y]);
  assert.deepEqual(way.points.at(-1), [boxes[3].x - boxes[3].hw, boxes[3].y]);
});

test("a skip edge runs clear of every node it passes, at once (no Tidy needed)", () => {
  // Figure 1 as a student builds it: the chain, and a Linear dropped anywhere below it
  const camera = fitCamera([...chain, [3.37, 0.81]], 520, 290);
  const boxes = chain.map(([x, y]) => nodeBox(camera, x, y));
  const skip = nodeBox(camera, 3.37, 0.81);
  const all = [...boxes, skip];
  const lanes = new Lanes();
  const into = route(boxes[0], skip, all, lanes);
  const out = route(skip, boxes[6], all, lanes);
  assert.ok(into.around && out.around);
  for (const [i, box] of boxes.entries()) {
    if (i !== 0) assert.ok(clear(into, box), `0 → skip runs through node ${i}`);
    if (i !== 6) assert.ok(clear(out, box), `skip → 6 runs through node ${i}`);
  }
  assert.ok(clear(into, skip) || into.points.at(-1)[0] <= skip.x - skip.hw);
});

test("an edge back to the left goes around, and two edges along one lane are apart", () => {
  const camera = fitCamera(chain, 520, 290);
  const boxes = chain.map(([x, y]) => nodeBox(camera, x, y));
  const lanes = new Lanes();
  const back = route(boxes[6], boxes[1], boxes, lanes);
  const again = route(boxes[5], boxes[2], boxes, lanes);
  for (const [i, box] of boxes.entries()) {
    if (![6, 1].includes(i)) assert.ok(clear(back, box), `6 → 1 runs through node ${i}`);
  }
  const laneOf = way => way.points[2][1];
  assert.ok(Math.abs(laneOf(back) - laneOf(again)) >= 6, `${laneOf(back)}, ${laneOf(again)}`);
});

test("the distance to a route tells which edge a drop is on", () => {
  const camera = fitCamera(chain, 520, 290);
  const boxes = chain.map(([x, y]) => nodeBox(camera, x, y));
  const way = route(boxes[6], boxes[7], boxes, new Lanes());
  const middle = [(boxes[6].x + boxes[7].x) / 2, boxes[6].y];
  assert.ok(routeDistance(middle, way) < 1);
  assert.ok(routeDistance([middle[0], middle[1] + 30], way) > 20);
});
