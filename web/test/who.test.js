// Batching `who` requests for unknown avatar ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WhoBatcher } from '../src/net/who.js';

test('ids wait and leave together, at most maxIds per message', () => {
  const w = new WhoBatcher({ maxIds: 3, intervalMs: 100 });
  for (const id of [1, 2, 3, 4, 5]) w.want(id, 0);
  assert.deepEqual(w.take(0), [1, 2, 3]);
  assert.equal(w.take(50), null, 'not before the interval');
  assert.deepEqual(w.take(100), [4, 5]);
  assert.equal(w.take(300), null);
});

test('an id asked recently is not asked again until retryMs', () => {
  const w = new WhoBatcher({ intervalMs: 0, retryMs: 1000 });
  w.want(7, 0);
  w.take(0);
  w.want(7, 500);
  assert.equal(w.take(500), null);
  w.want(7, 1500);
  assert.deepEqual(w.take(1500), [7]);
});

test('resolved and reset forget ids', () => {
  const w = new WhoBatcher({ intervalMs: 0 });
  w.want(1, 0);
  w.resolved(1);
  assert.equal(w.take(0), null);
  w.want(2, 0);
  w.take(0);
  w.reset();
  w.want(2, 1);
  assert.deepEqual(w.take(1), [2]);
});
