/**
 * Line breaking for canvas text in Chinese and English.
 *
 * Chinese breaks between any two characters; English between words. Closing
 * punctuation never starts a line (it stays with the character before it).
 * `measure` is injected (a canvas context's measureText in the browser, a
 * character count in tests), so the module is pure. Tested in
 * test/text.test.js.
 */

// Characters after which, or before which, a line may break in CJK text.
const CJK = /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]/u;
const NO_LINE_START = /^[，。、；：？！）」』》〉】”’,.;:?!)\]]/u;

/** Split into breakable pieces: CJK characters one by one, other runs by word (with their spaces). */
function tokens(text) {
  const out = [];
  let word = '';
  for (const ch of text) {
    if (CJK.test(ch)) {
      if (word) { out.push(word); word = ''; }
      if (out.length && NO_LINE_START.test(ch)) out[out.length - 1] += ch;
      else out.push(ch);
    } else if (ch === ' ') {
      word += ch;
      out.push(word);
      word = '';
    } else {
      word += ch;
    }
  }
  if (word) out.push(word);
  return out;
}

/**
 * Greedy line breaking of `text` into lines no wider than `maxWidth`.
 * @param {string} text
 * @param {number} maxWidth
 * @param {(s: string) => number} measure width of a string
 * @param {number} [maxLines=Infinity] the last line gets an ellipsis if text remains
 * @returns {string[]}
 */
function wrapLines(text, maxWidth, measure, maxLines = Infinity) {
  const lines = [];
  let line = '';
  const pieces = tokens(String(text ?? ''));
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i];
    const candidate = line + piece;
    if (!line || measure(candidate.trimEnd()) <= maxWidth) {
      line = candidate;
      continue;
    }
    lines.push(line.trimEnd());
    line = piece.trimStart();
    if (lines.length === maxLines) {
      let last = lines[maxLines - 1];
      while (last && measure(`${last}…`) > maxWidth) last = Array.from(last).slice(0, -1).join('');
      lines[maxLines - 1] = `${last.trimEnd()}…`;
      return lines;
    }
  }
  if (line.trim()) lines.push(line.trimEnd());
  return lines;
}

/**
 * The largest font size (px, from maxSize down to minSize) at which `text`
 * fits `width` × `height` in at most `maxLines` lines.
 * @param {(size: number) => (s: string) => number} measureAt a measure for a size
 * @returns {{size: number, lines: string[]}}
 */
function fitText(text, width, height, measureAt, { maxSize = 200, minSize = 8, maxLines = 3, lineHeight = 1.25 } = {}) {
  for (let size = maxSize; size > minSize; size = Math.floor(size * 0.9)) {
    const lines = wrapLines(text, width, measureAt(size));
    if (lines.length <= maxLines && lines.length * size * lineHeight <= height) return { size, lines };
  }
  return { size: minSize, lines: wrapLines(text, width, measureAt(minSize), maxLines) };
}

export { fitText, tokens, wrapLines };
