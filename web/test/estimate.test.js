// Live estimates are marked on the dashboards; exact counts are not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countText } from '../src/reach/estimate.js';

test('an estimate across nodes reads as one', () => {
  assert.equal(countText(1234, true), '≈ 1234');
});

test('an exact count reads as it is', () => {
  assert.equal(countText(1234, false), '1234');
  assert.equal(countText(0, false), '0');
});
