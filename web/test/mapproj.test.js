// Minimap projection: north up, uniform scale, centred, round trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MapProjection } from '../src/ui/mapproj.js';

const hall = { minX: -128, maxX: 128, minZ: -128, maxZ: 128 };

test('corners and centre of a square hall', () => {
  const m = new MapProjection(hall, 208, 208, 4);
  assert.equal(m.px(-128), 4);
  assert.equal(m.px(128), 204);
  assert.equal(m.py(-128), 4, 'north (-z) is at the top');
  assert.equal(m.py(128), 204);
  assert.equal(m.px(0), 104);
});

test('a wide map keeps the scale uniform and centres the hall', () => {
  const m = new MapProjection(hall, 300, 200, 0);
  assert.equal(m.scale, 200 / 256);
  assert.equal(m.px(-128), 50);
  assert.equal(m.px(128), 250);
});

test('toWorld inverts px/py and clamps to the hall', () => {
  const m = new MapProjection({ minX: 0, maxX: 100, minZ: -50, maxZ: 50 }, 200, 200, 10);
  const [x, z] = m.toWorld(m.px(30), m.py(-20));
  assert.ok(Math.abs(x - 30) < 1e-9 && Math.abs(z + 20) < 1e-9);
  assert.deepEqual(m.toWorld(-1000, 1000), [0, 50]);
});
