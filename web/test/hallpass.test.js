// The page's hall pass: the account's or speaker's token by cookie (one question, no error
// when neither), else a kept (and renewed) guest token; asked once per page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GUEST_KEY, HallPasses, hallPass, renewAt } from '../src/net/hallpass.js';

class MemoryStorage {
  constructor() { this.items = new Map(); }
  getItem(k) { return this.items.has(k) ? this.items.get(k) : null; }
  setItem(k, v) { this.items.set(k, String(v)); }
  removeItem(k) { this.items.delete(k); }
}

const json = (body) => new Response(JSON.stringify(body), { status: 200 });

function server({ pass = null, guests = [] } = {}) {
  const calls = [];
  const fetchImpl = async (url, init = {}) => {
    calls.push(`${init.method ?? 'GET'} ${url}`);
    if (url.startsWith('/api/auth/pass')) {
      const as = new URL(url, 'http://x').searchParams.get('as');
      const answer = typeof pass === 'function' ? pass(as) : pass;
      return answer ? json(answer) : new Response(null, { status: 204 });
    }
    const next = guests.shift();
    return next ? json(next) : new Response('', { status: 503 });
  };
  return { fetchImpl, calls };
}

test('a page signed in to the portal joins with the account, in one request', async () => {
  const { fetchImpl, calls } = server({ pass: { kind: 'account', token: 'staff-token', expires_at: 2e9 } });
  assert.deepEqual(await hallPass({ fetchImpl, storage: new MemoryStorage() }), { token: 'staff-token', kind: 'account', expires: 2e9, renew: 2e9 - 3600 });
  assert.deepEqual(calls, ['GET /api/auth/pass']);
});

test('a speaker page asks for the speaker first', async () => {
  const pass = (as) => (as === 'speaker'
    ? { kind: 'speaker', token: 'speaker-token', expires_at: 2e9, session: 'keynote' }
    : { kind: 'account', token: 'staff-token', expires_at: 2e9 });
  const { fetchImpl, calls } = server({ pass });
  assert.equal((await hallPass({ as: 'speaker', fetchImpl, storage: new MemoryStorage() }))?.kind, 'speaker');
  assert.deepEqual(calls, ['GET /api/auth/pass?as=speaker']);
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

test('a short-lived guest token is kept for most of its life, not asked for on every entry', async () => {
  // An expo issuing 30-minute guest tokens: an hour's margin would replace each at once.
  const storage = new MemoryStorage();
  const { fetchImpl, calls } = server({ guests: [{ token: 'g1', expires_at: 2800 }, { token: 'g2', expires_at: 4600 }] });
  assert.equal((await hallPass({ fetchImpl, storage, now: () => 1000 }))?.token, 'g1');
  assert.equal((await hallPass({ fetchImpl, storage, now: () => 2000 }))?.token, 'g1', 'kept');
  assert.equal((await hallPass({ fetchImpl, storage, now: () => 2400 }))?.token, 'g2', 'renewed in its last quarter');
  assert.equal(calls.filter((c) => c.startsWith('POST')).length, 2);
  assert.equal(renewAt(2800, 1000), 2350);
  assert.equal(renewAt(1e10, 0), 1e10 - 3600);
});

test('a guest token kept without its receipt time is replaced an hour before it expires', async () => {
  const storage = new MemoryStorage();
  storage.setItem(GUEST_KEY, JSON.stringify({ token: 'old', expires_at: 1000 + 1800 }));
  const { fetchImpl } = server({ guests: [{ token: 'g1', expires_at: 1e10 }] });
  assert.equal((await hallPass({ fetchImpl, storage, now: () => 1000 }))?.token, 'g1', 'within the hour: renewed');
  storage.setItem(GUEST_KEY, JSON.stringify({ token: 'old', expires_at: 1000 + 7200 }));
  assert.equal((await hallPass({ fetchImpl, storage, now: () => 1000 }))?.token, 'old', 'two hours left: kept');
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

test('a shared pass asks once however many parts of the page want it', async () => {
  const storage = new MemoryStorage();
  const { fetchImpl, calls } = server({ guests: [{ token: 'g1', expires_at: 1e10 }, { token: 'g2', expires_at: 1e10 }] });
  const passes = new HallPasses({ fetchImpl, storage });
  const [a, b] = await Promise.all([passes.current(), passes.current()]);
  assert.equal(a?.token, 'g1');
  assert.equal(b?.token, 'g1', 'the join and the forums hold the same token');
  assert.equal(calls.filter((c) => c.startsWith('POST')).length, 1);
});

test('a refused pass forgets the kept guest token and asks again', async () => {
  const storage = new MemoryStorage();
  const { fetchImpl } = server({ guests: [{ token: 'g1', expires_at: 1e10 }, { token: 'g2', expires_at: 1e10 }] });
  const passes = new HallPasses({ fetchImpl, storage });
  assert.equal((await passes.current())?.token, 'g1');
  passes.refused();
  assert.equal((await passes.current())?.token, 'g2');
  assert.equal(JSON.parse(storage.getItem(GUEST_KEY)).token, 'g2');
});

test('a pass near its expiry is asked for again', async () => {
  let clock = 1000;
  const { fetchImpl } = server({ guests: [{ token: 'g1', expires_at: 5000 }, { token: 'g2', expires_at: 1e10 }] });
  const passes = new HallPasses({ fetchImpl, storage: new MemoryStorage(), now: () => clock });
  assert.equal((await passes.current())?.token, 'g1');
  clock = 4000;
  assert.equal((await passes.current())?.token, 'g2');
});

test('entering again asks again, and shares a question already under way', async () => {
  let signedIn = false;
  const { fetchImpl, calls } = server({
    pass: () => (signedIn ? { kind: 'account', token: 'staff-token', expires_at: 1e10 } : null),
    guests: [{ token: 'g1', expires_at: 1e10 }],
  });
  const passes = new HallPasses({ fetchImpl, storage: new MemoryStorage() });
  const heard = [];
  passes.onPass((p) => heard.push(p?.kind));
  const [a, b] = await Promise.all([passes.renew(), passes.current()]);
  assert.equal(a?.token, 'g1');
  assert.equal(b?.token, 'g1');
  assert.equal(calls.filter((c) => c === 'GET /api/auth/pass').length, 1, 'one question, shared');
  signedIn = true; // signed in to the portal in another tab, then entered again
  assert.equal((await passes.renew())?.kind, 'account');
  assert.deepEqual(heard, ['guest', 'account']);
});

test('a page that could get no pass asks again next time', async () => {
  let up = false;
  const fetchImpl = async (url, init = {}) => {
    if (!up) throw new TypeError('offline');
    return url.startsWith('/api/auth/pass') ? new Response(null, { status: 204 })
      : json({ token: `g-${init.method}`, expires_at: 1e10 });
  };
  const passes = new HallPasses({ fetchImpl, storage: new MemoryStorage() });
  assert.equal(await passes.current(), null);
  up = true;
  assert.equal((await passes.current())?.token, 'g-POST');
});
