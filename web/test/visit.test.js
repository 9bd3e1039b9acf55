// A visit: after leaving, a late frame or message of the old socket changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Visit } from '../src/app/visit.js';

globalThis.location ??= /** @type {any} */ ({ protocol: 'http:', host: '127.0.0.1:8000' });
globalThis.matchMedia ??= /** @type {any} */ (() => ({ matches: false }));
if (!globalThis.navigator) Object.defineProperty(globalThis, 'navigator', { value: { userAgent: 'node' } });

/** A server frame (protocol version 2): a DELTA with one desktop record (slot 7) at time `ms`,
 * no VR record, no removal, no media. */
function delta(ms) {
  const buf = new ArrayBuffer(10 + 2 + 12 + 2 + 2 + 2);
  const v = new DataView(buf);
  v.setUint8(0, 2);
  v.setUint8(1, 0x10);
  v.setUint32(2, 1, true);
  v.setUint32(6, ms, true);
  v.setUint16(10, 1, true);
  v.setUint16(12, 7, true);
  v.setUint8(14, 1);
  return buf;
}

class FakeConnection {
  constructor({ handlers }) {
    this.handlers = handlers;
    this.observed = 0;
    this.clock = { observeFrame: () => { this.observed++; } };
  }

  start() {}

  leave() { this.left = true; }
}

function visitWith() {
  const seen = { frames: 0, messages: [], status: [] };
  const app = /** @type {any} */ ({
    hallId: 'main', bounds: { min: [-128, 0, -128], max: [128, 16, 128] }, connection: null,
    remote: { onPoseFrame: () => seen.frames++, reset: () => {}, onRoster: () => {}, emote: () => {} },
    crowd: { clear: () => {}, set: () => {} },
  });
  const visit = new Visit({
    app, i18n: /** @type {any} */ ({ pick: (x) => x, t: (k) => k }),
    status: /** @type {any} */ ({ set: (...a) => seen.status.push(a) }),
    chat: /** @type {any} */ ({ add: (m) => seen.messages.push(m), note: () => {}, setLimit: () => {} }),
    gate: /** @type {any} */ ({}), player: /** @type {any} */ ({}), travel: /** @type {any} */ ({}),
    ConnectionImpl: /** @type {any} */ (FakeConnection),
  });
  return { app, visit, seen };
}

test('frames and messages of a socket left behind are not applied', () => {
  const { app, visit, seen } = visitWith();
  const conn = /** @type {any} */ (visit.start({ name: 'A', avatar: 'celadon' }));
  conn.handlers.onFrame(delta(100), 0);
  assert.equal(seen.frames, 1);
  assert.equal(conn.observed, 1);
  visit.leave();
  assert.equal(app.connection, null);
  assert.ok(conn.left);
  // The old socket still delivers what was in flight: nothing of it lands, nothing throws.
  conn.handlers.onFrame(delta(150), 0);
  conn.handlers.onMessage({ type: 'chat', messages: [{ from: 1, name: 'B', text: 'late', t: 0 }] });
  assert.equal(seen.frames, 1);
  assert.equal(conn.observed, 1);
  assert.deepEqual(seen.messages, []);
  // A new visit's socket is heard, the old one still not.
  const again = /** @type {any} */ (visit.start({ name: 'A', avatar: 'celadon' }));
  again.handlers.onFrame(delta(200), 0);
  conn.handlers.onFrame(delta(210), 0);
  assert.equal(seen.frames, 2);
});
