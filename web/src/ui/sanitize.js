/**
 * Text from other visitors, made safe to show and to send.
 *
 * The DOM is protected by never using innerHTML for such text (textContent
 * only); this module handles what textContent does not: control characters
 * and bidirectional overrides (which can make a name or a chat line read
 * differently from what it is), runs of whitespace, and overlong strings
 * (cut by code point, never inside a surrogate pair). The server applies the
 * same rules to names (1–32 characters, no control or bidi-override
 * characters); checking them here gives the visitor a message before joining.
 *
 * Pure; tested in test/sanitize.test.js.
 */

// C0/C1 controls (\p{Cc}: U+0000-001F, U+007F-009F), bidi embeddings/overrides/isolates, and
// marks used to spoof direction. Text keeps its tabs and newlines until whitespace is collapsed.
const UNSAFE = /(?![\t\n])[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
const UNSAFE_ONE = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** `text` without unsafe characters, whitespace collapsed, at most `maxChars` code points. */
function cleanText(text, maxChars = 500) {
  const s = String(text ?? '').replace(UNSAFE, '').replace(/\s+/gu, ' ').trim();
  const chars = Array.from(s);
  return chars.length > maxChars ? chars.slice(0, maxChars).join('') : s;
}

/**
 * Why `name` cannot be used, as an i18n key, or null if it can.
 * @param {string} name as typed (it is trimmed first)
 */
function nameProblem(name, maxChars = 32) {
  const s = String(name ?? '').trim();
  if (!s) return 'lobby.nameRequired';
  if (Array.from(s).length > maxChars) return 'lobby.nameTooLong';
  if (UNSAFE_ONE.test(s)) return 'lobby.nameBadChars';
  return null;
}

export { cleanText, nameProblem };
