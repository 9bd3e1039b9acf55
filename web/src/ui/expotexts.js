/**
 * The expo's own texts from the catalog (title, subtitle, notice) in the lobby
 * and the page title, in the visitor's language.
 */

import { byId } from './dom.js';

/**
 * Show the catalog's expo texts (the catalog nests them under `expo`).
 * @param {import('../app/types.js').Catalog | null} catalog
 * @param {import('../i18n/i18n.js').I18n} i18n
 */
function showExpoTexts(catalog, i18n) {
  const expo = catalog?.expo ?? catalog;
  const title = byId('lobby-title');
  if (expo?.title) {
    delete title.dataset.i18n;
    title.textContent = i18n.pick(expo.title);
    document.title = `${i18n.pick(expo.title)} · Metaverse Zhejiang Expo`;
  }
  byId('expo-subtitle').textContent = i18n.pick(expo?.subtitle);
  byId('expo-notice').textContent = i18n.pick(expo?.notice);
}

export { showExpoTexts };
