// A zone's name on the minimap stays inside its zone: one line if it fits, else two.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelLines } from '../src/ui/maplabel.js';

const width = (s) => s.length * 5; // 5 px a character

test('a name that fits stays on one line', () => {
  assert.deepEqual(labelLines('Meta-City', width, 60), ['Meta-City']);
});

test('a long English name breaks at the space nearest its middle', () => {
  assert.deepEqual(labelLines('Meta-Culture & Tourism', width, 60), ['Meta-Culture', '& Tourism']);
  assert.deepEqual(labelLines('Core Tech & Devices', width, 60), ['Core Tech', '& Devices']);
});

test('a long Chinese name breaks in the middle', () => {
  assert.deepEqual(labelLines('元宇宙文旅展区', width, 20), ['元宇宙文', '旅展区']);
});

test('a name without a space breaks after its hyphen, and a plain word stays whole', () => {
  assert.deepEqual(labelLines('Meta-Retail', width, 40), ['Meta-', 'Retail']);
  assert.deepEqual(labelLines('Manufacturing', width, 40), ['Manufacturing']);
});

test('a single character is never split', () => {
  assert.deepEqual(labelLines('馆', width, 1), ['馆']);
});
