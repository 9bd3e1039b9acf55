// Walking: directions follow the three.js yaw convention; the hall's walls hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { followRoute, glideStep, moveBy, walkStep, yawTowards } from '../src/controls/walk.js';
import { gridFromRows } from '../testkit/gridkit.js';

const bounds = { min: [-10, 0, -10], max: [10, 16, 10] };
const near = (a, b) => Math.abs(a - b) < 1e-9;

test('forward at yaw 0 is -z; at yaw +90° (left turn) it is -x', () => {
  const p = [0, 1.6, 0];
  walkStep(p, 0, 1, 0, 1, 1, bounds);
  assert.ok(near(p[0], 0) && near(p[2], -1));
  const q = [0, 1.6, 0];
  walkStep(q, Math.PI / 2, 1, 0, 1, 1, bounds);
  assert.ok(near(q[0], -1) && near(q[2], 0));
  const r = [0, 1.6, 0];
  walkStep(r, 0, 0, 1, 1, 1, bounds);
  assert.ok(near(r[0], 1) && near(r[2], 0), 'right at yaw 0 is +x');
});

test('diagonal input is not faster; walls clamp', () => {
  const p = [0, 1.6, 0];
  walkStep(p, 0, 1, 1, 1, 1, bounds);
  assert.ok(near(Math.hypot(p[0], p[2]), 1));
  const q = [9, 1.6, 0];
  walkStep(q, 0, 0, 1, 5, 1, bounds, 0.5);
  assert.equal(q[0], 9.5);
  assert.equal(walkStep(q, 0, 0, 0, 5, 1, bounds), false);
});

test('glide reaches the target and stops there', () => {
  const p = [0, 1.6, 0];
  const target = [3, 4];
  let steps = 0;
  while (glideStep(p, target, 5, 0.1, bounds)) steps++;
  assert.deepEqual([p[0], p[2]], target);
  assert.ok(steps >= 9 && steps <= 10, `${steps}`);
});

test('yawTowards agrees with walkStep', () => {
  const yaw = yawTowards(0, 0, 3, -3);
  const p = [0, 0, 0];
  walkStep(p, yaw, 1, 0, Math.SQRT2, 1, bounds);
  assert.ok(near(p[0], 1) && near(p[2], -1));
});

test('with a navigation grid a walk into a wall stops at its surface', () => {
  // A wall along x = 5..6 (cells of 1 m); walking east from x = 1 for far too long.
  const grid = gridFromRows([
    '.....#....',
    '.....#....',
    '.....#....',
  ], { origin: [0, -1.5] });
  const p = [1, 0, 0];
  for (let k = 0; k < 100; k++) walkStep(p, -Math.PI / 2, 1, 0, 4, 0.05, bounds, 0.5, grid);
  assert.ok(p[0] < 5 && p[0] > 4.7, `stopped just before the wall: x = ${p[0]}`);
  assert.ok(near(p[2], 0));
  // Without the grid the same walk passes through it.
  const q = [1, 0, 0];
  for (let k = 0; k < 100; k++) walkStep(q, -Math.PI / 2, 1, 0, 4, 0.05, bounds);
  assert.ok(q[0] > 9);
});

test('a slanted walk into a wall slides along it; one big step cannot hop it', () => {
  const grid = gridFromRows([
    '..........',
    '..........',
    '#########.',
  ], { origin: [-5, -1.5] });
  const p = [0, 0, 0];
  // South-east at 45°: the wall at z >= 0.5 stops the z part, x goes on.
  walkStep(p, -Math.PI * 3 / 4, 1, 0, 2, 1, bounds, 0.5, grid);
  assert.ok(p[2] < 0.5, `held north of the wall: z = ${p[2]}`);
  assert.ok(p[0] > 1, `slid east: x = ${p[0]}`);
  const q = [-4, 0, 0];
  moveBy(q, 0, 3, bounds, grid);
  assert.ok(q[2] < 0.5, 'a 3 m step does not jump the 1 m wall');
});

test('a route is walked leg by leg and ends at its last point', () => {
  const p = [0, 0, 0];
  const route = [[2, 0], [2, 3]];
  let frames = 0;
  while (followRoute(p, route, 4, 0.1, bounds)) frames++;
  assert.ok(Math.hypot(p[0] - 2, p[2] - 3) < 1e-6, `${p}`);
  assert.equal(route.length, 0);
  assert.ok(frames >= 11 && frames <= 13, `5 m at 4 m/s in 0.1 s frames: ${frames}`);
});
