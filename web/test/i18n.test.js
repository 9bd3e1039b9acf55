// Every UI string exists in both languages with the same placeholders; the I18n helper works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STRINGS } from '../src/i18n/strings.js';
import { I18n } from '../src/i18n/i18n.js';

const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('every key has non-empty zh and en with the same placeholders', () => {
  const keys = Object.keys(STRINGS);
  assert.ok(keys.length > 50);
  for (const [key, entry] of Object.entries(STRINGS)) {
    assert.deepEqual(Object.keys(entry).sort(), ['en', 'zh'], key);
    assert.ok(entry.zh.trim() && entry.en.trim(), `${key} is empty`);
    assert.deepEqual(placeholders(entry.zh), placeholders(entry.en), `${key} placeholders`);
  }
});

test('Chinese strings are Chinese (except names of languages and formats)', () => {
  const exempt = new Set(['settings.degrees']);
  for (const [key, entry] of Object.entries(STRINGS)) {
    if (exempt.has(key)) continue;
    assert.match(entry.zh, /[\u4e00-\u9fff]/, `${key}: zh has no Chinese`);
  }
});

function sourceFiles(dir, ext) {
  const out = [];
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p, ext));
    else if (ext.some((e) => p.endsWith(e))) out.push(p);
  }
  return out;
}

test('every key used in the sources and index.html exists', () => {
  const web = fileURLToPath(new URL('../', import.meta.url));
  const files = [...sourceFiles(join(web, 'src'), ['.js']), join(web, 'index.html')];
  const used = new Set();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z]+\.[a-zA-Z.]+)'/g)) used.add(m[1]);
    for (const m of text.matchAll(/data-i18n(?:-aria|-title|-placeholder)?="([^"]+)"/g)) used.add(m[1]);
    for (const m of text.matchAll(/(?:i18n|Key|status|key):\s*'([a-z]+\.[a-zA-Z.]+)'/g)) used.add(m[1]);
  }
  assert.ok(used.size > 30, `${used.size} keys found`);
  for (const key of used) assert.ok(key in STRINGS, `missing string ${key}`);
});

test('t fills placeholders; pick chooses a bilingual text; set notifies', () => {
  const i = new I18n('en');
  assert.equal(i.t('hud.people', { near: 3, total: 40 }), '3 nearby · 40 in the hall');
  assert.equal(i.pick({ zh: '展', en: 'Expo' }), 'Expo');
  let heard = null;
  i.onChange((l) => { heard = l; });
  i.set('zh');
  assert.equal(heard, 'zh');
  assert.equal(i.pick({ zh: '展', en: 'Expo' }), '展');
  assert.equal(i.t('no.such.key'), 'no.such.key');
  i.set('fr');
  assert.equal(i.lang, 'zh');
});
