// The interpolation buffer: interpolate, extrapolate briefly, hold, snap on teleport.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InterpBuffer, SampleState, Slot, yawOfQuaternion } from '../src/net/interp.js';

const MOVING = 1;
const TELEPORTED = 2;
const desk = (x, z, flags = MOVING, yaw = 0) => ({ position: [x, 1.6, z], yaw, pitch: 0, flags });
const out = new Float64Array(Slot.SIZE);

test('empty buffer says so', () => {
  assert.equal(new InterpBuffer().sample(100, out), SampleState.EMPTY);
});

test('interpolates linearly between the two samples around t', () => {
  const b = new InterpBuffer();
  b.pushDesktop(1000, desk(0, 0));
  b.pushDesktop(1050, desk(1, -2));
  b.pushDesktop(1100, desk(2, -4));
  assert.equal(b.sample(1075, out), SampleState.INTERPOLATED);
  assert.ok(Math.abs(out[Slot.X] - 1.5) < 1e-9);
  assert.ok(Math.abs(out[Slot.Z] + 3) < 1e-9);
  assert.equal(out[Slot.T], 1075);
});

test('yaw takes the short way round', () => {
  const b = new InterpBuffer();
  b.pushDesktop(0, desk(0, 0, 0, 3.0));
  b.pushDesktop(100, desk(0, 0, 0, -3.0));
  b.sample(50, out);
  // Half-way between 3.0 and -3.0 across ±pi is pi, not 0.
  assert.ok(Math.abs(Math.abs(out[Slot.YAW]) - Math.PI) < 1e-9, `${out[Slot.YAW]}`);
});

test('extrapolates a moving avatar for at most maxExtrapolateMs, then holds there', () => {
  const b = new InterpBuffer({ maxExtrapolateMs: 200 });
  b.pushDesktop(0, desk(0, 0));
  b.pushDesktop(50, desk(0.1, 0));
  assert.equal(b.sample(100, out), SampleState.EXTRAPOLATED);
  assert.ok(Math.abs(out[Slot.X] - 0.2) < 1e-9);
  b.sample(1000, out);
  assert.ok(Math.abs(out[Slot.X] - 0.5) < 1e-9, 'capped at 200 ms past the newest sample');
});

test('a standing avatar is held, never extrapolated', () => {
  const b = new InterpBuffer();
  b.pushDesktop(0, desk(0, 0));
  b.pushDesktop(50, desk(0.1, 0, 0));
  assert.equal(b.sample(300, out), SampleState.HELD);
  assert.ok(Math.abs(out[Slot.X] - 0.1) < 1e-9);
});

test('TELEPORTED drops the history: no glide from the old place', () => {
  const b = new InterpBuffer();
  b.pushDesktop(0, desk(0, 0));
  b.pushDesktop(50, desk(0.1, 0));
  b.pushDesktop(100, desk(50, 50, TELEPORTED));
  assert.equal(b.sample(75, out), SampleState.HELD);
  assert.equal(out[Slot.X], 50);
  assert.equal(out[Slot.Z], 50);
});

test('a resend for the same tick replaces the newest sample; older frames are ignored', () => {
  const b = new InterpBuffer();
  b.pushDesktop(0, desk(0, 0));
  b.pushDesktop(50, desk(1, 0));
  b.pushDesktop(50, desk(2, 0, 0));
  b.pushDesktop(10, desk(9, 9, 0));
  assert.equal(b.count, 2);
  b.sample(60, out);
  assert.equal(out[Slot.X], 2);
});

test('before the oldest sample, the oldest is shown', () => {
  const b = new InterpBuffer({ capacity: 4 });
  for (let i = 0; i < 10; i++) b.pushDesktop(i * 50, desk(i, 0, 0));
  assert.equal(b.count, 4);
  assert.equal(b.sample(0, out), SampleState.HELD);
  assert.equal(out[Slot.X], 6);
});

test('VR records interpolate hands and normalise quaternions', () => {
  const b = new InterpBuffer();
  const s = Math.SQRT1_2;
  const vr = (x, q) => ({
    position: [x, 1.6, 0], head_q: q, left: [x - 0.3, 1.2, 0], left_q: [0, 0, 0, 1],
    right: [x + 0.3, 1.2, 0], right_q: q, flags: MOVING,
  });
  b.pushVr(0, vr(0, [0, 0, 0, 1]));
  b.pushVr(100, vr(1, [0, s, 0, s]));
  b.sample(50, out);
  assert.equal(out[Slot.VR], 1);
  assert.ok(Math.abs(out[Slot.LP] + 0.3 - 0.5) < 1e-9);
  assert.ok(Math.abs(out[Slot.RP] - 0.8) < 1e-9);
  const n = Math.hypot(out[Slot.HQ], out[Slot.HQ + 1], out[Slot.HQ + 2], out[Slot.HQ + 3]);
  assert.ok(Math.abs(n - 1) < 1e-9);
  // Half of a 90° turn about y is 45°.
  assert.ok(Math.abs(out[Slot.YAW] - Math.PI / 4) < 1e-9, `${out[Slot.YAW]}`);
});

test('yawOfQuaternion matches a pure rotation about y, and ignores pitch', () => {
  for (const yaw of [0, 0.5, -2, 3]) {
    const q = [0, Math.sin(yaw / 2), 0, Math.cos(yaw / 2)];
    assert.ok(Math.abs(yawOfQuaternion(...q) - yaw) < 1e-9);
  }
  // yaw 1 then pitch 0.4 (YXZ)
  const b = new InterpBuffer();
  b.pushDesktop(0, { position: [0, 0, 0], yaw: 1, pitch: 0.4, flags: 0 });
  b.sample(0, out);
  const q = [out[Slot.HQ], out[Slot.HQ + 1], out[Slot.HQ + 2], out[Slot.HQ + 3]];
  assert.ok(Math.abs(yawOfQuaternion(...q) - 1) < 1e-9);
});
