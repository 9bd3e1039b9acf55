// The pose rate limiter: at most hz per second, only on change, never losing the last change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PoseGate } from '../src/net/posegate.js';

test('sends the first pose, then at most every 1/hz', () => {
  const g = new PoseGate({ hz: 20 });
  const pose = [0, 1.6, 0, 0, 0, 1];
  assert.equal(g.offer(0, pose), true);
  pose[0] = 0.1;
  assert.equal(g.offer(16.7, pose), false);
  assert.equal(g.offer(33.4, pose), false);
  assert.equal(g.offer(50.1, pose), true, 'three 60 Hz frames make one 20 Hz interval');
});

test('sends nothing while the pose stays the same', () => {
  const g = new PoseGate({ hz: 20 });
  const pose = [1, 1.6, 1, 0.5, 0, 0];
  g.offer(0, pose);
  for (let t = 50; t < 2000; t += 50) assert.equal(g.offer(t, pose), false);
  pose[3] += 0.001; // below epsilon
  assert.equal(g.offer(2000, pose), false);
});

test('a change made while rate-limited goes out once the interval allows', () => {
  const g = new PoseGate({ hz: 10 });
  const pose = [0, 0, 0];
  g.offer(0, pose);
  pose[0] = 1;
  assert.equal(g.offer(10, pose), false);
  assert.equal(g.offer(99.5, pose), true);
});

test('a pose of another length (desktop <-> VR) is always a change; reset forgets', () => {
  const g = new PoseGate({ hz: 20 });
  g.offer(0, [0, 0, 0, 0, 0, 0]);
  assert.equal(g.offer(100, new Array(22).fill(0)), true);
  g.reset();
  assert.equal(g.offer(101, new Array(22).fill(0)), true);
});

test('offered rate over one simulated second stays at or below hz', () => {
  const g = new PoseGate({ hz: 20 });
  const pose = [0, 0, 0];
  let sent = 0;
  for (let t = 0; t < 1000; t += 1000 / 90) {
    pose[0] += 0.01;
    if (g.offer(t, pose)) sent++;
  }
  assert.ok(sent <= 21 && sent >= 18, `${sent}`);
});
