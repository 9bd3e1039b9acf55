/**
 * Comfort and access settings: reduced motion, VR snap-turn angle and
 * teleport-only movement, text size, mouse sensitivity. Every change is
 * saved at once (app/prefs.js) and applied through `onApply`; text size and
 * reduced motion also set classes on <html> so the stylesheet follows.
 */

import { SNAP_ANGLES } from '../app/prefs.js';
import { byId, focusedElement, h } from './dom.js';

/** Put the prefs' page-wide effects on <html>. */
function applyPagePrefs(prefs, root = document.documentElement) {
  root.classList.toggle('reduced-motion', prefs.reducedMotion);
  root.classList.toggle('text-large', prefs.textSize === 'large');
}

class SettingsDialog {
  /**
   * @param {object} deps
   * @param {import('../i18n/i18n.js').I18n} deps.i18n
   * @param {import('../app/types.js').Prefs} deps.prefs live prefs
   * @param {(prefs: import('../app/types.js').Prefs) => void} deps.save
   * @param {(prefs: import('../app/types.js').Prefs) => void} [deps.onApply]
   */
  constructor({ i18n, prefs, save, onApply = () => {} }) {
    this.prefs = prefs;
    this.root = byId('settings');
    this.returnFocus = null;
    this.toggles = [byId('btn-settings'), byId('lobby-settings')];
    const reduced = byId('set-reduced-motion', HTMLInputElement);
    const teleport = byId('set-teleport-only', HTMLInputElement);
    const snap = byId('set-snap-turn', HTMLSelectElement);
    const size = byId('set-text-size', HTMLSelectElement);
    const mouse = byId('set-mouse', HTMLInputElement);
    for (const deg of SNAP_ANGLES) snap.append(h('option', { value: String(deg) }, i18n.t('settings.degrees', { n: deg })));
    const sync = () => {
      reduced.checked = prefs.reducedMotion;
      teleport.checked = prefs.teleportOnly;
      snap.value = String(prefs.snapTurnDeg);
      size.value = prefs.textSize;
      mouse.value = String(prefs.mouseSensitivity);
    };
    sync();
    this.root.addEventListener('change', () => {
      prefs.reducedMotion = reduced.checked;
      prefs.teleportOnly = teleport.checked;
      prefs.snapTurnDeg = Number(snap.value);
      prefs.textSize = size.value;
      prefs.mouseSensitivity = Number(mouse.value);
      save(prefs);
      applyPagePrefs(prefs);
      onApply(prefs);
    });
    for (const t of this.toggles) t.addEventListener('click', () => (this.root.hidden ? this.open(t) : this.close()));
    byId('settings-close').addEventListener('click', () => this.close());
    byId('settings-x').addEventListener('click', () => this.close());
    this.root.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') { ev.stopPropagation(); this.close(); }
    });
    this.sync = sync;
  }

  open(from = focusedElement()) {
    this.sync();
    this.returnFocus = from;
    this.root.hidden = false;
    for (const t of this.toggles) t.setAttribute('aria-expanded', 'true');
    byId('set-reduced-motion').focus({ preventScroll: true });
  }

  close() {
    if (this.root.hidden) return;
    this.root.hidden = true;
    for (const t of this.toggles) t.setAttribute('aria-expanded', 'false');
    const back = this.returnFocus;
    this.returnFocus = null;
    if (back && document.contains(back) && back !== document.body) back.focus({ preventScroll: true });
  }
}

export { applyPagePrefs, SettingsDialog };
