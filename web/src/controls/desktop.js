/**
 * Keyboard movement: W A S D or the arrow keys (left/right arrows turn),
 * Shift to hurry, L for mouse-look. Keys typed into a text field, a select
 * or a slider are left alone, and everything stops when the window loses
 * focus (no key stuck down).
 */

import { RUN_SPEED, WALK_SPEED, walkStep } from './walk.js';

const TURN_SPEED = 1.9; // rad/s

/**
 * @param {EventTarget | null} target where a key went
 * @returns {boolean} whether the visitor is typing into a field (keys are not moves then)
 */
function isTyping(target) {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable;
}

class KeyboardInput {
  /**
   * @param {{target?: Window, onToggleLock?: () => void}} [deps] where keys are heard
   *   (default: the window), and what L does
   */
  constructor({ target = window, onToggleLock = () => {} } = {}) {
    this.down = new Set();
    this.enabled = true;
    target.addEventListener('keydown', (ev) => {
      if (!this.enabled || isTyping(ev.target) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
      const code = ev.code;
      if (code === 'KeyL' && !ev.repeat) { onToggleLock(); return; }
      if (CODES.has(code)) {
        this.down.add(code);
        // Arrow keys would scroll a focused list; inside the 3D view they move.
        if (ev.target === document.body || (ev.target instanceof HTMLElement && ev.target.tagName === 'CANVAS')) {
          ev.preventDefault();
        }
      }
    });
    target.addEventListener('keyup', (ev) => this.down.delete(ev.code));
    target.addEventListener('blur', () => this.down.clear());
  }

  get active() {
    return this.down.size > 0;
  }

  /**
   * Move/turn the player for `dt` s, held by the hall's navigation grid if it has one.
   * @param {import('./player.js').Player} player
   * @param {number} dt
   * @param {{min: number[], max: number[]}} bounds
   * @param {import('./walk.js').Walkable | null} [grid]
   * @returns {boolean} whether it moved
   */
  update(player, dt, bounds, grid = null) {
    if (!this.down.size) return false;
    const d = this.down;
    const forward = (d.has('KeyW') || d.has('ArrowUp') ? 1 : 0) - (d.has('KeyS') || d.has('ArrowDown') ? 1 : 0);
    const right = (d.has('KeyD') ? 1 : 0) - (d.has('KeyA') ? 1 : 0);
    const turn = (d.has('ArrowLeft') || d.has('KeyQ') ? 1 : 0) - (d.has('ArrowRight') || d.has('KeyE') ? 1 : 0);
    if (turn) player.look(turn * TURN_SPEED * dt, 0);
    const speed = d.has('ShiftLeft') || d.has('ShiftRight') ? RUN_SPEED : WALK_SPEED;
    const moved = walkStep(player.feet, player.yaw, forward, right, speed, dt, bounds, 0.5, grid);
    if (moved) player.route = null;
    return moved;
  }
}

const CODES = new Set([
  'KeyW', 'KeyA', 'KeyS', 'KeyD', 'KeyQ', 'KeyE', 'ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight',
  'ShiftLeft', 'ShiftRight',
]);

export { isTyping, KeyboardInput };
