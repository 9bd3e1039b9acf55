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

/**
 * Whether this browser draws colour emoji with the fonts it has (the bundled Noto Color
 * Emoji is a COLRv1 font, which some builds draw as nothing, and a system may have no emoji
 * font): a sample is drawn on a canvas and its pixels counted.
 * @param {Document} [doc]
 * @returns {Promise<boolean>}
 */
async function emojiDraws(doc = document) {
  const sample = '👋';
  await ensureFont(sample, [400]);
  const canvas = doc.createElement('canvas');
  canvas.width = 40;
  canvas.height = 40;
  const g = canvas.getContext('2d', { willReadFrequently: true });
  if (!g) return false;
  g.font = `32px ${FONT_FAMILY}`;
  g.textBaseline = 'top';
  g.fillStyle = '#000';
  g.fillText(sample, 2, 2);
  const data = g.getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked++;
  return inked > 40;
}

export { emojiDraws, ensureFont, font, FONT_FAMILY };
