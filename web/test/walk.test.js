// Walking: directions follow the three.js yaw convention; the hall's walls hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { glideStep, walkStep, yawTowards } from '../src/controls/walk.js';

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
