// The join's token: the portal account's when signed in, else a kept (and renewed) guest token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GUEST_KEY, hallPass } from '../src/net/hallpass.js';

class MemoryStorage {
  constructor() { this.items = new Map(); }
  getItem(k) { return this.items.has(k) ? this.items.get(k) : null; }
  setItem(k, v) { this.items.set(k, String(v)); }
}

function server({ signedIn = false, speaker = false, guests = [] } = {}) {
  const calls = [];
  const fetchImpl = async (url, init = {}) => {
    calls.push(`${init.method ?? 'GET'} ${url}`);
    if (url === '/api/auth/token') {
      return signedIn
        ? new Response(JSON.stringify({ token: 'staff-token', expires_at: 2e9 }), { status: 200 })
        : new Response('{"detail":"sign in first"}', { status: 401 });
    }
    if (url === '/api/forums/speaker/token') {
      return speaker
        ? new Response(JSON.stringify({ token: 'speaker-token', expires: 2e9, session: 'keynote' }), { status: 200 })
        : new Response('{"detail":"not a speaker"}', { status: 401 });
    }
    const next = guests.shift();
    return next ? new Response(JSON.stringify(next), { status: 200 }) : new Response('', { status: 503 });
  };
  return { fetchImpl, calls };
}

test('a page signed in to the portal joins with the account', async () => {
  const { fetchImpl, calls } = server({ signedIn: true });
  assert.deepEqual(await hallPass({ fetchImpl, storage: new MemoryStorage() }), { token: 'staff-token', kind: 'account' });
  assert.deepEqual(calls, ['GET /api/auth/token']);
});

test('a forum speaker signed in by their link joins with the speaker token', async () => {
  const { fetchImpl, calls } = server({ speaker: true });
  assert.deepEqual(await hallPass({ fetchImpl, storage: new MemoryStorage() }), { token: 'speaker-token', kind: 'speaker' });
  assert.deepEqual(calls, ['GET /api/auth/token', 'GET /api/forums/speaker/token']);
});

test('a guest token is kept and reused until it is about to expire', async () => {
  const storage = new MemoryStorage();
  const { fetchImpl, calls } = server({ guests: [{ token: 'g1', expires_at: 10000 }, { token: 'g2', expires_at: 99999 }] });
  assert.equal((await hallPass({ fetchImpl, storage, now: () => 1000 }))?.token, 'g1');
  assert.equal((await hallPass({ fetchImpl, storage, now: () => 2000 }))?.token, 'g1', 'kept');
  assert.equal((await hallPass({ fetchImpl, storage, now: () => 9000 }))?.token, 'g2', 'renewed near expiry');
  assert.equal(JSON.parse(storage.getItem(GUEST_KEY)).token, 'g2');
  assert.equal(calls.filter((c) => c.startsWith('POST')).length, 2);
});

test('without the expo a visitor joins without a token', async () => {
  const fetchImpl = async () => { throw new TypeError('offline'); };
  assert.equal(await hallPass({ fetchImpl, storage: null }), null);
});

test('a damaged stored token is replaced', async () => {
  const storage = new MemoryStorage();
  storage.setItem(GUEST_KEY, '{not json');
  const { fetchImpl } = server({ guests: [{ token: 'g3', expires_at: 1e10 }] });
  assert.equal((await hallPass({ fetchImpl, storage }))?.token, 'g3');
});
