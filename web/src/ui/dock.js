/**
 * The HUD's bottom dock (the voice bar and the emote buttons, side by side or
 * wrapped): it publishes its height as the CSS variable `--dock-top` (its top
 * edge, measured from the bottom of the window), so the chat, the minimap
 * and notices sit above it instead of under it on any screen. Only this
 * module writes that variable.
 */

class Dock {
  /**
   * @param {object} deps
   * @param {HTMLElement} deps.root the dock
   * @param {Window} [deps.win]
   */
  constructor({ root, win = window }) {
    this.root = root;
    this.win = win;
    /** @type {string | null} the value last written */
    this.top = null;
    const measure = () => this.measure();
    // Its size follows what is in it (a voice message, the other language's words); the
    // window's size moves it.
    new ResizeObserver(measure).observe(root);
    win.addEventListener('resize', measure);
    this.measure();
  }

  /** Writes where the dock's top edge is, from the bottom of the HUD it is placed in; nothing
   * while the HUD is hidden (no layout) or when it has not moved. */
  measure() {
    const box = this.root.getBoundingClientRect();
    if (box.height === 0) return;
    const bottom = this.root.offsetParent?.getBoundingClientRect().bottom ?? this.win.innerHeight;
    const top = `${Math.ceil(bottom - box.top)}px`;
    if (top === this.top) return;
    this.top = top;
    this.win.document.documentElement.style.setProperty('--dock-top', top);
  }
}

export { Dock };
