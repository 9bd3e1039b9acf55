// Booth search: Chinese substrings, English words in any order, tags and zones in both languages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boothIndex, searchBooths } from '../src/ui/search.js';

const catalog = /** @type {any} */ ({
  tags: { 'digital-twin': { zh: '数字孪生', en: 'Digital twin' }, ar: { zh: '增强现实', en: 'AR' } },
  zones: [{ id: 'retail', title: { zh: '元零售', en: 'Meta-Retail' } }, { id: 'culture', title: { zh: '元文旅', en: 'Meta-Culture' } }],
  booths: [
    { id: 'retail-01', zone: 'retail', exhibitor: { name: { zh: '钱塘镜界元宇宙商城', en: 'Qiantang Jingjie Metaverse Mall' }, tags: ['digital-twin'] } },
    { id: 'retail-02', zone: 'retail', exhibitor: { name: { zh: '西湖试衣间', en: 'West Lake Fitting Room' }, tags: ['ar'] } },
    { id: 'culture-01', zone: 'culture', exhibitor: { name: { zh: '良渚数字博物馆', en: 'Liangzhu Digital Museum' }, tags: ['ar', 'digital-twin'] } },
  ],
});
const index = boothIndex(catalog);

test('a Chinese substring of a name finds its booth', () => {
  assert.deepEqual(searchBooths(index, '镜界'), ['retail-01']);
  assert.deepEqual(searchBooths(index, '良渚数字'), ['culture-01']);
});

test('English words match in any order and any case', () => {
  assert.deepEqual(searchBooths(index, 'mall metaverse'), ['retail-01']);
  assert.deepEqual(searchBooths(index, '  WEST   lake '), ['retail-02']);
  assert.deepEqual(searchBooths(index, 'lake mall'), []);
});

test('tags and zones are found by their label in either language and by their id', () => {
  assert.deepEqual(searchBooths(index, '数字孪生'), ['retail-01', 'culture-01']);
  assert.deepEqual(searchBooths(index, 'digital twin'), ['retail-01', 'culture-01']);
  assert.deepEqual(searchBooths(index, '元零售'), ['retail-01', 'retail-02']);
  assert.deepEqual(searchBooths(index, 'meta-culture'), ['culture-01']);
});

test('full-width letters fold to ASCII and an empty query lists every booth', () => {
  assert.deepEqual(searchBooths(index, 'ＡＲ'), ['retail-02', 'culture-01']);
  assert.deepEqual(searchBooths(index, ''), ['retail-01', 'retail-02', 'culture-01']);
});
