/**
 * The menu on a visitor or one of their chat lines (docs/moderation.md).
 *
 * Staff get the moderator's actions (delete the line, mute, unmute, remove,
 * ban) with an optional reason the visitor reads; everyone else gets Report
 * (the line, or the person) with a reason for the staff. Each action sends
 * one message on the sync socket (`mod.*` or `report`, docs/protocol.md);
 * the server checks the role, carries it out on every node and answers
 * `mod.done` or an `error`, which the visit turns into a chat line.
 *
 * A real menu for the keyboard and screen readers: role="menu" with
 * menuitem buttons, focus moves into it when it opens, arrow keys move
 * between items, Escape (or Cancel) closes it and gives focus back to
 * whatever opened it.
 */

import { clear, h } from './dom.js';

/**
 * @typedef {object} MenuTarget
 * @property {number} id the visitor's avatar id
 * @property {string} name
 * @property {string | null} [badge] staff, speaker
 * @property {{id: string, text: string} | null} [line] a chat line of theirs
 */

class ModMenu {
  /**
   * @param {object} deps
   * @param {import('../i18n/i18n.js').I18n} deps.i18n
   * @param {(msg: Record<string, unknown>) => boolean} deps.send false if not connected
   * @param {() => boolean} deps.moderator whether this visitor is staff (welcome.you.moderator)
   * @param {Document} [deps.doc]
   */
  constructor({ i18n, send, moderator, doc = document }) {
    this.i18n = i18n;
    this.send = send;
    this.moderator = moderator;
    this.root = doc.createElement('div');
    this.root.className = 'mod-menu card';
    this.root.id = 'mod-menu';
    this.root.setAttribute('role', 'menu');
    this.root.hidden = true;
    doc.body.append(this.root);
    /** @type {HTMLElement | null} what to give focus back to */
    this.opener = null;
    /** @type {MenuTarget | null} */
    this.target = null;
    this.root.addEventListener('keydown', (ev) => this._key(ev));
    doc.addEventListener('pointerdown', (ev) => {
      if (!this.root.hidden && ev.target instanceof Node && !this.root.contains(ev.target)) this.close();
    });
  }

  get isOpen() {
    return !this.root.hidden;
  }

  /**
   * Open the menu for `target` beside `anchor` (an element, or client coordinates).
   * @param {MenuTarget} target
   * @param {HTMLElement | {x: number, y: number}} anchor
   */
  open(target, anchor) {
    const t = (/** @type {string} */ key, /** @type {Record<string, unknown>} */ vars = {}) => this.i18n.t(key, vars);
    this.target = target;
    this.opener = anchor instanceof HTMLElement ? anchor : (document.activeElement instanceof HTMLElement ? document.activeElement : null);
    clear(this.root);
    this.root.setAttribute('aria-label', t('mod.menu', { name: target.name }));
    this.root.append(h('h2', {}, t('mod.menu', { name: target.name })));
    const staff = this.moderator();
    const reason = h('input', { type: 'text', maxLength: 300, id: 'mod-reason', autocomplete: 'off' });
    const reasonText = () => (reason instanceof HTMLInputElement ? reason.value.trim().slice(0, 300) : '');
    /** @type {Array<[string, () => Record<string, unknown>, string?]>} */
    const items = [];
    if (staff) {
      if (target.line) items.push(['mod.deleteLine', () => ({ type: 'mod.delete', ids: [target.line?.id] })]);
      if (target.badge === 'staff') {
        this.root.append(h('p', { className: 'note' }, t('mod.staffTarget')));
      } else {
        this.root.append(h('label', {}, t('mod.reason'), reason));
        items.push(
          ['mod.mute10', () => ({ type: 'mod.mute', target: target.id, minutes: 10, reason: reasonText() })],
          ['mod.mute60', () => ({ type: 'mod.mute', target: target.id, minutes: 60, reason: reasonText() })],
          ['mod.unmute', () => ({ type: 'mod.unmute', target: target.id })],
          ['mod.kick', () => ({ type: 'mod.kick', target: target.id, reason: reasonText() }), 'danger'],
          ['mod.ban', () => ({ type: 'mod.ban', target: target.id, hours: 24, reason: reasonText() }), 'danger'],
        );
      }
    } else {
      reason.setAttribute('placeholder', t('mod.defaultReason'));
      this.root.append(h('label', {}, t('mod.reportReason'), reason));
      const why = () => reasonText() || t('mod.defaultReason');
      if (target.line) {
        items.push(['mod.reportLine', () => ({ type: 'report', target: target.id, line: target.line?.id, reason: why() })]);
      }
      items.push(['mod.reportPerson', () => ({ type: 'report', target: target.id, reason: why() })]);
    }
    for (const [key, message, kind] of items) {
      this.root.append(h('button', {
        type: 'button', role: 'menuitem', className: kind ?? '', dataset: { action: key },
        onclick: () => {
          this.send(message());
          this.close();
        },
      }, t(key)));
    }
    this.root.append(h('button', {
      type: 'button', role: 'menuitem', dataset: { action: 'mod.close' }, onclick: () => this.close(),
    }, t('mod.close')));
    this.root.hidden = false;
    this._place(anchor);
    const first = this.root.querySelector(staff && target.badge !== 'staff' ? 'button' : 'input, button');
    if (first instanceof HTMLElement) first.focus();
  }

  close() {
    if (this.root.hidden) return;
    this.root.hidden = true;
    this.target = null;
    if (this.opener?.isConnected) this.opener.focus({ preventScroll: true });
    this.opener = null;
  }

  /** @param {HTMLElement | {x: number, y: number}} anchor */
  _place(anchor) {
    let x;
    let y;
    if (anchor instanceof HTMLElement) {
      const r = anchor.getBoundingClientRect();
      x = r.left;
      y = r.bottom + 4;
    } else {
      ({ x, y } = anchor);
    }
    const w = this.root.offsetWidth;
    const hgt = this.root.offsetHeight;
    this.root.style.left = `${Math.max(4, Math.min(x, window.innerWidth - w - 4))}px`;
    this.root.style.top = `${Math.max(4, Math.min(y, window.innerHeight - hgt - 4))}px`;
  }

  /** @param {KeyboardEvent} ev */
  _key(ev) {
    if (ev.key === 'Escape') {
      ev.preventDefault();
      ev.stopPropagation();
      this.close();
      return;
    }
    if (ev.key !== 'ArrowDown' && ev.key !== 'ArrowUp') return;
    const buttons = [...this.root.querySelectorAll('button')];
    if (!buttons.length) return;
    ev.preventDefault();
    const at = buttons.indexOf(/** @type {HTMLButtonElement} */ (document.activeElement));
    const step = ev.key === 'ArrowDown' ? 1 : -1;
    const next = buttons[(at + step + buttons.length) % buttons.length];
    next.focus();
  }
}

export { ModMenu };
