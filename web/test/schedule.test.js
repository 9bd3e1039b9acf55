// Scheduling decoded buffers on the AudioContext clock (src/media/schedule.js): end to end
// when in step, never overlapping, late ones started at once and the rest slipped after them.
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

test('a late buffer starts now and the ones after it follow it end to end (the schedule slips)', () => {
  const s = new BufferSchedule({ minLeadS: 0 });
  // Decoded 300 ms after its moment (a page busy drawing): played now, not dropped...
  assert.equal(s.place(1.0, D, 1.3), 1.3);
  assert.equal(s.late, 1);
  assert.ok(close(s.slipS, 0.3));
  // ...and the rest of the spurt, decoded just as late, plays right after it, without a gap.
  assert.ok(close(/** @type {number} */ (s.place(1.0 + D, D, 1.3)), 1.3 + D));
  assert.ok(close(/** @type {number} */ (s.place(1.0 + 2 * D, D, 1.3)), 1.3 + 2 * D));
  assert.equal(s.dropped, 0);
  assert.equal(s.scheduled, 3);
});

test('a page late again and again keeps playing every buffer, later each time, up to the limit', () => {
  const s = new BufferSchedule({ minLeadS: 0, maxSlipS: 1 });
  let now = 1.0;
  for (let i = 0; i < 40; i++) {
    now += 0.03; // each buffer decoded 10 ms later than the one before it
    assert.notEqual(s.place(1.0 + i * D, D, now), null, `buffer ${i} played`);
  }
  assert.equal(s.dropped, 0);
  // Beyond the limit a buffer is dropped: the listener is never held further behind.
  assert.equal(s.place(2.0, D, 3.5), null);
  assert.equal(s.dropped, 1);
});

test('the slip is given back in pauses, each pause shortened by at most half', () => {
  const s = new BufferSchedule({ minLeadS: 0 });
  s.place(1.0, D, 1.2); // slipped 200 ms
  assert.ok(close(s.slipS, 0.2));
  // A 300 ms pause before the next spurt: 150 ms of the slip comes back, 150 ms of pause stays.
  const next = /** @type {number} */ (s.place(1.0 + D + 0.3, D, 1.25));
  assert.ok(close(s.slipS, 0.05));
  assert.ok(close(next - (1.2 + D), 0.15));
  // A long pause gives back the rest; then buffers play where they are wanted again.
  assert.equal(s.place(3.0, D, 2.0), 3.0);
  assert.equal(s.slipS, 0);
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
