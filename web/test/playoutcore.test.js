// One speaker's playout on the audio clock (src/media/playoutcore.js): decoded buffers in as
// they arrive, sound out sample by sample at the jitter buffer's moment, end to end, in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpeakerPlayout, resample } from '../src/media/playoutcore.js';

const RATE = 48000;
const CHUNK = 960; // 20 ms at 48 kHz
const Q = 128;

/** A 20 ms buffer whose every sample is `v`. */
const chunk = (v) => new Float32Array(CHUNK).fill(v);

/**
 * Run the playout from frame `from` to `to` in render quanta, pushing each arrival
 * ([frame, seq, samples]) in the quantum it falls in; returns everything rendered.
 */
function run(p, arrivals, from, to) {
  const out = new Float32Array(to - from);
  const queue = [...arrivals].sort((a, b) => a[0] - b[0]);
  for (let f = from; f < to; f += Q) {
    while (queue.length && queue[0][0] < f + Q) {
      const [, seq, samples, rate = RATE] = queue.shift();
      p.push(seq, samples, rate, f);
    }
    const q = new Float32Array(Q);
    p.render(q, f);
    out.set(q.subarray(0, Math.min(Q, to - f)), f - from);
  }
  return out;
}

test('a talk spurt arriving on time plays end to end, in order, one target delay after it came', () => {
  const p = new SpeakerPlayout(RATE);
  const arrivals = [];
  for (let k = 0; k < 10; k++) arrivals.push([RATE + k * CHUNK, 100 + k, chunk(k + 1)]);
  const out = run(p, arrivals, RATE, 2 * RATE);
  const first = out.findIndex((v) => v !== 0);
  // The first spurt waits the initial target (120 ms) and the two-quantum lookahead.
  const waitMs = (first / RATE) * 1000;
  assert.ok(waitMs >= 120 && waitMs <= 130, `started ${waitMs} ms after the first chunk`);
  for (let k = 0; k < 10; k++) {
    const seg = out.subarray(first + k * CHUNK, first + (k + 1) * CHUNK);
    assert.ok(seg.every((v) => v === k + 1), `buffer ${k} is whole, in its place`);
  }
  assert.equal(out[first + 10 * CHUNK], 0, 'then silence');
  assert.equal(p.stats.scheduled, 10);
  assert.equal(p.stats.decoded, 10);
});

test('a buffer missing inside the spurt is a gap of its own length, not a shift of the rest', () => {
  const p = new SpeakerPlayout(RATE);
  const arrivals = [];
  for (let k = 0; k < 6; k++) if (k !== 2) arrivals.push([RATE + k * CHUNK, k, chunk(k + 1)]);
  const out = run(p, arrivals, RATE, 2 * RATE);
  const first = out.findIndex((v) => v !== 0);
  assert.ok(out.subarray(first + 2 * CHUNK, first + 3 * CHUNK).every((v) => v === 0));
  assert.ok(out.subarray(first + 3 * CHUNK, first + 4 * CHUNK).every((v) => v === 4));
  assert.equal(p.stats.jitter.missing, 1);
});

test('buffers arriving out of order play in seq order', () => {
  const p = new SpeakerPlayout(RATE);
  const t = RATE;
  const arrivals = [[t, 1, chunk(1)], [t + 10, 3, chunk(3)], [t + 20, 2, chunk(2)], [t + 2 * CHUNK, 4, chunk(4)]];
  const out = run(p, arrivals, RATE, 2 * RATE);
  const first = out.findIndex((v) => v !== 0);
  assert.deepEqual([0, 1, 2, 3].map((k) => out[first + k * CHUNK + 5]), [1, 2, 3, 4]);
});

test('every buffer laid in is reported with its slot and first frame', () => {
  const p = new SpeakerPlayout(RATE);
  /** @type {[number, number, number][]} */
  const placed = [];
  p.onPlaced = (slot, start, samples) => placed.push([slot, start, samples.length]);
  const out = run(p, [[RATE, 7, chunk(1)], [RATE + CHUNK, 8, chunk(2)]], RATE, 2 * RATE);
  const first = out.findIndex((v) => v !== 0);
  assert.deepEqual(placed, [[7, RATE + first, CHUNK], [8, RATE + first + CHUNK, CHUNK]]);
});

test('a reset forgets what was queued: nothing of it plays', () => {
  const p = new SpeakerPlayout(RATE);
  p.push(1, chunk(1), RATE, 0);
  p.push(2, chunk(1), RATE, 0);
  p.reset();
  const out = run(p, [], 0, RATE / 2);
  assert.ok(out.every((v) => v === 0));
});

test('buffers decoded at 48 kHz play at a 44.1 kHz context resampled, 882 samples each', () => {
  const p = new SpeakerPlayout(44100);
  const out = run(p, [[44100, 1, chunk(0.5), RATE], [44100 + 882, 2, chunk(0.5), RATE]], 44100, 2 * 44100);
  const first = out.findIndex((v) => v !== 0);
  const last = out.findLastIndex((v) => v !== 0);
  assert.equal(last - first + 1, 2 * 882);
  const r = resample(Float32Array.from([0, 1, 2, 3]), 4, 7);
  assert.equal(r.length, 7);
  assert.equal(r[0], 0);
  assert.equal(r[6], 3);
  assert.ok(Math.abs(r[3] - 1.5) < 1e-6, 'the middle is interpolated');
});

test('the level follows what was said', () => {
  const p = new SpeakerPlayout(RATE);
  for (let k = 0; k < 250; k++) p.push(k, chunk(0.25), RATE, k * CHUNK); // five seconds
  assert.ok(Math.abs(p.stats.rms - 0.25) < 0.02, `rms ${p.stats.rms}`);
  assert.equal(p.stats.peakRms, 0.25);
});

/**
 * Play `n` chunks of which chunk k has level `level(k)`; the first `lateMs` of them come at
 * once, that late (a slow start), the rest each on time, so the spurt is fitted to the slow
 * start. Returns how late (ms) each slot started, and the playout.
 */
function slowStart(n, lateMs, level) {
  const p = new SpeakerPlayout(RATE);
  const arrivals = [];
  for (let k = 0; k < n; k++) arrivals.push([RATE + Math.max(k * CHUNK, Math.round((lateMs / 1000) * RATE)), k, chunk(level(k))]);
  /** @type {Map<number, number>} */
  const startOf = new Map();
  p.onPlaced = (slot, start) => startOf.set(slot, start);
  run(p, arrivals, RATE, RATE + n * CHUNK + RATE);
  const lateness = (slot) => ((startOf.get(slot) - (RATE + slot * CHUNK)) / RATE) * 1000;
  return { p, startOf, lateness };
}

test('delay held beyond the target is given back in the pauses of an open microphone', () => {
  // The stream never stops: every fourth 20 ms is loud, the rest near silence.
  const { p, startOf, lateness } = slowStart(300, 250, (k) => (k % 4 === 0 ? 0.3 : 0.0005));
  assert.ok(lateness(4) > 300, `early on a chunk waits ${lateness(4)} ms`);
  assert.ok(lateness(296) < 150, `later it waits ${lateness(296)} ms`);
  assert.equal([...startOf.keys()].filter((s) => s % 4 === 0).length, 75, 'every loud chunk plays');
  assert.ok(p.stats.jitter.skipped > 5);
});

test('far over the target, a stream with no pauses drops one loud chunk in ten until it is back', () => {
  const { p, startOf, lateness } = slowStart(400, 1000, () => 0.3);
  assert.ok(lateness(10) > 900, `early on a chunk waits ${lateness(10)} ms`);
  assert.ok(lateness(396) < 600, `later it waits ${lateness(396)} ms`);
  const missing = [];
  for (let k = 0; k < 400; k++) if (!startOf.has(k)) missing.push(k);
  assert.ok(missing.length > 5, 'some were skipped');
  for (let i = 1; i < missing.length; i++) assert.ok(missing[i] - missing[i - 1] >= 10, `skips ${missing}`);
  assert.equal(p.stats.jitter.skipped, missing.length);
});

test('a soft sound between loud ones is never skipped: only a pause of two quiet buffers gives', () => {
  // Loud, soft, loud, loud, soft, loud, ...: no two soft buffers in a row, and the slow start
  // stays under the point where loud buffers may go.
  const { p, startOf } = slowStart(300, 250, (k) => (k % 3 === 1 ? 0.01 : 0.3));
  for (let k = 0; k < 300; k++) assert.ok(startOf.has(k), `buffer ${k} played`);
  assert.equal(p.stats.jitter.skipped, 0);
});
