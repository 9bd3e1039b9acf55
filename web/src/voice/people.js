/**
 * "People nearby": each person within the voice radius, nearest first, with
 * their menu: mute (for this visitor only), volume, block. A speaking person
 * is marked. Names are other visitors' text: shown as text, never HTML.
 *
 * Repainted a few times a second while open (not every frame); a row keeps
 * its controls between repaints so a slider being dragged is not rebuilt.
 */

import { clear, h } from '../ui/dom.js';
import { MAX_VOLUME } from './hearing.js';

/**
 * @typedef {object} Person one row of the panel
 * @property {number} id
 * @property {string} name
 * @property {number} distance metres
 * @property {boolean} speaking
 * @property {boolean} muted
 * @property {boolean} blocked
 * @property {number} volume 0–2
 */

/**
 * @typedef {object} PeopleHooks
 * @property {(id: number, muted: boolean) => void} mute
 * @property {(id: number, volume: number) => void} volume
 * @property {(id: number, blocked: boolean) => void} block
 * @property {() => void} close
 */

class PeoplePanel {
  /**
   * @param {object} deps
   * @param {import('../i18n/i18n.js').I18n} deps.i18n
   * @param {PeopleHooks} deps.hooks
   */
  constructor({ i18n, hooks }) {
    this.i18n = i18n;
    this.hooks = hooks;
    this.list = h('ul', { className: 'voice-people-list' });
    this.empty = h('p', { className: 'voice-people-empty' });
    this.title = h('h2', { id: 'voice-people-title' });
    this.closeButton = h('button', { type: 'button', className: 'close', onclick: () => this.hooks.close() }, '×');
    this.root = h('section', {
      id: 'voice-people', className: 'voice-people card', role: 'dialog', 'aria-modal': 'false',
      'aria-labelledby': 'voice-people-title', hidden: true,
    }, this.closeButton, this.title, this.empty, this.list);
    this.root.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') this.hooks.close();
    });
    document.body.append(this.root);
    /** @type {Map<number, {li: HTMLElement, name: HTMLElement, meta: HTMLElement, mute: HTMLButtonElement,
     *   volume: HTMLInputElement, block: HTMLButtonElement}>} */
    this.rows = new Map();
  }

  get isOpen() {
    return !this.root.hidden;
  }

  /** @param {boolean} open */
  setOpen(open) {
    this.root.hidden = !open;
    if (open) this.closeButton.focus({ preventScroll: true });
  }

  /** @param {Person[]} people nearest first */
  show(people) {
    const t = (/** @type {string} */ k, /** @type {Record<string, string | number>} */ v = {}) => this.i18n.t(k, v);
    this.title.textContent = t('voice.people');
    this.closeButton.setAttribute('aria-label', t('voice.people.close'));
    this.empty.textContent = t('voice.people.none');
    this.empty.hidden = people.length > 0;
    const seen = new Set();
    for (const p of people) {
      seen.add(p.id);
      const row = this.rows.get(p.id) ?? this._row(p.id);
      row.name.textContent = p.name || `#${p.id & 0xffff}`;
      row.meta.textContent = [
        t('voice.people.distance', { metres: Math.round(p.distance) }),
        p.speaking ? t('voice.people.speaking') : '',
        p.blocked ? t('voice.people.blocked') : '',
      ].filter(Boolean).join(' · ');
      row.li.dataset.speaking = String(p.speaking);
      row.mute.textContent = t(p.muted ? 'voice.people.unmute' : 'voice.people.mute');
      row.mute.setAttribute('aria-pressed', String(p.muted));
      row.mute.disabled = p.blocked;
      row.volume.setAttribute('aria-label', t('voice.people.volume', { name: row.name.textContent }));
      if (document.activeElement !== row.volume) row.volume.value = String(Math.round(p.volume * 100));
      row.volume.disabled = p.blocked || p.muted;
      row.block.textContent = t(p.blocked ? 'voice.people.unblock' : 'voice.people.block');
      row.block.setAttribute('aria-pressed', String(p.blocked));
      this.list.append(row.li); // in the order given (nearest first)
    }
    for (const [id, row] of this.rows) {
      if (!seen.has(id)) {
        row.li.remove();
        this.rows.delete(id);
      }
    }
    if (!people.length) clear(this.list);
  }

  /** @param {number} id */
  _row(id) {
    const name = h('span', { className: 'voice-person-name' });
    const meta = h('span', { className: 'voice-person-meta' });
    const mute = /** @type {HTMLButtonElement} */ (h('button', {
      type: 'button', className: 'voice-mute',
      onclick: () => this.hooks.mute(id, mute.getAttribute('aria-pressed') !== 'true'),
    }));
    const volume = /** @type {HTMLInputElement} */ (h('input', {
      type: 'range', min: '0', max: String(MAX_VOLUME * 100), step: '5', className: 'voice-volume',
      oninput: () => this.hooks.volume(id, Number(volume.value) / 100),
    }));
    const block = /** @type {HTMLButtonElement} */ (h('button', {
      type: 'button', className: 'voice-block',
      onclick: () => this.hooks.block(id, block.getAttribute('aria-pressed') !== 'true'),
    }));
    const li = h('li', { className: 'voice-person', dataset: { id: String(id) } },
      h('span', { className: 'voice-person-dot', 'aria-hidden': 'true' }), name, meta, mute, volume, block);
    const row = { li, name, meta, mute, volume, block };
    this.rows.set(id, row);
    return row;
  }
}

export { PeoplePanel };
