// Remembered choices: round trip, defaults, and tolerance of bad storage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPrefs, loadPrefs, PREFS_KEY, savePrefs } from '../src/app/prefs.js';

class MemoryStorage {
  constructor() { this.map = new Map(); }
  getItem(k) { return this.map.has(k) ? this.map.get(k) : null; }
  setItem(k, v) { this.map.set(k, String(v)); }
}

test('defaults follow the browser language and reduced-motion preference', () => {
  assert.equal(defaultPrefs({ languages: ['en-GB'] }).lang, 'en');
  assert.equal(defaultPrefs({ languages: ['zh-CN', 'en'] }).lang, 'zh');
  assert.equal(defaultPrefs({ reducedMotion: true }).reducedMotion, true);
});

test('save then load round-trips every field', () => {
  const s = new MemoryStorage();
  const p = { ...defaultPrefs(), name: '小杭', avatar: 'celadon', lang: 'en', reducedMotion: true,
    snapTurnDeg: 30, teleportOnly: true, textSize: 'large', mouseSensitivity: 1.5 };
  assert.equal(savePrefs(s, p), true);
  assert.deepEqual(loadPrefs(s), p);
});

test('junk in storage falls back to defaults field by field', () => {
  const s = new MemoryStorage();
  s.setItem(PREFS_KEY, '{not json');
  assert.deepEqual(loadPrefs(s), defaultPrefs());
  s.setItem(PREFS_KEY, JSON.stringify({ lang: 'fr', snapTurnDeg: 7, avatar: '../x', name: 'ok' }));
  const p = loadPrefs(s);
  assert.equal(p.lang, defaultPrefs().lang);
  assert.equal(p.snapTurnDeg, 45);
  assert.equal(p.avatar, '');
  assert.equal(p.name, 'ok');
});

test('a storage that throws is survived', () => {
  const bad = { getItem() { throw new Error('denied'); }, setItem() { throw new Error('quota'); } };
  assert.deepEqual(loadPrefs(bad), defaultPrefs());
  assert.equal(savePrefs(bad, defaultPrefs()), false);
});
