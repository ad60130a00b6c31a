// Where the graph is drawn: from graph units (a node's column and row) to pixels of the area,
// the size of a node's box, which node or edge is under a point, and the path of each edge,
// clear of the nodes it passes. Pure functions of numbers: no page, no drawing.

export const MIN_SCALE = 14;  // pixels a column, at least: a deep graph fits with small nodes
export const MAX_SCALE = 150;
export const NODE_SHARE = 0.72;  // of a column, a node's box takes at most this
export const NODE_CAP = 92;  // pixels (times the lab's scale): a node's box at most
export const MIN_GAP = 28;  // pixels between the boxes of two columns: an edge there to hit
const ROW_SHARE = 0.92;  // of a row, a node's box (1.28 times its width tall) takes at most
const MARGIN = 6;  // pixels an edge keeps from the boxes it passes
const LANE = 6;  // pixels between two edges that share a lane

/**
 * @typedef {Object} Camera  pixels of the area = offset + graph units × scale
 * @property {number} scale     pixels a column (and a row)
 * @property {number[]} offset  [x, y], pixels
 * @property {number} size      the lab's scale (1, or 1.4 in presentation mode)
 */

/**
 * @typedef {Object} Box  a node's box in pixels of the area
 * @property {number} x   its centre
 * @property {number} y
 * @property {number} hw  half its width
 * @property {number} hh  half its height
 */

/**
 * The width of a node's box at `scale` pixels a column: a gap of MIN_GAP left between two
 * columns to hit the edges there, as long as the box keeps most of its column (a deep graph's
 * small nodes grow as one zooms in).
 */
export function boxSize(scale, size = 1) {
  const share = scale * NODE_SHARE;
  const room = Math.max(scale - MIN_GAP, Math.min(scale * 0.62, 30));
  return Math.max(Math.min(12, share), Math.min(NODE_CAP * size, share, room));
}

/** The height of a box `box` wide: room for a thumbnail and a label under it (or a compact
 * node's label alone). */
export function boxHeight(box) {
  return box < 36 ? box : box * 1.28;
}

/**
 * The largest scale at which `units` of the graph and the node around each end fit in
 * `pixels`: a node takes `share` of the scale, up to `cap` pixels in all.
 */
export function fitting(pixels, units, share, cap) {
  return Math.max(pixels / (units + share), (pixels - cap) / Math.max(units, 1));
}

/**
 * The camera that shows every node of `points` ([[x, y], ...] in graph units; the input's
 * place [0, 0] among them) whole in an area `width` × `height`, centred.
 * @returns {Camera}
 */
export function fitCamera(points, width, height, size = 1) {
  const xs = points.map(p => p[0]);
  const ys = points.map(p => p[1]);
  const [x0, x1] = [Math.min(...xs, 0), Math.max(...xs, 0)];
  const [y0, y1] = [Math.min(...ys, 0), Math.max(...ys, 0)];
  const fit = Math.min(fitting(width - 12, x1 - x0, NODE_SHARE, NODE_CAP * size),
    fitting(height - 18, y1 - y0, ROW_SHARE, 1.28 * NODE_CAP * size));
  const scale = Math.max(MIN_SCALE, Math.min(MAX_SCALE * size, fit));
  return {scale, size, offset: [(width - (x1 - x0) * scale) / 2 - x0 * scale,
    (height - (y1 - y0) * scale) / 2 - y0 * scale]};
}

/** A camera `factor` times closer, the point `[cx, cy]` of the area staying where it is. */
export function zoomCamera(camera, factor, [cx, cy]) {
  const scale = Math.max(MIN_SCALE, Math.min(MAX_SCALE * camera.size * 4,
    camera.scale * factor));
  const k = scale / camera.scale;
  return {...camera, scale, offset: [cx - (cx - camera.offset[0]) * k,
    cy - (cy - camera.offset[1]) * k]};
}

/** Pixels of the area of the graph point (x, y). */
export function toPixels(camera, x, y) {
  return [camera.offset[0] + x * camera.scale, camera.offset[1] + y * camera.scale];
}

/** The graph point at pixels (px, py) of the area. */
export function toGraph(camera, px, py) {
  return [(px - camera.offset[0]) / camera.scale, (py - camera.offset[1]) / camera.scale];
}

/** The box of a node at graph point (x, y). @returns {Box} */
export function nodeBox(camera, x, y) {
  const [px, py] = toPixels(camera, x, y);
  const box = boxSize(camera.scale, camera.size);
  return {x: px, y: py, hw: box / 2, hh: boxHeight(box) / 2};
}

/** Whether `box` lies whole inside an area `width` × `height` (`margin` pixels in). */
export function inside(box, width, height, margin = 2) {
  return box.x - box.hw >= margin && box.x + box.hw <= width - margin
    && box.y - box.hh >= margin && box.y + box.hh <= height - margin;
}

/** Whether the point [x, y] is in `box`, or within `slack` pixels of it. */
export function inBox(box, [x, y], slack = 0) {
  return Math.abs(x - box.x) <= box.hw + slack && Math.abs(y - box.y) <= box.hh + slack;
}

/** The distance from [x, y] to the segment from `a` to `b`. */
export function segmentDistance([x, y], a, b) {
  const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
  const length = dx * dx + dy * dy;
  const t = length ? Math.max(0, Math.min(1, ((x - a[0]) * dx + (y - a[1]) * dy) / length)) : 0;
  return Math.hypot(x - a[0] - t * dx, y - a[1] - t * dy);
}

/** The distance from a point to a route (its polyline of corners). */
export function routeDistance(point, route) {
  let best = Infinity;
  for (let i = 1; i < route.points.length; i++) {
    best = Math.min(best, segmentDistance(point, route.points[i - 1], route.points[i]));
  }
  return best;
}

/** Whether the horizontal segment at `y` from `a` to `b` passes through a box (with margin). */
function blocked(y, a, b, boxes, margin) {
  const [lo, hi] = a < b ? [a, b] : [b, a];
  return boxes.some(box => Math.abs(y - box.y) < box.hh + margin
    && box.x + box.hw > lo && box.x - box.hw < hi);
}

/** Whether any box (with margin) meets the rectangle from (x1, y1) to (x2, y2). */
function boxesIn(x1, y1, x2, y2, boxes, margin) {
  const [left, right] = x1 < x2 ? [x1, x2] : [x2, x1];
  const [top, bottom] = y1 < y2 ? [y1, y2] : [y2, y1];
  return boxes.some(box => box.x + box.hw + margin > left && box.x - box.hw - margin < right
    && box.y + box.hh + margin > top && box.y - box.hh - margin < bottom);
}

/**
 * Lanes taken by the edges routed so far, so that two edges do not run on one line: a lane
 * at `y` from `a` to `b` already taken is moved LANE pixels further from the boxes it skirts.
 */
export class Lanes {
  constructor() {
    this.taken = [];  // [y, lo, hi]
  }

  /** The lane nearest to `y` (moving by `direction`) free over [a, b]; taken from now on. */
  take(y, a, b, direction) {
    const [lo, hi] = a < b ? [a, b] : [b, a];
    let lane = y;
    while (this.taken.some(([ty, tlo, thi]) => Math.abs(ty - lane) < LANE / 2 && tlo < hi
      && lo < thi)) lane += (direction || 1) * LANE;
    this.taken.push([lane, lo, hi]);
    return lane;
  }
}

/**
 * The route of an edge from the output port of box `from` to the input port of box `to`,
 * clear of `boxes` (the other nodes): a smooth curve where the way between the ports is free;
 * else out of the source, along a lane above or below the boxes in the way, and into the
 * target. Returns the path (SVG), points along it (to measure where it runs) and whether it
 * goes around.
 * @param {Box} from
 * @param {Box} to
 * @param {Box[]} boxes
 * @param {Lanes} lanes
 * @returns {{d: string, points: number[][], around: boolean}}
 */
export function route(from, to, boxes, lanes) {
  const [x1, y1] = [from.x + from.hw, from.y];
  const [x2, y2] = [to.x - to.hw, to.y];
  const others = boxes.filter(box => box !== from && box !== to);
  if (x2 - x1 >= 8 && !boxesIn(x1, y1, x2, y2, others, MARGIN)) {
    return {d: curve(x1, y1, x2, y2), points: curvePoints(x1, y1, x2, y2), around: false};
  }
  const gap = Math.max(10, Math.min(40, (Math.abs(x2 - x1) || 20) / 4));
  const out = x1 + Math.min(gap, MIN_GAP / 2);
  const into = x2 - Math.min(gap, MIN_GAP / 2);
  // the lane: the free height over [out, into] nearest to the two ports
  const candidates = [[y1, 0], [y2, 0]];
  for (const box of [...others, from, to]) {
    candidates.push([box.y - box.hh - MARGIN - 1, -1], [box.y + box.hh + MARGIN + 1, 1]);
  }
  const [laneY, direction] = candidates
    .filter(([y]) => !blocked(y, out, into, [...others, from, to], MARGIN))
    .sort((a, b) => Math.abs(a[0] - y1) + Math.abs(a[0] - y2)
      - Math.abs(b[0] - y1) - Math.abs(b[0] - y2))[0];
  const lane = lanes.take(laneY, out, into, direction);
  const points = [[x1, y1], [out, y1], [out, lane], [into, lane], [into, y2], [x2, y2]];
  return {d: rounded(points, 10), points, around: true};
}

/** A smooth path from (x1, y1) to (x2, y2), leaving and arriving horizontally. */
export function curve(x1, y1, x2, y2) {
  const bend = Math.max(20, Math.abs(x2 - x1) / 2);
  return `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}`;
}

/** Points along `curve(x1, y1, x2, y2)` (a cubic Bézier), to measure where it runs. */
export function curvePoints(x1, y1, x2, y2, count = 16) {
  const bend = Math.max(20, Math.abs(x2 - x1) / 2);
  const [cx1, cx2] = [x1 + bend, x2 - bend];
  const points = [];
  for (let i = 0; i <= count; i++) {
    const t = i / count;
    const [a, b, c, d] = [(1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3];
    points.push([a * x1 + b * cx1 + c * cx2 + d * x2, a * y1 + b * y1 + c * y2 + d * y2]);
  }
  return points;
}

/** A path through `points` whose corners are rounded (at most `radius` pixels). */
function rounded(points, radius) {
  const parts = [`M ${points[0][0]} ${points[0][1]}`];
  for (let i = 1; i < points.length - 1; i++) {
    const [p, c, n] = [points[i - 1], points[i], points[i + 1]];
    const r = Math.min(radius, Math.hypot(c[0] - p[0], c[1] - p[1]) / 2,
      Math.hypot(n[0] - c[0], n[1] - c[1]) / 2);
    const towards = (a, b) => {
      const length = Math.hypot(b[0] - a[0], b[1] - a[1]) || 1;
      return [a[0] + (b[0] - a[0]) * r / length, a[1] + (b[1] - a[1]) * r / length];
    };
    const [ax, ay] = towards(c, p);
    const [bx, by] = towards(c, n);
    parts.push(`L ${ax} ${ay}`, `Q ${c[0]} ${c[1]}, ${bx} ${by}`);
  }
  const last = points[points.length - 1];
  parts.push(`L ${last[0]} ${last[1]}`);
  return parts.join(" ");
}
