/**
 * The visitor's choices, remembered in localStorage: name, avatar, language
 * and the comfort/access settings. Anything missing or malformed in storage
 * falls back to a default, so an old or hand-edited entry never breaks the
 * lobby. The storage is injected (tests pass a Map-like object).
 *
 * Pure apart from the injected storage; tested in test/prefs.test.js.
 */

const KEY = 'metaexpo.prefs.v1';
const SNAP_ANGLES = Object.freeze([15, 30, 45, 60, 90]);
const TEXT_SIZES = Object.freeze(['normal', 'large']);

/** @typedef {import('./types.js').Prefs} Prefs */
/** @typedef {{getItem: (key: string) => string | null, setItem: (key: string, value: string) => void}} PrefsStorage */

/**
 * Defaults; `lang` follows the browser's languages, `reducedMotion` its media query.
 * @param {{languages?: readonly string[], reducedMotion?: boolean}} [browser]
 * @returns {Prefs}
 */
function defaultPrefs({ languages = [], reducedMotion = false } = {}) {
  const zh = languages.some((l) => String(l).toLowerCase().startsWith('zh'));
  return {
    name: '',
    avatar: '',
    lang: zh || !languages.length ? 'zh' : 'en',
    reducedMotion: Boolean(reducedMotion),
    snapTurnDeg: 45,
    teleportOnly: false,
    textSize: 'normal',
    mouseSensitivity: 1,
  };
}

/**
 * @param {any} raw what storage held (anything at all)
 * @param {Prefs} defaults
 * @returns {Prefs}
 */
function sanitize(raw, defaults) {
  const p = { ...defaults };
  if (!raw || typeof raw !== 'object') return p;
  if (typeof raw.name === 'string') p.name = raw.name.slice(0, 64);
  if (typeof raw.avatar === 'string' && /^[a-z0-9-]{1,64}$/.test(raw.avatar)) p.avatar = raw.avatar;
  if (raw.lang === 'zh' || raw.lang === 'en') p.lang = raw.lang;
  if (typeof raw.reducedMotion === 'boolean') p.reducedMotion = raw.reducedMotion;
  if (SNAP_ANGLES.includes(raw.snapTurnDeg)) p.snapTurnDeg = raw.snapTurnDeg;
  if (typeof raw.teleportOnly === 'boolean') p.teleportOnly = raw.teleportOnly;
  if (TEXT_SIZES.includes(raw.textSize)) p.textSize = raw.textSize;
  if (Number.isFinite(raw.mouseSensitivity)) {
    p.mouseSensitivity = Math.min(3, Math.max(0.25, raw.mouseSensitivity));
  }
  return p;
}

/**
 * Read the prefs from `storage` (a Storage-like {getItem, setItem}).
 * @param {PrefsStorage | null} storage
 * @param {Prefs} [defaults]
 * @returns {Prefs}
 */
function loadPrefs(storage, defaults = defaultPrefs()) {
  let raw;
  try {
    raw = JSON.parse(storage?.getItem(KEY) ?? 'null');
  } catch {
    raw = null;
  }
  return sanitize(raw, defaults);
}

/**
 * Write `prefs` back; storage errors (private mode, quota) are ignored.
 * @param {PrefsStorage | null} storage
 * @param {Prefs} prefs
 * @returns {boolean} whether it was written
 */
function savePrefs(storage, prefs) {
  try {
    storage?.setItem(KEY, JSON.stringify(sanitize(prefs, defaultPrefs())));
    return true;
  } catch {
    return false;
  }
}

export { defaultPrefs, loadPrefs, savePrefs, SNAP_ANGLES, TEXT_SIZES, KEY as PREFS_KEY };
