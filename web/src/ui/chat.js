/**
 * The chat panel: a log of lines and an input.
 *
 * Lines from other visitors are cleaned (ui/sanitize.js) and inserted as
 * text nodes only: a name or message containing markup shows as the
 * characters typed, never as HTML. The log keeps the last `maxLines`, and
 * is a polite live region so screen readers announce new lines.
 *
 * Each line keeps its id and author; a staff or speaker line shows its
 * badge. Another visitor's line is focusable: a click, Enter or the context
 * menu key opens the moderator's (or, for visitors, the report) menu on it
 * (`onLineMenu`). A moderator's `chat_delete` removes lines by id.
 */

import { cleanText } from './sanitize.js';
import { byId, h } from './dom.js';

class ChatPanel {
  /**
   * @param {object} deps
   * @param {import('../i18n/i18n.js').I18n} deps.i18n
   * @param {(text: string) => boolean} deps.send returns false when not connected
   * @param {number} [deps.maxLines] lines kept in the log
   * @param {(from: number) => boolean} [deps.hidden] lines from this avatar id are not shown (blocked)
   */
  constructor({ i18n, send, maxLines = 200, hidden = () => false }) {
    this.hidden = hidden;
    this.i18n = i18n;
    this.send = send;
    this.maxLines = maxLines;
    /** @type {number} this visitor's own avatar id (their lines get no menu) */
    this.selfId = -1;
    /** @type {((line: {id: string, from: number, name: string, text: string, badge: string | null}, li: HTMLElement) => void) | null} */
    this.onLineMenu = null;
    /** @type {(badge: string) => string} */
    this.badgeLabel = (badge) => this.i18n.t(`badge.${badge}`);
    this.root = byId('chat');
    this.log = byId('chat-log');
    this.input = byId('chat-input', HTMLInputElement);
    this.toggle = byId('btn-chat');
    this.maxChars = 500;
    byId('chat-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const text = cleanText(this.input.value, this.maxChars);
      if (!text) return;
      if (this.send(text)) this.input.value = '';
      else this.system(this.i18n.t('chat.notConnected'));
    });
    this.input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') this.input.blur();
    });
    this.toggle.addEventListener('click', () => this.setOpen(this.root.hidden));
    /** @type {WeakMap<Element, {key: string, vars: Record<string, unknown>}>} lines to say again in another language */
    this.notes = new WeakMap();
    i18n.onChange(() => {
      for (const li of this.log.querySelectorAll('li.system')) {
        const note = this.notes.get(li);
        if (note) li.textContent = this._say(note.key, note.vars);
      }
    });
  }

  setLimit(maxChars) {
    this.maxChars = maxChars;
    this.input.maxLength = maxChars;
  }

  setOpen(open) {
    this.root.hidden = !open;
    this.toggle.setAttribute('aria-expanded', String(open));
    if (open) this.input.focus({ preventScroll: true });
  }

  /** Lines from a `chat` message: [{id, from, name, text, t, badge}]. */
  add(messages) {
    for (const m of messages) {
      if (this.hidden(m.from)) continue;
      const name = cleanText(m.name, 32);
      const text = cleanText(m.text, this.maxChars);
      if (!text) continue;
      const badge = m.badge === 'staff' || m.badge === 'speaker' ? m.badge : null;
      const line = { id: String(m.id ?? ''), from: Number(m.from ?? -1), name, text, badge };
      const theirs = line.from !== this.selfId && line.id !== '';
      const li = h('li', {
        dataset: { from: String(m.from ?? ''), id: line.id },
        tabindex: theirs ? '0' : undefined,
        'aria-haspopup': theirs ? 'menu' : undefined,
        title: theirs ? this.i18n.t('chat.lineMenu', { name }) : undefined,
      },
      badge ? h('span', { className: `badge badge-${badge}` }, this.badgeLabel(badge)) : null,
      h('span', { className: 'who' }, `${name}:`), h('span', { className: 'text' }, text));
      if (theirs) {
        const open = () => this.onLineMenu?.(line, li);
        li.addEventListener('click', open);
        li.addEventListener('keydown', (ev) => {
          if (ev.key === 'Enter' || ev.key === ' ' || ev.key === 'ContextMenu') {
            ev.preventDefault();
            open();
          }
        });
        li.addEventListener('contextmenu', (ev) => {
          ev.preventDefault();
          open();
        });
      }
      this._append(li);
    }
  }

  /** Remove lines a moderator deleted (`chat_delete`). */
  remove(ids) {
    for (const id of ids) {
      for (const li of this.log.querySelectorAll('li[data-id]')) {
        if (li instanceof HTMLElement && li.dataset.id === String(id)) li.remove();
      }
    }
  }

  /** A line from the client itself (joined, rate limited, ...). */
  system(text) {
    this._append(h('li', { className: 'system' }, text));
  }

  /**
   * A line from the client in the visitor's language, which follows a language switch.
   * @param {string} key an i18n key
   * @param {Record<string, unknown>} [vars] placeholders; {zh, en} texts are picked at each render
   */
  note(key, vars = {}) {
    const li = h('li', { className: 'system' }, this._say(key, vars));
    this.notes.set(li, { key, vars });
    this._append(li);
  }

  /**
   * @param {string} key
   * @param {Record<string, unknown>} vars
   */
  _say(key, vars) {
    /** @type {Record<string, string>} */
    const picked = {};
    for (const [k, v] of Object.entries(vars)) picked[k] = this.i18n.pick(/** @type {any} */ (v));
    return this.i18n.t(key, picked);
  }

  _append(li) {
    const atBottom = this.log.scrollTop + this.log.clientHeight >= this.log.scrollHeight - 4;
    this.log.append(li);
    while (this.log.childElementCount > this.maxLines) this.log.firstElementChild?.remove();
    if (atBottom) this.log.scrollTop = this.log.scrollHeight;
  }
}

export { ChatPanel };
