// Server clock estimation from pongs and frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClockSync } from '../src/net/clock.js';

test('seed gives server time from one reading', () => {
  const c = new ClockSync();
  c.seed(5000, 1000);
  assert.equal(c.serverNow(1500), 5500);
});

test('the pong with the smallest round trip wins', () => {
  const c = new ClockSync({ window: 4 });
  // True offset 10000. A slow pong (rtt 200, asymmetric) and a fast one (rtt 10).
  c.addPong(0, 200, 10000 + 20);
  c.addPong(1000, 1010, 10000 + 1005);
  assert.equal(c.rtt, 10);
  assert.equal(c.serverNow(2000), 12000);
});

test('a frame from "the future" raises the estimate; an older one does not lower it', () => {
  const c = new ClockSync();
  c.seed(1000, 0);
  c.observeFrame(1100, 50);
  assert.equal(c.serverNow(50), 1100);
  c.observeFrame(900, 60);
  assert.equal(c.serverNow(60), 1110);
});

test('the first frame seeds an unseeded clock; a new seed starts over', () => {
  const c = new ClockSync();
  c.observeFrame(300, 100);
  assert.equal(c.serverNow(100), 300);
  c.addPong(0, 10, 5);
  c.seed(0, 1000);
  assert.equal(c.serverNow(1000), 0);
  assert.ok(Number.isNaN(c.rtt));
});
