// The mouth-to-ear measurement's click detector (src/media/clicks.js): onsets found where the
// clicks are, once each, across buffer boundaries, and nothing in quiet input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClickDetector } from '../src/media/clicks.js';

const RATE = 48000;

/**
 * A click track: silence with a 5 ms burst of 1 kHz (ringing down) at each of `at` (ms).
 * @param {number} ms
 * @param {number[]} at
 * @param {number} [amplitude]
 */
function track(ms, at, amplitude = 0.8) {
  const out = new Float32Array(Math.round((ms / 1000) * RATE));
  for (const t of at) {
    const i0 = Math.round((t / 1000) * RATE);
    for (let k = 0; k < RATE * 0.005 && i0 + k < out.length; k++) {
      out[i0 + k] = amplitude * Math.exp(-k / 120) * Math.sin((2 * Math.PI * 1000 * k) / RATE + Math.PI / 2);
    }
  }
  return out;
}

/**
 * Feed `samples` in buffers of `size`, as a page gets them; the onsets' times (ms).
 * @param {ClickDetector} d
 * @param {Float32Array} samples
 * @param {number} size
 * @param {number} [t0]
 */
function feedAll(d, samples, size, t0 = 0) {
  const found = [];
  for (let i = 0; i < samples.length; i += size) {
    const start = t0 + (i / RATE) * 1000;
    for (const k of d.feed(samples.subarray(i, i + size), RATE, start)) found.push(start + (k / RATE) * 1000);
  }
  return found;
}

test('each click is found once, at its first sample, whatever the buffer size', () => {
  const at = [50, 300, 550.5, 800, 1050];
  for (const size of [480, 960, 128, 1000]) {
    const found = feedAll(new ClickDetector(), track(1200, at), size, 1000);
    assert.equal(found.length, at.length, `buffers of ${size}`);
    found.forEach((t, k) => assert.ok(Math.abs(t - 1000 - at[k]) < 0.1, `click ${k}: ${t}`));
  }
});

test('a click that straddles two buffers counts once', () => {
  const samples = track(200, [19.5]);
  const found = feedAll(new ClickDetector(), samples, 960);
  assert.equal(found.length, 1);
});

test('the ringing after a click and clicks closer than the refractory time are not new clicks', () => {
  const d = new ClickDetector({ refractoryMs: 100 });
  const samples = track(600, [100, 150, 400]);
  assert.deepEqual(feedAll(d, samples, 480).map(Math.round), [100, 400]);
  assert.equal(d.found, 2);
});

test('silence and sound below the threshold hold no click', () => {
  const d = new ClickDetector({ threshold: 0.2 });
  assert.deepEqual(feedAll(d, new Float32Array(RATE), 960), []);
  assert.deepEqual(feedAll(d, track(500, [100, 300], 0.1), 960), []);
  assert.equal(d.found, 0);
});

test('negative-going clicks are found at their first sample like positive ones', () => {
  const samples = track(400, [100, 300]).map((v) => -v);
  const found = feedAll(new ClickDetector(), samples, 480);
  assert.equal(found.length, 2);
  found.forEach((t, k) => assert.ok(Math.abs(t - [100, 300][k]) < 0.1, `click ${k}: ${t}`));
});
