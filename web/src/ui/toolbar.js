/**
 * The HUD's top bar on any screen: whatever toolbar buttons do not fit go
 * into a "More" menu, so nothing is ever off-screen (a 360 px phone shows
 * a few buttons and the menu; a desktop shows them all). The bar is opaque
 * and the 3D view starts below it, so it never covers what the visitor
 * looks at (an info wall's headline seen up close).
 *
 * Any button in the toolbar takes part, including ones other modules add
 * later (a MutationObserver notices them): the layout puts every item back
 * in its own order, then moves items from the end into the menu until the
 * bar fits. Buttons are moved, not copied, so their listeners and states
 * stay theirs. The menu is a disclosure (a button with aria-expanded and a
 * list), closed by Escape, a click outside, or a choice made in it.
 */

import { byId, focusedElement } from './dom.js';

class Toolbar {
  /**
   * @param {object} [deps]
   * @param {Window} [deps.win]
   */
  constructor({ win = window } = {}) {
    this.win = win;
    this.bar = byId('topbar');
    this.nav = byId('toolbar');
    this.more = byId('toolbar-more');
    this.moreButton = byId('btn-more', HTMLButtonElement);
    this.menu = byId('toolbar-menu');
    /** @type {Map<Element, number>} each toolbar item's place in the bar's own order */
    this.order = new Map();
    this.laying = false;
    this.moreButton.addEventListener('click', () => this.setOpen(this.menu.hidden === true));
    this.menu.addEventListener('click', (ev) => {
      if (ev.target instanceof Element && ev.target.closest('button')) this.setOpen(false, false);
    });
    this.menu.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.stopPropagation();
        this.setOpen(false);
      }
    });
    win.document.addEventListener('pointerdown', (ev) => {
      if (!this.menu.hidden && ev.target instanceof Node && !this.more.contains(ev.target)) this.setOpen(false, false);
    });
    const relayout = () => this.layout();
    // The bar keeps its width when its texts grow (the people count, a longer status in
    // another language): watch what is in it too.
    const resized = new ResizeObserver(relayout);
    for (const el of [this.bar, ...this.bar.children]) resized.observe(el);
    win.addEventListener('resize', relayout);
    // Buttons added (or shown, hidden) later by other modules take part too.
    new MutationObserver(() => { if (!this.laying) this.layout(); })
      .observe(this.nav, { childList: true, subtree: true, attributes: true, attributeFilter: ['hidden', 'class'] });
    this.layout();
  }

  /** The toolbar's items (everything in the bar or the menu but the More control itself). */
  items() {
    const all = [...this.nav.children, ...this.menu.children].filter((el) => el !== this.more);
    for (const el of all) if (!this.order.has(el)) this.order.set(el, this.order.size);
    return all.sort((a, b) => (this.order.get(a) ?? 0) - (this.order.get(b) ?? 0));
  }

  /** Put every item that fits in the bar, the rest in the menu (in their order). */
  layout() {
    this.laying = true;
    try {
      const items = this.items();
      for (const el of items) this.nav.insertBefore(el, this.more);
      this.more.hidden = true;
      if (!this.fits()) {
        this.more.hidden = false;
        const shown = items.filter((el) => !(el instanceof HTMLElement && el.hidden));
        for (let i = shown.length - 1; i >= 0 && !this.fits(); i--) this.menu.prepend(shown[i]);
      }
      if (!this.menu.children.length) {
        this.more.hidden = true;
        this.menu.hidden = true;
        this.moreButton.setAttribute('aria-expanded', 'false');
      }
      this.win.document.documentElement.style.setProperty('--topbar-height', `${this.bar.offsetHeight}px`);
    } finally {
      // Mutations made here are delivered after this returns: ignore them.
      queueMicrotask(() => { this.laying = false; });
    }
  }

  /** Whether the bar shows everything in it within the window. */
  fits() {
    const right = this.bar.getBoundingClientRect().right;
    return this.bar.scrollWidth <= this.bar.clientWidth + 0.5 && right <= this.win.innerWidth + 0.5;
  }

  /**
   * Open or close the More menu.
   * @param {boolean} open
   * @param {boolean} [moveFocus=true] open: focus the first item; close: focus the More button
   */
  setOpen(open, moveFocus = true) {
    if (!open && this.menu.hidden) return;
    this.menu.hidden = !open;
    this.moreButton.setAttribute('aria-expanded', String(open));
    const first = this.menu.querySelector('button:not([disabled])');
    if (open && moveFocus && first instanceof HTMLElement) first.focus({ preventScroll: true });
    else if (!open && moveFocus && this.menu.contains(focusedElement())) this.moreButton.focus({ preventScroll: true });
  }
}

export { Toolbar };
