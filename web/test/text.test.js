// Line breaking for Chinese and English canvas text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitText, tokens, wrapLines } from '../src/world/text.js';

const count = (s) => Array.from(s).length;

test('Chinese breaks between characters, punctuation stays with the character before', () => {
  assert.deepEqual(tokens('你好，世界'), ['你', '好，', '世', '界']);
  assert.deepEqual(wrapLines('一二三四五六七', 3, count), ['一二三', '四五六', '七']);
  assert.deepEqual(wrapLines('一二，三四', 3, count), ['一二，', '三四']);
});

test('English breaks between words; a long word gets its own line', () => {
  assert.deepEqual(wrapLines('the quick brown fox', 10, count), ['the quick', 'brown fox']);
  assert.deepEqual(wrapLines('a extraordinarily b', 5, count), ['a', 'extraordinarily', 'b']);
});

test('mixed text wraps at either kind of boundary', () => {
  assert.deepEqual(wrapLines('AR购物 demo', 4, count), ['AR购物', 'demo']);
});

test('maxLines cuts with an ellipsis', () => {
  assert.deepEqual(wrapLines('一二三四五六七八九', 3, count, 2), ['一二三', '四五…']);
});

test('fitText picks the largest size that fits', () => {
  // A character is `size` wide; the box is 100 wide, 60 tall.
  const measureAt = (size) => (s) => count(s) * size;
  const { size, lines } = fitText('展会', 100, 60, measureAt, { maxSize: 80, maxLines: 2 });
  assert.ok(size * 2 <= 100 && size * 1.25 <= 60, `${size}`);
  assert.deepEqual(lines, ['展会']);
});
