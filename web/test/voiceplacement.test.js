// Where voices come from and where the ears are (src/voice/placement.js), and the places that
// shape sound as the client shows them (src/voice/zones.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  distanceGain, earsOf, mouthOf, placeListener, placePanner, voicePannerOptions,
} from '../src/voice/placement.js';
import { placeAt } from '../src/voice/zones.js';

/** An AudioParam that remembers what it was set to. */
function param() {
  return { value: NaN, at: NaN, setValueAtTime(v, t) { this.value = v; this.at = t; } };
}

const near = (a, b, eps = 1e-9) => a.every((v, i) => Math.abs(v - b[i]) < eps);

/** The quaternion of a turn by `yaw` about +y. */
const yawQ = (yaw) => [0, Math.sin(yaw / 2), 0, Math.cos(yaw / 2)];

test("a voice comes from the speaker's mouth, just below the head of their pose", () => {
  assert.deepEqual(mouthOf([3, 1.6, -2]), [3, 1.5, -2]);
  const panner = { positionX: param(), positionY: param(), positionZ: param() };
  placePanner(panner, mouthOf([3, 1.7, -2]), 12.5);
  assert.ok(near([panner.positionX.value, panner.positionY.value, panner.positionZ.value], [3, 1.6, -2]));
  assert.equal(panner.positionZ.at, 12.5);
});

test('the ears face where the camera looks: −z at yaw 0, −x after a quarter turn left', () => {
  const ahead = earsOf([1, 1.6, 2], [0, 0, 0, 1]);
  assert.ok(near(ahead.position, [1, 1.6, 2]));
  assert.ok(near(ahead.forward, [0, 0, -1]));
  assert.ok(near(ahead.up, [0, 1, 0]));
  const left = earsOf([0, 1.6, 0], yawQ(Math.PI / 2));
  assert.ok(near(left.forward, [-1, 0, 0]));
  assert.ok(near(left.up, [0, 1, 0]));
});

test('in VR the ears follow a tilted head: looking down turns forward down and up forward', () => {
  const pitch = -Math.PI / 2; // nodding all the way down
  const ears = earsOf([0, 1.6, 0], [Math.sin(pitch / 2), 0, 0, Math.cos(pitch / 2)]);
  assert.ok(near(ears.forward, [0, -1, 0]));
  assert.ok(near(ears.up, [0, 0, -1]));
});

test('the listener is set from the ears, all nine parameters at once', () => {
  const listener = {
    positionX: param(), positionY: param(), positionZ: param(), forwardX: param(), forwardY: param(),
    forwardZ: param(), upX: param(), upY: param(), upZ: param(),
  };
  placeListener(listener, earsOf([4, 1.6, 5], yawQ(Math.PI)), 3);
  const got = Object.values(listener).map((p) => p.value);
  assert.ok(near(got, [4, 1.6, 5, 0, 0, 1, 0, 1, 0]));
  assert.ok(Object.values(listener).every((p) => p.at === 3));
});

test('voices are HRTF-panned and fall off with distance up to the voice radius', () => {
  const o = voicePannerOptions(12);
  assert.equal(o.panningModel, 'HRTF');
  assert.equal(o.distanceModel, 'inverse');
  assert.equal(o.maxDistance, 12);
  assert.equal(distanceGain(0.5, o), 1); // closer than 1 m is as loud as 1 m
  assert.equal(distanceGain(2, o), 0.5);
  assert.ok(Math.abs(distanceGain(12, o) - 1 / 12) < 1e-12);
  assert.equal(distanceGain(40, o), distanceGain(12, o)); // beyond the radius: the server stops
});

test('the client shows booth talk zones as private and live forum halls as voice-off', () => {
  const zones = { booths: [[0, 10, 0, 5], [20, 30, 0, 5]], liveForums: [[50, 80, 0, 40]] };
  assert.deepEqual(placeAt(-1, 2, zones), { kind: 'open', key: null, zone: -1 });
  assert.deepEqual(placeAt(25, 2, zones), { kind: 'private', key: 'voice.zone.booth', zone: 1 });
  assert.equal(placeAt(10, 2, zones).kind, 'open'); // x1 is outside, as on the server
  assert.deepEqual(placeAt(60, 10, zones), { kind: 'off', key: 'voice.zone.forum', zone: -1 });
  assert.equal(placeAt(60, 10, { ...zones, liveForums: [] }).kind, 'open');
});

test("staff's quiet areas and a quiet hall are voice-off, over booth talk zones too", () => {
  const zones = { booths: [[0, 10, 0, 5]], liveForums: [], quiet: [[-20, -10, 0, 10]] };
  assert.deepEqual(placeAt(-15, 5, zones), { kind: 'off', key: 'voice.zone.quiet', zone: -1 });
  assert.equal(placeAt(-5, 5, zones).kind, 'open');
  assert.equal(placeAt(5, 2, { ...zones, quietHall: true }).key, 'voice.zone.quiet');
});
