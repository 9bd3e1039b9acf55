// Avatar animation: walking swings with speed, the body follows the head, emotes raise hands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EMOTE_S, emoteOf, HEAD_FREEDOM, Motion, poseParts, REST_RIGHT, startEmote, stepMotion,
} from '../src/avatars/animate.js';

const dt = 1 / 60;

/** Walk a motion at `speed` m/s along −z for `seconds`; returns the parts' poses seen. */
function walk(m, speed, seconds) {
  const poses = [];
  for (let t = 0; t < seconds; t += dt) {
    stepMotion(m, m.x, m.z - speed * dt, 0, dt);
    poses.push(Float64Array.from(poseParts(m, new Float64Array(15))));
  }
  return poses;
}

test('standing still: only breathing, hands at rest', () => {
  const m = new Motion();
  const poses = walk(m, 0, 3);
  for (const p of poses) {
    assert.ok(Math.abs(p[0]) < 0.01, 'the body hardly rises');
    assert.ok(Math.abs(p[10] - REST_RIGHT[2]) < 1e-9, 'the right hand does not swing');
    assert.equal(p[14], 0);
  }
});

test('walking swings the hands opposite each other, more when faster', () => {
  const slow = walk(new Motion(), 0.6, 3).slice(60);
  const fast = walk(new Motion(), 1.6, 3).slice(60);
  const reach = (poses) => Math.max(...poses.map((p) => Math.abs(p[10] - REST_RIGHT[2])));
  assert.ok(reach(fast) > 0.15, `full swing ${reach(fast)}`);
  assert.ok(reach(slow) < reach(fast) * 0.6, `slow ${reach(slow)} vs fast ${reach(fast)}`);
  for (const p of fast) assert.ok(Math.abs((p[5] - -0.04) + (p[10] - -0.04)) < 1e-9, 'opposite hands');
  // About one gait cycle per 1.3 m: at 1.6 m/s over 2 s, 2.5 cycles of the right hand.
  let crossings = 0;
  for (let i = 1; i < fast.length; i++) if ((fast[i - 1][10] + 0.04) * (fast[i][10] + 0.04) < 0) crossings++;
  assert.ok(crossings >= 4 && crossings <= 6, `${crossings} half-cycles`);
});

test('a teleport is not a walk', () => {
  const m = new Motion();
  stepMotion(m, 0, 0, 0, dt);
  stepMotion(m, 0, -40, 0, dt);
  assert.equal(m.speed, 0);
});

test('the head turns alone a little; further, the body follows', () => {
  const m = new Motion();
  stepMotion(m, 0, 0, 0, dt);
  for (let i = 0; i < 120; i++) stepMotion(m, 0, 0, 0.5, dt);
  assert.equal(m.bodyYaw, 0, 'within the head\'s freedom the body stays');
  for (let i = 0; i < 120; i++) stepMotion(m, 0, 0, 1.5, dt);
  assert.ok(Math.abs(m.bodyYaw - (1.5 - HEAD_FREEDOM)) < 1e-6, `body at ${m.bodyYaw}`);
});

test('a wave raises the right hand above the head, then lets it down', () => {
  const m = new Motion();
  stepMotion(m, 0, 0, 0, dt);
  assert.equal(startEmote(m, 'wave'), true);
  assert.equal(startEmote(m, 'dance'), false);
  let highest = 0;
  for (let t = 0; t < EMOTE_S; t += dt) {
    stepMotion(m, 0, 0, 0, dt);
    const p = poseParts(m, new Float64Array(15));
    highest = Math.max(highest, p[9]);
  }
  assert.ok(highest > 1.7, `the hand went up to ${highest}`);
  stepMotion(m, 0, 0, 0, 0.1);
  assert.equal(emoteOf(m), null);
  const after = poseParts(m, new Float64Array(15));
  assert.ok(Math.abs(after[9] - REST_RIGHT[1]) < 0.02, 'back at rest');
});

test('a clap brings both hands together before the chest; a thumbs-up turns the right hand', () => {
  const m = new Motion();
  stepMotion(m, 0, 0, 0, dt);
  startEmote(m, 'clap');
  let closest = Infinity;
  for (let t = 0; t < 1; t += dt) {
    stepMotion(m, 0, 0, 0, dt);
    const p = poseParts(m, new Float64Array(15));
    if (p[13] === 1) closest = Math.min(closest, p[8] - p[3]);
  }
  assert.ok(closest < 0.08, `hands ${closest} m apart at the clap`);
  startEmote(m, 'thumbs_up');
  for (let t = 0; t < 0.5; t += dt) stepMotion(m, 0, 0, 0, dt);
  const p = poseParts(m, new Float64Array(15));
  assert.ok(Math.abs(p[11] - Math.PI / 2) < 1e-9 && p[10] < -0.3, 'fist forward, thumb up');
});
