/**
 * A non-modal panel of the forums (agenda, live session, replay): a labelled
 * dialog with a close button, Escape to close, focus back to where it came
 * from — the same manners as the booth panel and the directory (ui/).
 * Built in code (ui/dom.js `h`, text only, never HTML) and appended to the page.
 */

import { focusedElement, h } from '../ui/dom.js';

/** Stacking order of the forum panels: the one opened last is on top (below the page's popups,
 * which sit at 1000: styles.css). */
let stack = 10;
const TOP_PANEL = 999;

class ForumDialog {
  /**
   * @param {object} opts
   * @param {string} opts.id the element's id
   * @param {string} opts.titleKey i18n key of the heading
   * @param {import('../i18n/i18n.js').I18n} opts.i18n
   * @param {HTMLElement | null} [opts.toggle] the toolbar button that opens it (aria-expanded)
   * @param {string} [opts.className] extra classes
   * @param {() => void} [opts.onClose]
   */
  constructor({ id, titleKey, i18n, toggle = null, className = '', onClose = () => {} }) {
    this.i18n = i18n;
    this.toggle = toggle;
    this.onClose = onClose;
    this.title = h('h2', { id: `${id}-title`, dataset: { i18n: titleKey } }, i18n.t(titleKey));
    this.closeButton = h('button', { type: 'button', className: 'close', 'aria-label': i18n.t('forum.close') }, '×');
    this.body = h('div', { className: 'forum-body' });
    this.root = h('section', {
      id, className: `panel card forum-panel ${className}`.trim(), role: 'dialog', 'aria-modal': 'false',
      'aria-labelledby': `${id}-title`, hidden: true,
    }, this.closeButton, this.title, this.body);
    /** @type {HTMLElement | null} */
    this.returnFocus = null;
    this.closeButton.addEventListener('click', () => this.close());
    this.root.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.stopPropagation();
        this.close();
      }
    });
    i18n.onChange(() => this.closeButton.setAttribute('aria-label', i18n.t('forum.close')));
    document.body.append(this.root);
  }

  get isOpen() {
    return !this.root.hidden;
  }

  /**
   * A heading of the panel's own (a session's title): the page's language switch no longer
   * writes the generic one over it (i18n.applyTo rewrites every `data-i18n` element); the
   * panel renders its heading again in the new language itself.
   * @param {string} text
   */
  setTitle(text) {
    delete this.title.dataset.i18n;
    this.title.textContent = text;
  }

  /** @param {{focus?: boolean}} [opts] */
  open({ focus = true } = {}) {
    if (this.root.hidden) this.returnFocus = focusedElement();
    this.root.hidden = false;
    stack = Math.min(stack + 1, TOP_PANEL);
    this.root.style.zIndex = String(stack);
    this.toggle?.setAttribute('aria-expanded', 'true');
    if (focus) this.closeButton.focus({ preventScroll: true });
  }

  close() {
    if (this.root.hidden) return;
    this.root.hidden = true;
    this.toggle?.setAttribute('aria-expanded', 'false');
    const back = this.returnFocus;
    this.returnFocus = null;
    if (back && document.contains(back) && back !== document.body) back.focus({ preventScroll: true });
    this.onClose();
  }
}

/**
 * Rebuild `container`'s children with `build`, keeping the keyboard focus on the element with
 * the same `data-key` if it had it (lists re-render while a moderator works through them).
 * @param {HTMLElement} container
 * @param {() => (Node | string | null)[]} build
 */
function rebuild(container, build) {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && container.contains(active) ? active.dataset.key : undefined;
  container.replaceChildren(...build().filter((n) => n !== null));
  if (key) {
    const again = container.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (again instanceof HTMLElement) again.focus({ preventScroll: true });
  }
}

/**
 * A button with an i18n label; `key` keeps focus across re-renders.
 * @param {string} label
 * @param {() => void} onClick
 * @param {{key?: string, className?: string, disabled?: boolean, ariaLabel?: string, pressed?: boolean}} [opts]
 * @returns {HTMLButtonElement}
 */
function button(label, onClick, { key, className, disabled, ariaLabel, pressed } = {}) {
  const b = /** @type {HTMLButtonElement} */ (h('button', {
    type: 'button', className, disabled, 'aria-label': ariaLabel, dataset: key ? { key } : undefined,
    'aria-pressed': pressed === undefined ? undefined : String(pressed),
  }, label));
  b.addEventListener('click', onClick);
  return b;
}

export { button, ForumDialog, rebuild };
