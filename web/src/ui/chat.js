/**
 * The chat panel: a log of lines and an input.
 *
 * Lines from other visitors are cleaned (ui/sanitize.js) and inserted as
 * text nodes only: a name or message containing markup shows as the
 * characters typed, never as HTML. The log keeps the last `maxLines`, and
 * is a polite live region so screen readers announce new lines.
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

  /** Lines from a `chat` message: [{from, name, text, t}]. */
  add(messages) {
    for (const m of messages) {
      if (this.hidden(m.from)) continue;
      const name = cleanText(m.name, 32);
      const text = cleanText(m.text, this.maxChars);
      if (!text) continue;
      this._append(h('li', { dataset: { from: String(m.from ?? '') } },
        h('span', { className: 'who' }, `${name}:`), h('span', { className: 'text' }, text)));
    }
  }

  /** A line from the client itself (joined, rate limited, ...). */
  system(text) {
    this._append(h('li', { className: 'system' }, text));
  }

  _append(li) {
    const atBottom = this.log.scrollTop + this.log.clientHeight >= this.log.scrollHeight - 4;
    this.log.append(li);
    while (this.log.childElementCount > this.maxLines) this.log.firstElementChild?.remove();
    if (atBottom) this.log.scrollTop = this.log.scrollHeight;
  }
}

export { ChatPanel };
