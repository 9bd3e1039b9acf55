/**
 * The on-screen joystick for phones and tablets (bottom left): push the
 * knob to walk, further to walk faster. Looking around and tapping are
 * handled by pointer.js on the 3D view itself.
 */

import { RUN_SPEED, walkStep } from './walk.js';

class Joystick {
  /** @param {HTMLElement} element the #joystick element (with a .knob child) */
  constructor(element) {
    this.el = element;
    const knob = element.querySelector('.knob');
    if (!(knob instanceof HTMLElement)) throw new Error('#joystick in index.html has no .knob');
    this.knob = knob;
    this.x = 0;
    this.y = 0;
    this.pointer = null;
    const move = (ev) => {
      const r = this.el.getBoundingClientRect();
      const radius = r.width / 2;
      let dx = ev.clientX - (r.left + radius);
      let dy = ev.clientY - (r.top + radius);
      const len = Math.hypot(dx, dy);
      if (len > radius) { dx *= radius / len; dy *= radius / len; }
      this.x = dx / radius;
      this.y = dy / radius;
      this.knob.style.transform = `translate(${dx}px, ${dy}px)`;
    };
    element.addEventListener('pointerdown', (ev) => {
      if (this.pointer !== null) return;
      this.pointer = ev.pointerId;
      element.setPointerCapture?.(ev.pointerId);
      move(ev);
      ev.preventDefault();
    });
    element.addEventListener('pointermove', (ev) => { if (ev.pointerId === this.pointer) move(ev); });
    const end = (ev) => {
      if (ev.pointerId !== this.pointer) return;
      this.pointer = null;
      this.x = 0;
      this.y = 0;
      this.knob.style.transform = '';
    };
    element.addEventListener('pointerup', end);
    element.addEventListener('pointercancel', end);
  }

  show(visible) {
    this.el.hidden = !visible;
  }

  /**
   * Walk the player for `dt` s, held by the hall's navigation grid if it has one.
   * @param {import('./player.js').Player} player
   * @param {number} dt
   * @param {{min: number[], max: number[]}} bounds
   * @param {import('./walk.js').Walkable | null} [grid]
   * @returns {boolean} whether it moved
   */
  update(player, dt, bounds, grid = null) {
    const amount = Math.min(1, Math.hypot(this.x, this.y));
    if (amount < 0.12) return false;
    const speed = RUN_SPEED * amount;
    const moved = walkStep(player.feet, player.yaw, -this.y / amount, this.x / amount, speed, dt, bounds, 0.5, grid);
    if (moved) player.route = null;
    return moved;
  }
}

export { Joystick };
