// The navigation grid: the scene builder's bit format, lines of sight, nearest floor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NavGrid, NavGridError } from '../src/world/navgrid.js';
import { gridFromRows } from '../testkit/gridkit.js';

test('bits follow the spec: index j*W + i, LSB first, 1 = walkable', () => {
  // 10 x 2 cells of 1 m from (-5, -1): only cell (9, 1) and cell (0, 0) are open.
  const W = 10;
  const H = 2;
  const bytes = new Uint8Array(Math.ceil((W * H) / 8));
  const set = (i, j) => { const k = j * W + i; bytes[k >> 3] |= 1 << (k & 7); };
  set(0, 0);
  set(9, 1);
  const grid = NavGrid.fromJson({
    version: 1, hall: 'main', origin: [-5, -1], cell: 1, width: W, height: H, radius: 0.3,
    bits: Buffer.from(bytes).toString('base64'),
  });
  assert.equal(grid.walkable(-4.5, -0.5), true);
  assert.equal(grid.walkable(4.5, 0.5), true);
  assert.equal(grid.walkable(4.5, -0.5), false);
  assert.equal(grid.walkable(-4.5, 0.5), false);
  assert.equal(grid.walkable(-5.5, -0.5), false, 'off the grid is not walkable');
  assert.equal(grid.radius, 0.3);
});

test('a malformed file is refused with a reason', () => {
  const ok = { version: 1, origin: [0, 0], cell: 0.25, width: 8, height: 1, bits: 'AA==' };
  assert.ok(NavGrid.fromJson(ok));
  assert.throws(() => NavGrid.fromJson({ ...ok, version: 2 }), /version 2/);
  assert.throws(() => NavGrid.fromJson({ ...ok, cell: 0 }), NavGridError);
  assert.throws(() => NavGrid.fromJson({ ...ok, width: 9 }), /bytes of bits/);
  assert.throws(() => NavGrid.fromJson({ ...ok, origin: [0] }), /origin/);
  assert.throws(() => NavGrid.fromJson(null), NavGridError);
});

test('a line of sight is blocked by a wall and by a corner it would cut', () => {
  const grid = gridFromRows([
    '.....',
    '..#..',
    '.....',
  ]);
  assert.equal(grid.lineClear(0.5, 1.5, 4.5, 1.5), false, 'straight through the wall');
  assert.equal(grid.lineClear(0.5, 0.5, 4.5, 0.5), true, 'along the row above it');
  // Diagonal from (1, 0) to (3, 2) passes exactly through the wall cell's corners.
  assert.equal(grid.lineClear(1.5, 0.5, 3.5, 2.5), false);
  const corner = gridFromRows([
    '.#',
    '..',
  ]);
  assert.equal(corner.lineClear(0.5, 0.5, 1.5, 1.5), false, 'no squeezing past a corner');
});

test('the nearest walkable point is the point itself, or the nearest open cell', () => {
  const grid = gridFromRows([
    '#####',
    '#####',
    '###..',
  ]);
  assert.deepEqual(grid.nearestWalkable(3.2, 2.6), [3.2, 2.6]);
  assert.deepEqual(grid.nearestWalkable(3.4, 0.5), [3.5, 2.5]);
  assert.equal(grid.nearestWalkable(0.5, 0.5, 1), null, 'nothing open within 1 m');
});

test('a booth switched live to another template has its slot redrawn for that template', () => {
  // A 12 m square of 0.25 m cells; a booth at (6, 6) turned a quarter (front towards +x).
  const W = 48;
  const bytes = new Uint8Array(Math.ceil((W * W) / 8)).fill(0xff);
  const grid = NavGrid.fromJson({
    version: 1, origin: [0, 0], cell: 0.25, width: W, height: W, radius: 0.3,
    bits: Buffer.from(bytes).toString('base64'),
    booths: { b: { template: 'wall', position: [6, 6], rotation_deg: 90 } },
    templates: {
      // 'wall': a back wall at local z -2..-1.8; 'post': a post at local (1, 1).
      wall: [[[-2, -2], [2, -2], [2, -1.8], [-2, -1.8]]],
      post: [[[0.9, 0.9], [1.1, 0.9], [1.1, 1.1], [0.9, 1.1]]],
    },
  });
  // The grid starts all open; switching to the post blocks the post's floor.
  assert.equal(grid.restampBooth('b', 'post'), true);
  // Local (1, 1) turned 90° about +y: x' = x + z·1 → 6 + 1 = 7, z' = -x + 0 → 6 - 1 = 5.
  assert.equal(grid.walkable(7, 5), false, 'the new post blocks its floor, turned with the booth');
  assert.equal(grid.walkable(7.2, 5.2), false, 'and the radius around it');
  assert.equal(grid.walkable(7.6, 5.6), true);
  // Back to the wall: local z -1.9 turned is world x 6 - 1.9 = 4.1, along z from 4 to 8.
  assert.equal(grid.restampBooth('b', 'wall'), true);
  assert.equal(grid.walkable(7, 5), true, 'the post is gone');
  for (const z of [4.2, 6, 7.8]) assert.equal(grid.walkable(4.1, z), false, `the wall at z ${z}`);
  assert.equal(grid.walkable(5, 6), true);
  assert.equal(grid.restampBooth('b', 'wall'), false, 'no change');
  assert.equal(grid.restampBooth('b', 'tower'), false, 'an unknown template changes nothing');
  assert.equal(grid.restampBooth('nobody', 'post'), false);
});
