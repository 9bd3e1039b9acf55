/**
 * "● Live: <title>": a button under the toolbar while a session is live in the
 * visitor's hall and its panel is closed; it opens the live panel.
 */

import { h } from '../ui/dom.js';

class LivePill {
  /** @param {{onOpen: () => void}} deps */
  constructor({ onOpen }) {
    this.root = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', id: 'forum-live-pill', className: 'forum-pill', hidden: true }));
    this.root.addEventListener('click', () => onOpen());
    document.getElementById('hud')?.append(this.root);
  }

  /** @param {string | null} text null hides it */
  show(text) {
    this.root.hidden = text === null;
    if (text !== null && this.root.textContent !== text) this.root.textContent = text;
  }
}

export { LivePill };
