// Paths on the navigation grid: around walls, shortest, smoothed, and none when walled off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findPath, pathLength } from '../src/world/pathfind.js';
import { gridFromRows } from '../testkit/gridkit.js';

/** Every leg of the path stays on walkable floor. */
function walkableAlong(grid, x0, z0, path) {
  let px = x0;
  let pz = z0;
  for (const [x, z] of path) {
    if (!grid.lineClear(px, pz, x, z)) return false;
    px = x;
    pz = z;
  }
  return true;
}

test('a straight line where the floor is open: one leg to the goal', () => {
  const grid = gridFromRows(['......', '......']);
  assert.deepEqual(findPath(grid, 0.5, 0.5, 5.5, 1.5), [[5.5, 1.5]]);
});

test('around a wall: walkable legs, about as short as the way round, few waypoints', () => {
  const grid = gridFromRows([
    '..........',
    '..........',
    '....#.....',
    '....#.....',
    '....#.....',
    '....#.....',
    '..........',
  ]);
  const path = findPath(grid, 1.5, 3.5, 8.5, 3.5);
  assert.ok(path, 'there is a way round');
  assert.deepEqual(path.at(-1), [8.5, 3.5]);
  assert.ok(walkableAlong(grid, 1.5, 3.5, path), JSON.stringify(path));
  assert.ok(path.length <= 3, `smoothed to a few legs: ${JSON.stringify(path)}`);
  // Round the top end of the wall (it spans z 2..6): via about (4.5, 1.5).
  const len = pathLength(1.5, 3.5, path);
  const best = 2 * Math.hypot(3, 2);
  assert.ok(len >= best - 1e-6 && len < best + 1, `length ${len.toFixed(2)}, best ${best.toFixed(2)}`);
});

test('into a booth: through its open front, never through its walls', () => {
  // A booth (walls #) open to the south; its inside is walkable.
  const grid = gridFromRows([
    '...........',
    '...#####...',
    '...#...#...',
    '...#...#...',
    '...........',
    '...........',
  ]);
  const path = findPath(grid, 5.5, 0.5, 5.5, 2.5);
  assert.ok(path);
  assert.ok(walkableAlong(grid, 5.5, 0.5, path));
  assert.ok(pathLength(5.5, 0.5, path) > 6, 'it went round to the front');
});

test('a walled-off goal has no path; a goal inside a wall snaps to the floor beside it', () => {
  const grid = gridFromRows([
    '.....#...',
    '.....#.#.',
    '.....#...',
  ]);
  assert.equal(findPath(grid, 0.5, 0.5, 7.5, 1.5, { snap: 0.4 }), null);
  const snapped = findPath(grid, 0.5, 1.5, 5.5, 1.5, { snap: 1 });
  assert.ok(snapped);
  assert.deepEqual(snapped.at(-1), [4.5, 1.5]);
});

test('a long search on a big grid finds its way through a maze of walls', () => {
  const rows = [];
  for (let j = 0; j < 200; j++) {
    let row = '';
    for (let i = 0; i < 200; i++) {
      // Vertical walls every 20 columns with a gap alternately at the top and the bottom.
      const wall = i % 20 === 10 && (Math.floor(i / 20) % 2 === 0 ? j > 5 : j < 194);
      row += wall ? '#' : '.';
    }
    rows.push(row);
  }
  const grid = gridFromRows(rows, { cell: 0.25 });
  const path = findPath(grid, 0.1, 25, 49.9, 25);
  assert.ok(path);
  assert.ok(walkableAlong(grid, 0.1, 25, path));
  // Ten walls, each forcing a detour to one end: much longer than the straight 50 m.
  assert.ok(pathLength(0.1, 25, path) > 150);
});
