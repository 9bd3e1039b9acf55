// The teleport arc: a parabola that comes down, and its floor crossing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossFloor, sampleArc } from '../src/controls/arc.js';

test('an arc thrown forward and up comes down past the floor', () => {
  const out = new Float32Array(3 * 64);
  const dir = [0, Math.SQRT1_2, -Math.SQRT1_2];
  const n = sampleArc([0, 1.2, 0], dir, out, { speed: 7, floorY: 0 });
  assert.ok(n > 5 && n < 64);
  assert.ok(out[3 * (n - 1) + 1] < 0);
  const hit = [0, 0, 0];
  let found = false;
  for (let i = 0; i < n - 1; i++) if (crossFloor(out, i, 0, hit)) { found = true; break; }
  assert.ok(found);
  // Range of a projectile from 1.2 m at 45°, 7 m/s: about 6.1 m.
  assert.ok(hit[2] < -5.5 && hit[2] > -6.6, `${hit[2]}`);
  assert.ok(Math.abs(hit[0]) < 1e-6);
});

test('the number of points is bounded by the output size', () => {
  const out = new Float32Array(3 * 8);
  assert.equal(sampleArc([0, 100, 0], [0, 1, 0], out), 8);
});
