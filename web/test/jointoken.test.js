// Which token a visitor joins with (src/forum/jointoken.js): a speaker's from their link, an
// account's from the console, else a guest token kept until shortly before it expires.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forgetGuest, joinToken } from '../src/forum/jointoken.js';

/** A Storage in memory. */
function memoryStorage() {
  const m = new Map();
  return {
    getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)),
    removeItem: (k) => m.delete(k), clear: () => m.clear(), key: () => null, get length() { return m.size; },
  };
}

/** The server's answers by "METHOD path"; records the calls. */
function server(routes) {
  const calls = [];
  const fetchImpl = async (url, init) => {
    const key = `${init?.method ?? 'GET'} ${url}`;
    calls.push(key);
    const body = routes[key];
    return { ok: body !== undefined, json: async () => body };
  };
  return { fetchImpl, calls };
}

test('a guest token is fetched once and reused until an hour before it expires', async () => {
  const storage = memoryStorage();
  const { fetchImpl, calls } = server({ 'POST /api/auth/guest': { token: 'mx1.g', expires_at: 100000 } });
  const first = await joinToken({ fetchImpl, storage, now: () => 1000 });
  assert.deepEqual(first, { token: 'mx1.g', kind: 'guest', expires: 100000 });
  await joinToken({ fetchImpl, storage, now: () => 2000 });
  assert.equal(calls.length, 1);
  await joinToken({ fetchImpl, storage, now: () => 100000 - 60 });
  assert.equal(calls.length, 2);
  forgetGuest(storage);
  await joinToken({ fetchImpl, storage, now: () => 1000 });
  assert.equal(calls.length, 3);
});

test('a speaker gets their speaker token; staff their account token; a failure falls back to a guest', async () => {
  const routes = {
    'GET /api/forums/speaker/token': { token: 'mx1.s', expires: 5 },
    'GET /api/auth/token': { token: 'mx1.a', expires_at: 6 },
    'POST /api/auth/guest': { token: 'mx1.g', expires_at: 99999 },
  };
  const { fetchImpl } = server(routes);
  assert.equal((await joinToken({ as: 'speaker', fetchImpl }))?.kind, 'speaker');
  assert.equal((await joinToken({ as: 'staff', fetchImpl }))?.token, 'mx1.a');
  const { fetchImpl: noCookie } = server({ 'POST /api/auth/guest': routes['POST /api/auth/guest'] });
  assert.equal((await joinToken({ as: 'speaker', fetchImpl: noCookie }))?.kind, 'guest');
});

test('no token at all when the server gives none: the visitor joins without one', async () => {
  const { fetchImpl } = server({});
  assert.equal(await joinToken({ fetchImpl }), null);
  const throwing = async () => { throw new TypeError('offline'); };
  assert.equal(await joinToken({ fetchImpl: throwing }), null);
});
