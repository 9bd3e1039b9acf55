// Close codes map to a retry policy and a message for the visitor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closePolicy, closeStatus, retryDelay } from '../src/net/closepolicy.js';

test('fatal codes do not retry and say why', () => {
  assert.deepEqual(closePolicy(4001), { retry: 'none', status: 'status.version' });
  assert.equal(closePolicy(4040).retry, 'none');
  assert.equal(closePolicy(4000).retry, 'none');
});

test('restart, full hall and drops retry in their own way', () => {
  assert.equal(closePolicy(1012).retry, 'shutdown');
  assert.deepEqual(closePolicy(1013), { retry: 'full', status: 'status.full' });
  assert.equal(closePolicy(1006).retry, 'backoff');
  assert.equal(closePolicy(1006, false).status, 'status.unreachable');
  assert.equal(closePolicy(1006, true).status, 'status.reconnecting');
});

test('backoff grows exponentially, is capped, and jitters within ±20 %', () => {
  const mid = { random: () => 0.5 };
  assert.equal(retryDelay('backoff', 0, mid), 500);
  assert.equal(retryDelay('backoff', 1, mid), 1000);
  assert.equal(retryDelay('backoff', 3, mid), 4000);
  assert.equal(retryDelay('backoff', 50, mid), 15000);
  assert.equal(retryDelay('backoff', 0, { random: () => 0 }), 400);
  assert.equal(retryDelay('backoff', 0, { random: () => 1 }), 600);
  assert.equal(retryDelay('shutdown', 0, { ...mid, shutdownHintMs: 2000 }), 2000);
  assert.ok(retryDelay('full', 0, mid) >= 10000);
});

test('a revoked sign-in, a removal and a ban do not retry', () => {
  assert.deepEqual(closePolicy(4003), { retry: 'none', status: 'status.revoked' });
  assert.deepEqual(closePolicy(4010), { retry: 'none', status: 'status.kicked' });
  assert.deepEqual(closePolicy(4011), { retry: 'none', status: 'status.banned' });
});

test('the error before a close can say more than its code', () => {
  assert.equal(closeStatus(closePolicy(4000), 'reserved_name', false), 'status.reservedName');
  assert.equal(closeStatus(closePolicy(4000), 'bad_name', false), 'status.badJoin');
  assert.equal(closeStatus(closePolicy(4011), 'banned', true), 'status.banned', 'told why and until when');
  assert.equal(closeStatus(closePolicy(4011), 'banned', false), 'status.bannedRefused', 'a refused rejoin');
  assert.equal(closeStatus(closePolicy(4010), 'kicked', false), 'status.kickedRefused');
});
