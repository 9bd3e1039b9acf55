// The connection state machine over a fake WebSocket and fake timers: join, resume, retry policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOL_VERSION } from '../src/net/codec.js';
import { Connection } from '../src/net/connection.js';

class FakeTimers {
  constructor() { this.now = 0; this.queue = []; this.next = 1; }
  setTimeout(fn, ms) { const id = this.next++; this.queue.push({ id, at: this.now + ms, fn }); return id; }
  clearTimeout(id) { this.queue = this.queue.filter((t) => t.id !== id); }
  advance(ms) {
    const end = this.now + ms;
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at);
      const t = this.queue[0];
      if (!t || t.at > end) break;
      this.queue.shift();
      this.now = t.at;
      t.fn();
    }
    this.now = end;
  }
}

function harness() {
  const sockets = [];
  class FakeSocket {
    constructor(url) { this.url = url; this.sent = []; this.readyState = 0; sockets.push(this); }
    send(data) { this.sent.push(data); }
    close(code = 1000, reason = '') { this.readyState = 3; this.onclose?.({ code, reason }); }
    // test side
    open() { this.readyState = 1; this.onopen?.(); }
    receive(data) { this.onmessage?.({ data: typeof data === 'string' ? data : data }); }
    serverClose(code, reason = '') { this.readyState = 3; this.onclose?.({ code, reason }); }
  }
  const timers = new FakeTimers();
  const states = [];
  const welcomes = [];
  const conn = new Connection({
    url: 'ws://h/ws',
    join: { room: 'main', name: 'n', avatar: 'celadon', kind: 'desktop' },
    handlers: { onState: (s, k) => states.push([s, k]), onWelcome: (m) => welcomes.push(m) },
    WebSocketImpl: FakeSocket,
    now: () => timers.now,
    timers,
    random: () => 0.5,
  });
  return { conn, sockets, timers, states, welcomes };
}

const welcome = (id, resume, resumed = false) => JSON.stringify({
  type: 'welcome', v: 2, id, resume, resumed, server_ms: 1000, tick_hz: 20, limits: { pose_hz: 20 },
});

test('joins on open, then resumes with the token after a drop', () => {
  const { conn, sockets, timers, states } = harness();
  conn.start();
  sockets[0].open();
  const join = JSON.parse(sockets[0].sent[0]);
  assert.deepEqual(join, { type: 'join', v: PROTOCOL_VERSION, room: 'main', name: 'n', avatar: 'celadon', kind: 'desktop' });
  sockets[0].receive(welcome(7, 'tok-1'));
  assert.equal(conn.state, 'joined');
  sockets[0].serverClose(1006);
  assert.equal(conn.state, 'waiting');
  assert.equal(states.at(-1)[1], 'status.reconnecting');
  timers.advance(499);
  assert.equal(sockets.length, 1);
  timers.advance(1);
  assert.equal(sockets.length, 2, 'reconnects after the first backoff step (500 ms)');
  sockets[1].open();
  assert.equal(JSON.parse(sockets[1].sent[0]).resume, 'tok-1');
  sockets[1].receive(welcome(7, 'tok-2', true));
  assert.equal(conn.status, 'status.resumed');
});

test('backoff doubles while the server stays unreachable, and resets after a welcome', () => {
  const { conn, sockets, timers, states } = harness();
  conn.start();
  sockets[0].serverClose(1006); // never opened
  assert.equal(states.at(-1)[1], 'status.unreachable');
  const gaps = [];
  for (let i = 0; i < 4; i++) {
    const before = sockets.length;
    let waited = 0;
    while (sockets.length === before) { timers.advance(100); waited += 100; }
    gaps.push(waited);
    sockets.at(-1).serverClose(1006);
  }
  assert.deepEqual(gaps, [500, 1000, 2000, 4000]);
  timers.advance(20000);
  sockets.at(-1).open();
  sockets.at(-1).receive(welcome(1, 't'));
  sockets.at(-1).serverClose(1006);
  const before = sockets.length;
  timers.advance(500);
  assert.equal(sockets.length, before + 1, 'back to the first step');
});

test('a version mismatch or a takeover stops retrying', () => {
  for (const [code, status] of [[4001, 'status.version'], [4040, 'status.replaced']]) {
    const { conn, sockets, timers } = harness();
    conn.start();
    sockets[0].open();
    sockets[0].receive(JSON.stringify({ type: 'error', code: 'x', message: 'reload please' }));
    sockets[0].serverClose(code);
    assert.equal(conn.state, 'closed');
    assert.equal(conn.status, status);
    assert.equal(conn.statusVars.reason, 'reload please');
    timers.advance(120000);
    assert.equal(sockets.length, 1);
  }
});

test('a restart notice sets the reconnect delay; a full hall waits longer', () => {
  const { conn, sockets, timers } = harness();
  conn.start();
  sockets[0].open();
  sockets[0].receive(welcome(1, 't'));
  sockets[0].receive(JSON.stringify({ type: 'shutdown', message: 'bye', reconnect_after_ms: 3000 }));
  sockets[0].serverClose(1012);
  assert.equal(conn.status, 'status.shutdown');
  timers.advance(2999);
  assert.equal(sockets.length, 1);
  timers.advance(1);
  assert.equal(sockets.length, 2);

  const full = harness();
  full.conn.start();
  full.sockets[0].open();
  full.sockets[0].receive(JSON.stringify({ type: 'error', code: 'hall_full', message: 'try later' }));
  full.sockets[0].serverClose(1013);
  assert.equal(full.conn.status, 'status.full');
  assert.equal(full.conn.retryInSeconds, 10);
  full.timers.advance(9999);
  assert.equal(full.sockets.length, 1);
  full.timers.advance(1);
  assert.equal(full.sockets.length, 2);
});

test('leave sends a leave and never reconnects; frames before the welcome are ignored', () => {
  const { conn, sockets, timers } = harness();
  const frames = [];
  conn.handlers.onFrame = (f) => frames.push(f);
  conn.start();
  sockets[0].open();
  sockets[0].receive(new ArrayBuffer(10));
  assert.equal(frames.length, 0);
  sockets[0].receive(welcome(1, 't'));
  sockets[0].receive(new ArrayBuffer(10));
  assert.equal(frames.length, 1);
  conn.leave();
  assert.deepEqual(JSON.parse(sockets[0].sent.at(-1)), { type: 'leave' });
  sockets[0].serverClose(1000);
  timers.advance(60000);
  assert.equal(sockets.length, 1);
  assert.equal(conn.state, 'closed');
});

test('pings follow the welcome and pongs feed the clock', () => {
  const { conn, sockets, timers } = harness();
  conn.start();
  sockets[0].open();
  sockets[0].receive(welcome(1, 't'));
  timers.advance(500);
  const ping = JSON.parse(sockets[0].sent.at(-1));
  assert.equal(ping.type, 'ping');
  timers.advance(20);
  sockets[0].receive(JSON.stringify({ type: 'pong', t: ping.t, server_ms: 5000, tick: 3 }));
  assert.equal(conn.clock.rtt, 20);
  assert.equal(conn.serverNow(), 5010);
});

test('a drop with a hold reconnects once the hold is over, or at once when asked to', () => {
  const { conn, sockets, timers } = harness();
  conn.start();
  sockets[0].open();
  sockets[0].receive(welcome(7, 'tok-1'));
  conn.drop({ holdMs: 60000 });
  assert.equal(conn.state, 'waiting');
  timers.advance(59999);
  assert.equal(sockets.length, 1, 'no attempt during the hold');
  timers.advance(1);
  assert.equal(sockets.length, 2, 'an attempt when the hold is over');
  sockets[1].open();
  sockets[1].receive(welcome(7, 'tok-2', true));

  conn.drop({ holdMs: 60000 });
  timers.advance(1000);
  assert.equal(sockets.length, 2);
  conn.retryNow();
  assert.equal(sockets.length, 3, 'retry now does not wait for the hold');
  sockets[2].open();
  assert.equal(JSON.parse(sockets[2].sent[0]).resume, 'tok-2');
  timers.advance(60000);
  assert.equal(sockets.length, 3, 'the held timer was cancelled');
});
