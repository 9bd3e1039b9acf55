/**
 * The voice bar, always on screen while the visitor is in the hall: the
 * microphone indicator (off / asking / ready / talking / voice off here),
 * the open-mic toggle, a "Hold to talk" button (a phone's push-to-talk;
 * also works with a mouse), the People button, and one line that says what
 * the visitor must know (the browser's prompt, a refusal, a quiet place).
 *
 * Built from data with ui/dom.js (no HTML parsing); the words are i18n keys.
 */

import { h } from '../ui/dom.js';

/**
 * @typedef {object} BarHooks
 * @property {(on: boolean) => void} setOpen the open-mic toggle
 * @property {(down: boolean) => void} hold the hold-to-talk button went down / up
 * @property {() => void} people open or close the People panel
 */

/**
 * @typedef {object} BarView what the bar shows
 * @property {import('./ptt.js').Indicator} indicator
 * @property {boolean} open the open mic is on
 * @property {string | null} message an i18n key of what the visitor must know, or null
 * @property {Record<string, string | number>} [vars] the message's placeholders
 * @property {string | null} [reason] a detail appended to the message (a browser's error)
 */

class VoiceBar {
  /**
   * @param {object} deps
   * @param {import('../i18n/i18n.js').I18n} deps.i18n
   * @param {HTMLElement} deps.parent where the bar goes (the HUD's dock; first in it)
   * @param {BarHooks} deps.hooks
   */
  constructor({ i18n, parent, hooks }) {
    this.i18n = i18n;
    this.hooks = hooks;
    this.indicatorText = h('span', { className: 'voice-mic-text' });
    this.indicator = h('span', {
      id: 'voice-mic', className: 'voice-mic', role: 'status', 'aria-live': 'polite',
      dataset: { state: 'off' },
    }, h('span', { className: 'voice-mic-dot', 'aria-hidden': 'true' }), this.indicatorText);
    this.openButton = h('button', {
      type: 'button', id: 'voice-open', 'aria-pressed': 'false',
      onclick: () => this.hooks.setOpen(this.openButton.getAttribute('aria-pressed') !== 'true'),
    });
    this.holdButton = h('button', { type: 'button', id: 'voice-hold', className: 'voice-hold' });
    this.peopleButton = h('button', {
      type: 'button', id: 'voice-people-btn', 'aria-controls': 'voice-people', 'aria-expanded': 'false',
      onclick: () => this.hooks.people(),
    });
    this.message = h('p', { id: 'voice-msg', className: 'voice-msg', role: 'alert', hidden: true });
    this.root = h('section', { id: 'voice-bar', className: 'voice-bar card' },
      this.indicator, this.holdButton, this.openButton, this.peopleButton, this.message);
    const down = (/** @type {PointerEvent} */ ev) => {
      ev.preventDefault();
      this.holdButton.setPointerCapture?.(ev.pointerId);
      this.holdButton.classList.add('held');
      this.hooks.hold(true);
    };
    const up = () => {
      if (!this.holdButton.classList.contains('held')) return;
      this.holdButton.classList.remove('held');
      this.hooks.hold(false);
    };
    this.holdButton.addEventListener('pointerdown', down);
    this.holdButton.addEventListener('pointerup', up);
    this.holdButton.addEventListener('pointercancel', up);
    this.holdButton.addEventListener('lostpointercapture', up);
    // A keyboard user holds Space or Enter on the focused button.
    this.holdButton.addEventListener('keydown', (ev) => {
      if ((ev.key === ' ' || ev.key === 'Enter') && !ev.repeat) {
        ev.preventDefault();
        this.holdButton.classList.add('held');
        this.hooks.hold(true);
      }
    });
    this.holdButton.addEventListener('keyup', (ev) => {
      if (ev.key === ' ' || ev.key === 'Enter') up();
    });
    this.holdButton.addEventListener('contextmenu', (ev) => ev.preventDefault());
    parent.prepend(this.root);
    /** @type {BarView} */
    this.view = { indicator: 'off', open: false, message: null };
    this.painted = '';
  }

  /** @param {BarView} view */
  show(view) {
    this.view = view;
    const key = JSON.stringify([view, this.i18n.lang]);
    if (key === this.painted) return;
    this.painted = key;
    const t = (/** @type {string} */ k, /** @type {Record<string, string | number>} */ vars = {}) => this.i18n.t(k, vars);
    this.indicator.dataset.state = view.indicator;
    this.indicator.setAttribute('aria-label', t('voice.mic.label'));
    this.indicatorText.textContent = t(`voice.mic.${view.indicator}`);
    this.openButton.setAttribute('aria-pressed', String(view.open));
    this.openButton.textContent = t(view.open ? 'voice.openMic.off' : 'voice.openMic');
    this.holdButton.textContent = t('voice.hold');
    this.holdButton.title = t('voice.hint');
    this.peopleButton.textContent = t('voice.people');
    this.message.hidden = !view.message;
    this.message.textContent = view.message
      ? t(view.message, { reason: view.reason ?? '', ...view.vars }) : '';
  }

  /** @param {boolean} open the People panel is open */
  setPeopleOpen(open) {
    this.peopleButton.setAttribute('aria-expanded', String(open));
  }
}

export { VoiceBar };
