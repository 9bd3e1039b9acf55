/**
 * How a zone's name fits on the minimap: on one line if it can, else on two,
 * broken at the space or hyphen nearest the middle (Chinese: in the middle),
 * so neighbouring zones' names never run into each other. A word with no
 * place to break stays whole (drawn a little narrower).
 */

/** Chinese, Japanese or Korean text: it breaks between any two characters. */
const CJK = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/;

/**
 * @param {string} text the zone's name
 * @param {(s: string) => number} width the drawn width of a string
 * @param {number} room the zone's width on the map
 * @returns {string[]} one or two lines
 */
function labelLines(text, width, room) {
  if (width(text) <= room || text.length < 2) return [text];
  const middle = text.length / 2;
  /** @type {[string, string] | null} */
  let best = null;
  let bestOff = Infinity;
  for (let i = 1; i < text.length; i += 1) {
    // After a hyphen (it stays on the first line), or at a space (it goes).
    const split = text[i - 1] === '-' ? [text.slice(0, i), text.slice(i)]
      : text[i] === ' ' ? [text.slice(0, i), text.slice(i + 1)] : null;
    if (split && Math.abs(i - middle) < bestOff && split[0].trim() && split[1].trim()) {
      best = [split[0].trim(), split[1].trim()];
      bestOff = Math.abs(i - middle);
    }
  }
  if (best) return best;
  if (!CJK.test(text)) return [text];
  const half = Math.ceil(middle);
  return [text.slice(0, half), text.slice(half)];
}

export { labelLines };
