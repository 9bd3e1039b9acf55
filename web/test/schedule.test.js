// Scheduling decoded buffers on the AudioContext clock (src/media/schedule.js): end to end
// when in step, never overlapping, late ones started at once or dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferSchedule, ClockMap } from '../src/media/schedule.js';

const D = 0.02;
const close = (a, b, eps = 1e-9) => Math.abs(a - b) < eps;

test('buffers wanted a few samples apart are laid end to end', () => {
  const s = new BufferSchedule();
  const first = s.place(1.0, D, 0.9);
  // The context clock moves in 128-sample steps, so wanted times wobble by ~3 ms.
  const second = s.place(1.0 + D + 0.0027, D, 0.95);
  const third = s.place(1.0 + 2 * D - 0.0025, D, 0.96);
  assert.equal(first, 1.0);
  assert.ok(close(/** @type {number} */ (second), 1.0 + D));
  assert.ok(close(/** @type {number} */ (third), 1.0 + 2 * D));
});

test('a buffer after a pause starts where it is wanted, not at the previous end', () => {
  const s = new BufferSchedule();
  s.place(1.0, D, 0.9);
  assert.equal(s.place(1.5, D, 1.1), 1.5);
});

test('a buffer wanted before the previous one ends waits for it (no overlap)', () => {
  const s = new BufferSchedule();
  s.place(1.0, D, 0.9);
  assert.ok(close(/** @type {number} */ (s.place(1.005, D, 0.9)), 1.0 + D));
});

test('a slightly late buffer starts now; one mostly over is dropped', () => {
  const s = new BufferSchedule({ minLeadS: 0 });
  assert.equal(s.place(1.0, D, 1.004), 1.004);
  assert.equal(s.late, 1);
  assert.equal(s.place(1.5, D, 1.52), null);
  assert.equal(s.dropped, 1);
  assert.equal(s.scheduled, 1);
});

test('page time maps to context time and re-maps only when the clocks drift apart', () => {
  const m = new ClockMap({ resyncS: 0.01 });
  m.observe(2.0, 10000);
  assert.ok(close(m.toCtx(10500), 2.5));
  m.observe(2.503, 10500); // 3 ms apart: keep the mapping (no jump in the schedule)
  assert.ok(close(m.toCtx(10500), 2.5));
  m.observe(2.6, 10500); // 100 ms apart (the context was suspended): re-map
  assert.ok(close(m.toCtx(10600), 2.7));
});
