// The replay's slide timeline (src/forum/timeline.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clock, slideAt } from '../src/forum/timeline.js';

const timeline = [
  { at_ms: 0, deck: 'd', page: 1, url: '/1.jpg' },
  { at_ms: 12000, deck: 'd', page: 2, url: '/2.jpg' },
  { at_ms: 12000, deck: 'd', page: 3, url: '/3.jpg' },
  { at_ms: 45500, deck: 'd', page: 2, url: '/2.jpg' },
];

test('the slide at a moment is the last one turned to by then', () => {
  assert.equal(slideAt(timeline, 0)?.page, 1);
  assert.equal(slideAt(timeline, 11999)?.page, 1);
  // Two turns at the same moment: the later one is what stayed on the screen.
  assert.equal(slideAt(timeline, 12000)?.page, 3);
  assert.equal(slideAt(timeline, 45499)?.page, 3);
  assert.equal(slideAt(timeline, 3600000)?.page, 2);
  assert.equal(slideAt([], 5), null);
  assert.equal(slideAt([{ at_ms: 500, deck: 'd', page: 4, url: null }], 0)?.page, 4);
});

test('clock labels', () => {
  assert.equal(clock(0), '0:00');
  assert.equal(clock(61999), '1:01');
  assert.equal(clock(3723000), '1:02:03');
});
