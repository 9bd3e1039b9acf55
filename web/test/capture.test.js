// The microphone's frame clock (src/media/capture.js): stamps that follow the samples read, so
// packets and levels share one clock, whatever the track processor's timestamps do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SampleClock } from '../src/media/capture.js';

test('frames are stamped end to end from the first frame\'s timestamp', () => {
  const c = new SampleClock();
  assert.equal(c.stamp(4_459_299, 10_000), 4_459_299);
  assert.equal(c.stamp(4_469_399, 10_000), 4_469_299);
  assert.equal(c.stamp(4_479_399, 10_000), 4_479_299);
  assert.equal(c.gapUs, 0);
});

test('timestamps that restart seconds back (a processor moved to a worker) neither jump nor count as loss', () => {
  const c = new SampleClock();
  c.stamp(4_459_299, 10_000);
  c.stamp(4_469_299, 10_000);
  assert.equal(c.stamp(322_000, 10_000), 4_479_299);
  assert.equal(c.stamp(332_000, 10_000), 4_489_299);
  assert.equal(c.gapUs, 0);
});

test('input lost between two reads is counted, and the stamps still follow the samples', () => {
  const c = new SampleClock();
  c.stamp(0, 10_000);
  c.stamp(10_000, 10_000);
  // The reader came back 500 ms late and the processor had dropped what it could not hold.
  assert.equal(c.stamp(520_000, 10_000), 20_000);
  assert.equal(c.gapUs, 500_000);
  // Rounding of a few µs is not loss.
  c.stamp(530_400, 10_000);
  assert.equal(c.gapUs, 500_000);
});
