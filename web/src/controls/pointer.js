/**
 * Pointer input on the 3D view, for mouse, pen and touch alike:
 * drag to look around, click or tap (a press that did not move) to pick
 * what is under it (a booth opens, the floor is walked to), hover to
 * highlight. With pointer lock (desktop mouse-look) the mouse turns the
 * view and a click picks what is under the crosshair.
 */

const DRAG_THRESHOLD_PX = 6;

class PointerInput {
  /**
   * @param {object} deps
   * @param {HTMLElement} deps.element the canvas
   * @param {(dx: number, dy: number) => void} deps.onLook pixels moved
   * @param {(x: number, y: number) => void} deps.onPick client coordinates
   * @param {(x: number|null, y: number|null) => void} deps.onHover
   */
  constructor({ element, onLook, onPick, onHover }) {
    this.element = element;
    this.active = null; // pointerId being tracked
    this.startX = 0;
    this.startY = 0;
    this.lastX = 0;
    this.lastY = 0;
    this.dragging = false;
    this.enabled = true;
    element.addEventListener('pointerdown', (ev) => {
      if (!this.enabled || this.active !== null || ev.button > 0) return;
      if (this.locked) {
        onPick(element.clientWidth / 2, element.clientHeight / 2);
        return;
      }
      this.active = ev.pointerId;
      this.startX = this.lastX = ev.clientX;
      this.startY = this.lastY = ev.clientY;
      this.dragging = false;
      element.setPointerCapture?.(ev.pointerId);
    });
    element.addEventListener('pointermove', (ev) => {
      if (!this.enabled) return;
      if (this.locked) {
        onLook(ev.movementX, ev.movementY);
        return;
      }
      if (ev.pointerId !== this.active) {
        if (ev.pointerType === 'mouse' && this.active === null) onHover(ev.clientX, ev.clientY);
        return;
      }
      const dx = ev.clientX - this.lastX;
      const dy = ev.clientY - this.lastY;
      this.lastX = ev.clientX;
      this.lastY = ev.clientY;
      if (!this.dragging && Math.hypot(ev.clientX - this.startX, ev.clientY - this.startY) > DRAG_THRESHOLD_PX) {
        this.dragging = true;
        onHover(null, null);
      }
      if (this.dragging) onLook(dx, dy);
    });
    const end = (ev, cancelled) => {
      if (ev.pointerId !== this.active) return;
      this.active = null;
      element.releasePointerCapture?.(ev.pointerId);
      if (!cancelled && !this.dragging) onPick(ev.clientX, ev.clientY);
      this.dragging = false;
    };
    element.addEventListener('pointerup', (ev) => end(ev, false));
    element.addEventListener('pointercancel', (ev) => end(ev, true));
    element.addEventListener('pointerleave', (ev) => { if (ev.pointerType === 'mouse') onHover(null, null); });
  }

  get locked() {
    return document.pointerLockElement === this.element;
  }

  /** Toggle desktop mouse-look. */
  toggleLock() {
    if (this.locked) document.exitPointerLock?.();
    else this.element.requestPointerLock?.()?.catch?.(() => {});
  }
}

export { PointerInput };
