/**
 * The buttons of a panel painted on a canvas (the forum's VR panel): where
 * each is, and which one a point of the panel (a ray's hit, in UV units) is
 * on. Pure; unit-tested in test/vrbuttons.test.js.
 */

/**
 * @typedef {object} PanelButton
 * @property {string} id what it does
 * @property {string} label
 * @property {number} x left (px)
 * @property {number} y top (px)
 * @property {number} w
 * @property {number} h
 * @property {boolean} [primary]
 */

/**
 * Lay buttons out in rows from (x0, y0) within `width`, `h` px high, `gap` px apart.
 * @param {{id: string, label: string, w: number, primary?: boolean}[]} specs widths in px
 * @param {{x0: number, y0: number, width: number, h: number, gap: number}} box
 * @returns {PanelButton[]}
 */
function layoutButtons(specs, { x0, y0, width, h, gap }) {
  /** @type {PanelButton[]} */
  const out = [];
  let x = x0;
  let y = y0;
  for (const s of specs) {
    const w = Math.min(s.w, width);
    if (x > x0 && x + w > x0 + width) {
      x = x0;
      y += h + gap;
    }
    out.push({ id: s.id, label: s.label, x, y, w, h, primary: s.primary });
    x += w + gap;
  }
  return out;
}

/**
 * The button under a UV point (three.js PlaneGeometry UVs: v grows upwards).
 * @param {PanelButton[]} buttons
 * @param {number} u
 * @param {number} v
 * @param {number} width canvas px
 * @param {number} height canvas px
 * @returns {PanelButton | null}
 */
function buttonAt(buttons, u, v, width, height) {
  const x = u * width;
  const y = (1 - v) * height;
  return buttons.find((b) => x >= b.x && x <= b.x + b.w && y >= b.y && y <= b.y + b.h) ?? null;
}

export { buttonAt, layoutButtons };
