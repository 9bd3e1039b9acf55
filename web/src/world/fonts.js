/**
 * The fonts of the client: Noto Sans SC, Noto Color Emoji and the monochrome
 * Noto Emoji, bundled from @fontsource (OFL), so Chinese and emoji render the
 * same offline on any device, including headsets without CJK or emoji system
 * fonts.
 *
 * The @font-face rules come with the bundled CSS (split by unicode-range, so
 * a page only downloads the glyph ranges it uses). Canvas text does not
 * trigger those downloads by itself, hence `ensureFont(text)` before
 * painting signs, name tags or the VR panel.
 *
 * Emoji are drawn in colour where the browser can: Noto Color Emoji is a
 * COLRv1 font, which some builds (Debian's Chromium) draw as nothing. There
 * `chooseEmojiFont()` switches the page to the outline Noto Emoji: the root
 * element gets the class `mono-emoji` (styles.css puts the font first in its
 * stacks) and canvas text (`font()`) puts it first too.
 */

const TEXT_FAMILIES = '"Noto Sans SC", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei"';
const COLOUR_EMOJI = '"Noto Color Emoji"';
const MONO_EMOJI = '"Noto Emoji"';
const SYSTEM_EMOJI = '"Apple Color Emoji", "Segoe UI Emoji"';
const COLOUR_FAMILY = `${TEXT_FAMILIES}, ${COLOUR_EMOJI}, ${SYSTEM_EMOJI}, sans-serif`;
const MONO_FAMILY = `${TEXT_FAMILIES}, ${MONO_EMOJI}, ${COLOUR_EMOJI}, ${SYSTEM_EMOJI}, sans-serif`;
/** The class on the root element while emoji are drawn with the outline font. */
const MONO_CLASS = 'mono-emoji';
const EMOJI = /\p{Extended_Pictographic}/u;

/** The emoji face canvas text asks for first ('colour' until chooseEmojiFont says otherwise). */
let emojiFace = COLOUR_EMOJI;

/** The font-family list of canvas text. */
function fontFamily() {
  return emojiFace === MONO_EMOJI ? MONO_FAMILY : COLOUR_FAMILY;
}

/** A canvas `font` string. */
function font(size, weight = 400) {
  return `${weight} ${Math.round(size)}px ${fontFamily()}`;
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
    if (EMOJI.test(sample)) loads.push(fonts.load(`32px ${emojiFace}`, sample));
    await Promise.all(loads);
  } catch {
    // Offline without the files: canvas falls back to the next family.
  }
}

/**
 * Whether this browser draws emoji with the current font stack (the bundled Noto Color
 * Emoji is a COLRv1 font, which some builds draw as nothing, and a system may have no emoji
 * font): a sample is drawn on a canvas and its pixels counted.
 * @param {Document} [doc]
 * @returns {Promise<boolean>}
 */
async function emojiDraws(doc = document) {
  const sample = '👋';
  await ensureFont(sample, [400], doc.fonts);
  const canvas = doc.createElement('canvas');
  canvas.width = 40;
  canvas.height = 40;
  const g = canvas.getContext('2d', { willReadFrequently: true });
  if (!g) return false;
  g.font = `32px ${fontFamily()}`;
  g.textBaseline = 'top';
  g.fillStyle = '#000';
  g.fillText(sample, 2, 2);
  const data = g.getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked++;
  return inked > 40;
}

/**
 * Draw emoji in colour if this browser can, else with the outline Noto Emoji (the page's
 * CSS through the root class, canvas text through `font()`).
 * @param {Document} [doc]
 * @returns {Promise<'colour' | 'mono' | 'none'>} what emoji look like now ('none': not even
 *   the outline font draws, so gesture buttons should show names)
 */
async function chooseEmojiFont(doc = document) {
  setEmojiFace(COLOUR_EMOJI, doc);
  if (await emojiDraws(doc)) return 'colour';
  setEmojiFace(MONO_EMOJI, doc);
  if (await emojiDraws(doc)) return 'mono';
  setEmojiFace(COLOUR_EMOJI, doc);
  return 'none';
}

/**
 * @param {string} face
 * @param {Document} doc
 */
function setEmojiFace(face, doc) {
  emojiFace = face;
  doc.documentElement.classList.toggle(MONO_CLASS, face === MONO_EMOJI);
}

export { chooseEmojiFont, emojiDraws, ensureFont, font, fontFamily };
