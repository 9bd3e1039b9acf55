/**
 * The emote buttons (wave, clap, thumbs-up) and their keys (1, 2, 3): the
 * visitor's avatar makes the gesture for everyone who can see it (an `emote`
 * message, net/emote.js). The VR menu sends the same through `send`.
 *
 * The server takes one emote a second; the buttons say so (aria-disabled,
 * which keeps a keyboard user's focus where it is) for that long after
 * each, and the client does not send meanwhile, so a visitor never meets a
 * refusal. Keys typed into a field are left alone.
 */

import { isTyping } from '../controls/desktop.js';
import { EMOTE_INTERVAL_MS, EMOTES } from '../net/emote.js';
import { byId } from './dom.js';

const KEYS = Object.freeze({ Digit1: 'wave', Digit2: 'clap', Digit3: 'thumbs_up' });

class EmoteBar {
  /**
   * @param {object} deps
   * @param {(emote: string) => boolean} deps.send sends the emote; false when not connected
   * @param {Window} [deps.win] where keys are heard
   */
  constructor({ send, win = window }) {
    this.sendImpl = send;
    this.root = byId('emotes');
    this.lastAt = -Infinity;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.timer = undefined;
    /** @type {HTMLButtonElement[]} */
    this.buttons = EMOTES.map((e) => byId(`emote-${e}`, HTMLButtonElement));
    this.buttons.forEach((b, i) => b.addEventListener('click', () => this.send(EMOTES[i])));
    win.addEventListener('keydown', (ev) => {
      const emote = KEYS[/** @type {keyof typeof KEYS} */ (ev.code)];
      if (!emote || ev.repeat || ev.ctrlKey || ev.metaKey || ev.altKey || isTyping(ev.target)) return;
      if (this.root.closest('[hidden]')) return; // not in the hall
      this.send(emote);
    });
  }

  /**
   * Make the gesture now, unless one was made less than a second ago.
   * @param {string} emote
   * @returns {boolean} whether it went out
   */
  send(emote) {
    const now = performance.now();
    if (now - this.lastAt < EMOTE_INTERVAL_MS) return false;
    if (!this.sendImpl(emote)) return false;
    this.lastAt = now;
    for (const b of this.buttons) b.setAttribute('aria-disabled', 'true');
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      for (const b of this.buttons) b.removeAttribute('aria-disabled');
    }, EMOTE_INTERVAL_MS);
    return true;
  }
}

export { EmoteBar };
