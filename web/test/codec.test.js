// The JS codec against the shared golden vectors in docs/protocol-vectors/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  decodeAudioFrame, decodeClientPose, decodeServerFrame, encodeAudioFrame, encodeDesktopPose,
  encodeVrPose, FrameError, MediaStream, packQuaternion, unpackQuaternion,
} from '../src/net/codec.js';

const dir = new URL('../../docs/protocol-vectors/', import.meta.url);
const load = (name) => JSON.parse(readFileSync(fileURLToPath(new URL(name, dir)), 'utf8'));
const hex = (h) => new Uint8Array(h.match(/../g)?.map((b) => parseInt(b, 16)) ?? []);
const toHex = (buf) => Buffer.from(buf).toString('hex');

function assertClose(actual, expected, path = '') {
  if (Array.isArray(expected)) {
    assert.equal(actual.length, expected.length, `${path}: length`);
    expected.forEach((e, i) => assertClose(actual[i], e, `${path}[${i}]`));
  } else if (expected !== null && typeof expected === 'object') {
    for (const [k, e] of Object.entries(expected)) assertClose(actual[k], e, `${path}.${k}`);
  } else if (typeof expected === 'number' && !Number.isInteger(expected)) {
    assert.ok(Math.abs(actual - expected) < 1e-9, `${path}: ${actual} != ${expected}`);
  } else {
    assert.equal(actual, expected, path);
  }
}

const poseVectors = () => load('client_frames.json').vectors.filter((v) => v.decoded.type !== 'AUDIO');
const audioVectors = () => load('client_frames.json').vectors.filter((v) => v.decoded.type === 'AUDIO');
/** Media chunks as the vectors write them: size and hex instead of bytes. */
const asVector = (chunks) => chunks.map(({ data, ...rest }) => ({ ...rest, size: data.length, hex: toHex(data) }));

test('client pose vectors encode to the golden bytes', () => {
  for (const vec of poseVectors()) {
    const d = vec.decoded;
    const buf = d.type === 'DESKTOP_POSE'
      ? encodeDesktopPose(d.position, d.yaw, d.pitch, d.flags)
      : encodeVrPose(d.head, d.head_q, d.left, d.left_q, d.right, d.right_q, d.flags);
    assert.equal(toHex(buf), vec.hex, vec.name);
  }
});

test('client pose vectors decode to their values', () => {
  for (const vec of poseVectors()) {
    assertClose(decodeClientPose(hex(vec.hex)), vec.decoded, vec.name);
  }
});

test('AUDIO vectors encode to the golden bytes and decode to their chunks', () => {
  for (const vec of audioVectors()) {
    const d = vec.decoded;
    const chunks = d.chunks.map((c) => ({ seq: c.seq, data: hex(c.hex) }));
    assert.equal(toHex(encodeAudioFrame(d.stream, chunks)), vec.hex, vec.name);
    const back = decodeAudioFrame(hex(vec.hex));
    assert.equal(back.stream, MediaStream[d.stream_name], vec.name);
    assert.deepEqual(asVector(back.chunks), d.chunks, vec.name);
  }
});

test('invalid AUDIO vectors are refused with the code the server uses', () => {
  for (const vec of load('client_frames.json').invalid) {
    assert.throws(() => decodeAudioFrame(hex(vec.hex), 400),
      (e) => e instanceof FrameError && e.code === vec.code, vec.name);
  }
});

test('server frame vectors decode to their values', () => {
  for (const vec of load('server_frames.json').vectors) {
    const frame = decodeServerFrame(hex(vec.hex), vec.origin ?? [0, 0, 0]);
    if (frame.type !== 'CROWD') frame.media = asVector(frame.media);
    assertClose(frame, vec.decoded, vec.name);
  }
});

test('quaternion vectors unpack and repack exactly', () => {
  for (const vec of load('quaternions.json').vectors) {
    assertClose(unpackQuaternion(vec.packed), vec.quaternion, vec.name);
    assert.equal(packQuaternion(vec.quaternion), vec.packed, vec.name);
  }
});

test('truncated and trailing server frames are refused with a code', () => {
  const good = hex(load('server_frames.json').vectors[1].hex);
  assert.throws(() => decodeServerFrame(good.slice(0, good.length - 1)), (e) => e instanceof FrameError && e.code === 'truncated');
  const longer = new Uint8Array(good.length + 1);
  longer.set(good);
  assert.throws(() => decodeServerFrame(longer), (e) => e.code === 'bad_length');
  const wrongVersion = good.slice();
  wrongVersion[0] = 1;
  assert.throws(() => decodeServerFrame(wrongVersion), (e) => e.code === 'bad_version');
});

test('packing stays within one degree for random orientations', () => {
  for (let i = 0; i < 2000; i++) {
    const q = [Math.random() - 0.5, Math.random() - 0.5, Math.random() - 0.5, Math.random() - 0.5];
    const n = Math.hypot(...q);
    const unit = q.map((c) => c / n);
    const back = unpackQuaternion(packQuaternion(unit));
    const dot = Math.abs(unit.reduce((s, c, k) => s + c * back[k], 0));
    const angle = 2 * Math.acos(Math.min(1, dot)) * 180 / Math.PI;
    assert.ok(angle < 1, `angle ${angle}° for ${unit}`);
  }
});
