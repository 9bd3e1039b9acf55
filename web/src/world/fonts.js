/**
 * The fonts of the client: Noto Sans SC and Noto Color Emoji, bundled from
 * @fontsource (OFL), so Chinese and emoji render the same offline on any
 * device, including headsets without CJK or emoji system fonts.
 *
 * The @font-face rules come with the bundled CSS (split by unicode-range, so
 * a page only downloads the glyph ranges it uses). Canvas text does not
 * trigger those downloads by itself, hence `ensureFont(text)` before
 * painting signs, name tags or the VR panel.
 */

const FONT_FAMILY = '"Noto Sans SC", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", '
  + '"Noto Color Emoji", "Apple Color Emoji", "Segoe UI Emoji", sans-serif';
const EMOJI = /\p{Extended_Pictographic}/u;

/** A canvas `font` string. */
function font(size, weight = 400) {
  return `${weight} ${Math.round(size)}px ${FONT_FAMILY}`;
}

/**
 * Load the glyph ranges `text` needs in the given weights; resolves when ready
 * (or at once where the Font Loading API is missing; errors are swallowed:
 * the fallback fonts still draw something).
 */
async function ensureFont(text, weights = [400, 700], fonts = globalThis.document?.fonts) {
  if (!fonts?.load) return;
  const sample = text || '展';
  try {
    const loads = weights.map((w) => fonts.load(`${w} 32px "Noto Sans SC"`, sample));
    if (EMOJI.test(sample)) loads.push(fonts.load('32px "Noto Color Emoji"', sample));
    await Promise.all(loads);
  } catch {
    // Offline without the files: canvas falls back to the next family.
  }
}

export { ensureFont, font, FONT_FAMILY };
