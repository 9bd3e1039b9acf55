/**
 * The current slide over the whole view (2D), for reading the small print:
 * opened from the live panel, follows the slides as they turn, closes with
 * Escape or its button.
 */

import { focusedElement, h } from '../ui/dom.js';

class SlideOverlay {
  /** @param {{i18n: import('../i18n/i18n.js').I18n}} deps */
  constructor({ i18n }) {
    this.i18n = i18n;
    this.img = /** @type {HTMLImageElement} */ (h('img', { alt: '' }));
    this.caption = h('p', { className: 'forum-overlay-caption' });
    this.closeButton = h('button', { type: 'button', className: 'close' }, '×');
    this.root = h('div', {
      id: 'forum-slide-overlay', className: 'forum-overlay', role: 'dialog', 'aria-modal': 'true', hidden: true,
      'aria-label': i18n.t('forum.live.enlarge'),
    }, this.closeButton, this.img, this.caption);
    /** @type {HTMLElement | null} */
    this.returnFocus = null;
    this.closeButton.addEventListener('click', () => this.close());
    this.root.addEventListener('click', (ev) => { if (ev.target === this.root) this.close(); });
    this.root.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.stopPropagation();
        this.close();
      }
    });
    document.body.append(this.root);
  }

  get isOpen() {
    return !this.root.hidden;
  }

  /** @param {import('./store.js').Slide | null} slide */
  open(slide) {
    this.returnFocus = focusedElement();
    this.root.hidden = false;
    this.show(slide);
    this.closeButton.focus({ preventScroll: true });
  }

  /** Follow the slides while open. @param {import('./store.js').Slide | null} slide */
  show(slide) {
    if (this.root.hidden) return;
    if (!slide) {
      this.close();
      return;
    }
    if (this.img.getAttribute('src') !== slide.url) this.img.src = slide.url;
    const label = this.i18n.t('forum.live.slideAlt', { page: slide.page, count: slide.count });
    this.img.alt = label;
    this.caption.textContent = label;
    this.closeButton.setAttribute('aria-label', this.i18n.t('forum.live.shrink'));
  }

  close() {
    if (this.root.hidden) return;
    this.root.hidden = true;
    const back = this.returnFocus;
    this.returnFocus = null;
    if (back && document.contains(back)) back.focus({ preventScroll: true });
  }
}

export { SlideOverlay };
