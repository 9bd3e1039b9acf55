/**
 * Reach in the booth panel: tell the server when the visitor opens a booth's
 * panel or follows one of its links, and let them leave a business card, only
 * after reading a consent text that names the exhibitor and the purpose.
 *
 * The consent text comes from the server (GET /api/reach/consent/{booth}), in
 * the visitor's language, with a version that goes with the card: the server
 * keeps the card only if the visitor agreed to the words in force. The card
 * travels on the sync socket (reach.card); the answer carries a withdrawal key
 * that only this browser keeps (localStorage), so the visitor can withdraw the
 * card later, from the same panel, even after a reload. Everything the
 * visitor types goes into the page through textContent / input values only.
 *
 * The section lives inside #booth-panel (created here, before its actions);
 * ui/panel.js knows nothing of it.
 */

import { clear, h } from '../ui/dom.js';

const KEYS = 'metaexpo.cards';
/** @type {readonly string[]} */
const FIELDS = Object.freeze(['name', 'organisation', 'title', 'email', 'phone', 'message']);

/**
 * @typedef {object} Consent
 * @property {{text: string, version: string}} zh
 * @property {{text: string, version: string}} en
 */

class CardDesk {
  /**
   * @param {object} deps
   * @param {HTMLElement} deps.panel the booth panel (#booth-panel)
   * @param {import('../i18n/i18n.js').I18n} deps.i18n
   * @param {(msg: object) => boolean} deps.send a reach.* message on the sync socket; false if not joined
   * @param {(url: string) => Promise<any>} deps.fetchJson
   * @param {Storage | null} deps.storage where withdrawal keys are kept
   */
  constructor({ panel, i18n, send, fetchJson, storage }) {
    this.panel = panel;
    this.i18n = i18n;
    this.send = send;
    this.fetchJson = fetchJson;
    this.storage = storage;
    /** @type {string | null} */
    this.booth = null;
    /** @type {Map<string, Consent>} */
    this.consents = new Map();
    /** 'closed' | 'form' | 'sending' */
    this.mode = 'closed';
    this.status = '';
    /** @type {Record<string, string>} what the visitor typed, kept across re-renders */
    this.draft = {};
    /** @type {string | null} the withdrawal key sent last */
    this.pendingWithdraw = null;
    this.section = h('section', { id: 'panel-card', className: 'card-section', 'aria-live': 'polite' });
    const actions = panel.querySelector('.panel-actions');
    panel.insertBefore(this.section, actions);
    panel.addEventListener('click', (ev) => this._clicked(ev));
    i18n.onChange(() => { if (this.booth) this._render(); });
  }

  /** The panel now shows `boothId` (null: closed). An open is counted once per visit by the server. */
  panelChanged(boothId) {
    if (boothId === this.booth) return;
    this.booth = boothId;
    this.mode = 'closed';
    this.status = '';
    this.draft = {};
    if (!boothId) return;
    this.send({ type: 'reach.open', booth: boothId });
    this._render();
  }

  /** A reach.* message (or a reach_* error) from the server. */
  onMessage(msg) {
    if (msg.type === 'reach.card_kept') {
      this._keys({ ...this._keys(), [msg.booth]: msg.key });
      this.mode = 'closed';
      this.draft = {};
      this.status = 'card.kept';
    } else if (msg.type === 'reach.card_withdrawn') {
      const keys = this._keys();
      for (const [booth, key] of Object.entries(keys)) if (key === this.pendingWithdraw) delete keys[booth];
      this._keys(keys);
      this.status = 'card.withdrawn';
    } else if (msg.type === 'error') {
      this.mode = this.mode === 'sending' ? 'form' : this.mode;
      this.status = msg.message ? `!${msg.message}` : 'card.failed';
    }
    if (this.booth) this._render();
  }

  /** @param {Record<string, string>} [set] */
  _keys(set) {
    try {
      if (set) this.storage?.setItem(KEYS, JSON.stringify(set));
      const parsed = JSON.parse(this.storage?.getItem(KEYS) ?? '{}');
      return parsed && typeof parsed === 'object' ? /** @type {Record<string, string>} */ (parsed) : {};
    } catch {
      return {};
    }
  }

  /** Links of the panel (contact, the booth's own) count as link clicks of its booth. */
  _clicked(ev) {
    const link = ev.target instanceof Element ? ev.target.closest('a[href]') : null;
    if (!link || !this.booth || !(link instanceof HTMLAnchorElement)) return;
    if (/^https?:\/\//i.test(link.href)) this.send({ type: 'reach.link', booth: this.booth, url: link.href });
  }

  async _consent(booth) {
    let consent = this.consents.get(booth);
    if (!consent) {
      consent = /** @type {Consent} */ (await this.fetchJson(`/api/reach/consent/${encodeURIComponent(booth)}`));
      this.consents.set(booth, consent);
    }
    return consent;
  }

  _render() {
    const t = (/** @type {string} */ k) => this.i18n.t(k);
    const booth = this.booth;
    clear(this.section);
    if (!booth) return;
    const key = this._keys()[booth];
    this.section.append(h('h3', {}, t('card.heading')));
    if (this.status) {
      const text = this.status.startsWith('!') ? this.status.slice(1) : t(this.status);
      this.section.append(h('p', { className: 'card-status', role: 'status' }, text));
    }
    if (key && this.mode === 'closed') {
      this.section.append(
        h('p', {}, t('card.left')),
        h('button', { type: 'button', id: 'card-withdraw', className: 'secondary', onclick: () => this._withdraw(key) },
          t('card.withdraw')),
      );
      return;
    }
    if (this.mode === 'closed') {
      this.section.append(
        h('p', { className: 'meta' }, t('card.intro')),
        h('button', { type: 'button', id: 'card-open', className: 'secondary', onclick: () => this._openForm() },
          t('card.leave')),
      );
      return;
    }
    this._form(booth);
  }

  async _openForm() {
    this.mode = 'form';
    this.status = '';
    this._render();
  }

  _form(booth) {
    const t = (/** @type {string} */ k) => this.i18n.t(k);
    const lang = this.i18n.lang === 'zh' ? 'zh' : 'en';
    const consentText = h('p', { id: 'card-consent-text', className: 'consent' }, t('card.loading'));
    const agree = h('input', { type: 'checkbox', id: 'card-agree', required: true });
    const inputs = Object.fromEntries(FIELDS.map((f) => {
      const props = {
        id: `card-${f}`,
        name: f,
        value: this.draft[f] ?? '',
        autocomplete: { name: 'name', organisation: 'organization', title: 'organization-title', email: 'email', phone: 'tel' }[f] ?? 'off',
        oninput: (/** @type {Event} */ ev) => { this.draft[f] = /** @type {HTMLInputElement} */ (ev.target).value; },
      };
      if (f === 'message') return [f, h('textarea', { ...props, rows: 3, maxLength: 1000 })];
      return [f, h('input', { ...props, type: f === 'email' ? 'email' : f === 'phone' ? 'tel' : 'text', required: f === 'name' })];
    }));
    const send = h('button', { type: 'submit', id: 'card-send', className: 'primary', disabled: true }, t('card.send'));
    const form = h('form', { id: 'card-form', className: 'card-form', novalidate: true },
      consentText,
      h('div', { className: 'field check' }, agree, h('label', { htmlFor: 'card-agree' }, t('card.agree'))),
      ...FIELDS.map((f) => h('div', { className: 'field' }, h('label', { htmlFor: `card-${f}` }, t(`card.${f}`)), inputs[f])),
      h('p', { className: 'meta' }, t('card.needed')),
      h('p', { className: 'panel-actions' }, send,
        h('button', { type: 'button', className: 'secondary', onclick: () => { this.mode = 'closed'; this._render(); } },
          t('card.cancel'))),
    );
    this.section.append(form);
    let version = '';
    this._consent(booth).then((consent) => {
      if (this.booth !== booth) return;
      consentText.textContent = consent[lang].text;
      version = consent[lang].version;
      send.disabled = this.mode === 'sending';
    }).catch(() => { consentText.textContent = t('card.failed'); });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (!/** @type {HTMLInputElement} */ (agree).checked) {
        this.status = 'card.mustAgree';
        this._render();
        return;
      }
      const card = Object.fromEntries(FIELDS.map((f) => [f, (this.draft[f] ?? '').trim()]));
      if (!card.name || (!card.email && !card.phone)) {
        this.status = 'card.needed';
        this._render();
        return;
      }
      if (!version || !this.send({ type: 'reach.card', booth, lang, consent: version, card })) {
        this.status = 'card.failed';
        this._render();
        return;
      }
      this.mode = 'sending';
      this.status = 'card.sending';
      this._render();
    });
  }

  /** Withdraw on the socket, or over HTTP when not in the hall (the key is all it takes). */
  _withdraw(key) {
    this.pendingWithdraw = key;
    if (this.send({ type: 'reach.withdraw', key })) return;
    fetch('/api/reach/cards/withdraw', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ key }),
    }).then((res) => {
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      this.onMessage({ type: 'reach.card_withdrawn' });
    }).catch(() => {
      this.status = 'card.failed';
      if (this.booth) this._render();
    });
  }
}

export { CardDesk };
