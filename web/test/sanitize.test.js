// Chat and name text: no control or bidi characters, bounded length, and textContent only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanText, nameProblem } from '../src/ui/sanitize.js';

test('control and bidi-override characters are removed, whitespace collapsed', () => {
  assert.equal(cleanText('a\u202Eb\u0007c\n\n d\u2066'), 'abc d');
  assert.equal(cleanText('  你好\t世界  '), '你好 世界');
});

test('HTML stays text (the DOM never parses it)', () => {
  assert.equal(cleanText('<img src=x onerror=alert(1)>'), '<img src=x onerror=alert(1)>');
});

test('length is cut by code point, never inside a surrogate pair', () => {
  assert.equal(cleanText('😀😀😀', 2), '😀😀');
  assert.equal(cleanText('abc', 5), 'abc');
});

test('names: required, at most 32 code points, no controls', () => {
  assert.equal(nameProblem('  '), 'lobby.nameRequired');
  assert.equal(nameProblem('x'.repeat(33)), 'lobby.nameTooLong');
  assert.equal(nameProblem('😀'.repeat(32)), null);
  assert.equal(nameProblem('a\u202Eb'), 'lobby.nameBadChars');
  assert.equal(nameProblem('小杭'), null);
});

test('no client module injects HTML (innerHTML / outerHTML / insertAdjacentHTML / document.write)', () => {
  const src = fileURLToPath(new URL('../src/', import.meta.url));
  const files = [];
  const walk = (d) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.js')) files.push(p);
    }
  };
  walk(src);
  assert.ok(files.length > 10);
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    assert.doesNotMatch(text, /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write\(/, f);
  }
});
