/**
 * Paths on the navigation grid: A* over its cells, then smoothed into a few
 * straight legs a visitor can walk ("walk to the booth", click-to-walk).
 *
 * A* moves between the 8 neighbours of a cell (a diagonal only when both
 * cells beside it are open, so a path never cuts a wall's corner) with the
 * octile distance as its heuristic, which is exact on an empty grid, so the
 * path found is a shortest one. Smoothing then keeps a waypoint only where
 * the straight line to the next one would leave the walkable floor
 * (NavGrid.lineClear), which takes the staircase out of grid paths.
 *
 * The search's arrays are kept per grid and reused (a stamp per search
 * marks which entries are current), so a search allocates only its result.
 * Pure; tested in test/pathfind.test.js.
 */

const SQRT2 = Math.SQRT2;
const DI = [1, -1, 0, 0, 1, 1, -1, -1];
const DJ = [0, 0, 1, -1, 1, -1, 1, -1];

/** A binary min-heap of cell indices keyed by f, in typed arrays that grow as needed. */
class Heap {
  constructor(capacity = 1024) {
    this.node = new Int32Array(capacity);
    this.key = new Float64Array(capacity);
    this.size = 0;
  }

  push(node, key) {
    if (this.size === this.node.length) {
      const n = new Int32Array(this.size * 2);
      n.set(this.node);
      const k = new Float64Array(this.size * 2);
      k.set(this.key);
      this.node = n;
      this.key = k;
    }
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.key[p] <= key) break;
      this.node[i] = this.node[p];
      this.key[i] = this.key[p];
      i = p;
    }
    this.node[i] = node;
    this.key[i] = key;
  }

  /** Remove and return the node with the smallest key. */
  pop() {
    const top = this.node[0];
    const n = --this.size;
    const lastNode = this.node[n];
    const lastKey = this.key[n];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.key[c + 1] < this.key[c]) c++;
      if (this.key[c] >= lastKey) break;
      this.node[i] = this.node[c];
      this.key[i] = this.key[c];
      i = c;
    }
    this.node[i] = lastNode;
    this.key[i] = lastKey;
    return top;
  }
}

/** Per-grid search arrays, made on first use. */
const scratch = new WeakMap();

function arraysFor(grid) {
  let s = scratch.get(grid);
  if (!s) {
    const n = grid.width * grid.height;
    s = { g: new Float64Array(n), from: new Int32Array(n), seen: new Uint32Array(n), stamp: 0, heap: new Heap() };
    scratch.set(grid, s);
  }
  return s;
}

/**
 * The cells of a shortest 8-connected path from cell (i0, j0) to (i1, j1), both open, as
 * cell indices from start to goal; null when the goal cannot be reached.
 * @param {import('./navgrid.js').NavGrid} grid
 * @returns {number[] | null}
 */
function findCells(grid, i0, j0, i1, j1) {
  const W = grid.width;
  const s = arraysFor(grid);
  s.stamp = (s.stamp + 1) >>> 0 || 1;
  const stamp = s.stamp;
  const { g, from, seen, heap } = s;
  heap.size = 0;
  const start = j0 * W + i0;
  const goal = j1 * W + i1;
  const h = (i, j) => {
    const dx = Math.abs(i - i1);
    const dz = Math.abs(j - j1);
    return (dx + dz) + (SQRT2 - 2) * Math.min(dx, dz);
  };
  g[start] = 0;
  from[start] = -1;
  seen[start] = stamp;
  heap.push(start, h(i0, j0));
  // seen[c] === stamp: c was reached in this search. A closed cell keeps its cost as −1 − g
  // (costs are never negative), which saves a third array.
  while (heap.size) {
    const cur = heap.pop();
    if (g[cur] < 0) continue; // a stale entry of a cell closed earlier
    if (cur === goal) break;
    const gc = g[cur];
    g[cur] = -1 - gc;
    const ci = cur % W;
    const cj = (cur - ci) / W;
    for (let k = 0; k < 8; k++) {
      const ni = ci + DI[k];
      const nj = cj + DJ[k];
      if (!grid.open(ni, nj)) continue;
      if (k >= 4 && (!grid.open(ci + DI[k], cj) || !grid.open(ci, cj + DJ[k]))) continue;
      const nb = nj * W + ni;
      const ng = gc + (k >= 4 ? SQRT2 : 1);
      if (seen[nb] === stamp && (g[nb] < 0 || g[nb] <= ng)) continue;
      seen[nb] = stamp;
      g[nb] = ng;
      from[nb] = cur;
      heap.push(nb, ng + h(ni, nj));
    }
  }
  if (seen[goal] !== stamp) return null;
  const cells = [];
  for (let c = goal; c !== -1; c = from[c]) cells.push(c);
  cells.reverse();
  return cells;
}

/**
 * A walkable path from (x0, z0) to (x1, z1): waypoints [[x, z], ...] after the start, the last
 * one the goal (or the walkable point nearest it, within `snap` metres). A start off the
 * walkable floor (inside an obstacle's margin) starts from the nearest walkable cell.
 * Returns null when there is no way there.
 * @param {import('./navgrid.js').NavGrid} grid
 * @param {number} x0
 * @param {number} z0
 * @param {number} x1
 * @param {number} z1
 * @param {{snap?: number}} [opts]
 * @returns {number[][] | null}
 */
function findPath(grid, x0, z0, x1, z1, { snap = 4 } = {}) {
  const goal = grid.nearestWalkable(x1, z1, snap, [0, 0]);
  const start = grid.nearestWalkable(x0, z0, snap, [0, 0]);
  if (!goal || !start) return null;
  const [gx, gz] = goal;
  if (grid.lineClear(start[0], start[1], gx, gz)) {
    const direct = [];
    if (start[0] !== x0 || start[1] !== z0) direct.push([start[0], start[1]]);
    direct.push([gx, gz]);
    return direct;
  }
  const cells = findCells(grid, grid.col(start[0]), grid.row(start[1]), grid.col(gx), grid.row(gz));
  if (!cells) return null;
  const W = grid.width;
  const pts = [[start[0], start[1]]];
  for (let k = 1; k < cells.length - 1; k++) {
    const c = cells[k];
    const i = c % W;
    pts.push([grid.cx(i), grid.cz((c - i) / W)]);
  }
  pts.push([gx, gz]);
  const smooth = smoothPath(grid, pts);
  // The start itself is where the visitor stands: not a waypoint, unless it was moved.
  if (smooth[0][0] === x0 && smooth[0][1] === z0) smooth.shift();
  return smooth;
}

/**
 * String pulling: from each kept point, jump to the furthest later point still in a straight,
 * walkable line. Returns a new list that keeps the first and last points.
 * @param {import('./navgrid.js').NavGrid} grid
 * @param {number[][]} pts
 * @returns {number[][]}
 */
function smoothPath(grid, pts) {
  if (pts.length <= 2) return pts.slice();
  const out = [pts[0]];
  let a = 0;
  while (a < pts.length - 1) {
    let b = pts.length - 1;
    while (b > a + 1 && !grid.lineClear(pts[a][0], pts[a][1], pts[b][0], pts[b][1])) b--;
    out.push(pts[b]);
    a = b;
  }
  return out;
}

/** Length in metres of walking from (x0, z0) along `path`. */
function pathLength(x0, z0, path) {
  let len = 0;
  let px = x0;
  let pz = z0;
  for (const [x, z] of path) {
    len += Math.hypot(x - px, z - pz);
    px = x;
    pz = z;
  }
  return len;
}

export { findCells, findPath, pathLength, smoothPath };
