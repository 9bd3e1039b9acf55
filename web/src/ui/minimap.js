/**
 * The minimap: the hall from above with its zones, the plaza, the forum
 * hall and every booth, the people around (dots) and you (an arrow).
 * Clicking it teleports there. North (−z) is up, like the maps in
 * scenes/README.md.
 *
 * The static layer (floor plan) is drawn once into an offscreen canvas;
 * the dynamic layer is redrawn a few times a second, not every frame.
 */

import { MapProjection } from './mapproj.js';
import { byId, context2d } from './dom.js';

class Minimap {
  /**
   * @param {object} deps
   * @param {(x: number, z: number) => void} deps.onPick teleport target
   * @param {number} [deps.intervalMs] least time between two draws
   */
  constructor({ onPick, intervalMs = 200 }) {
    this.canvas = byId('minimap', HTMLCanvasElement);
    this.ctx = context2d(this.canvas);
    this.base = document.createElement('canvas');
    this.base.width = this.canvas.width;
    this.base.height = this.canvas.height;
    this.proj = null;
    this.intervalMs = intervalMs;
    this.lastDraw = -Infinity;
    this.pick = [0, 0];
    this.canvas.addEventListener('click', (ev) => {
      if (!this.proj) return;
      const r = this.canvas.getBoundingClientRect();
      const px = ((ev.clientX - r.left) / r.width) * this.canvas.width;
      const py = ((ev.clientY - r.top) / r.height) * this.canvas.height;
      this.proj.toWorld(px, py, this.pick);
      onPick(this.pick[0], this.pick[1]);
    });
  }

  /** Draw the floor plan of the hall `bounds` ({min, max}) with the catalog's areas. */
  setPlan(bounds, catalog, hallId) {
    const b = { minX: bounds.min[0], maxX: bounds.max[0], minZ: bounds.min[2], maxZ: bounds.max[2] };
    const p = new MapProjection(b, this.canvas.width, this.canvas.height, 4);
    this.proj = p;
    const g = context2d(this.base);
    g.clearRect(0, 0, this.base.width, this.base.height);
    g.fillStyle = '#cfd8df';
    g.fillRect(p.px(b.minX), p.py(b.minZ), (b.maxX - b.minX) * p.scale, (b.maxZ - b.minZ) * p.scale);
    const rect = (r, fill) => {
      g.fillStyle = fill;
      g.fillRect(p.px(r.x[0]), p.py(r.z[0]), (r.x[1] - r.x[0]) * p.scale, (r.z[1] - r.z[0]) * p.scale);
    };
    if (catalog?.plaza && catalog.plaza.hall === hallId) rect(catalog.plaza.area, '#f1e3c4');
    for (const f of catalog?.forum_halls ?? []) {
      if (f.hall !== hallId) continue;
      rect(f.area, '#c9c2e0');
      rect(f.stage, '#6d5fa6');
    }
    for (const z of catalog?.zones ?? []) if (z.hall === hallId) rect(z.area, `${z.colour}55`);
    for (const bo of catalog?.booths ?? []) if (bo.hall === hallId) rect(bo.rect, '#4b5b6a');
  }

  /**
   * Redraw if due. `me` = {x, z, yaw}; `others` a Float32Array of x, z pairs (n of them).
   */
  draw(now, me, others, n, force = false) {
    if (!this.proj || (!force && now - this.lastDraw < this.intervalMs)) return;
    this.lastDraw = now;
    const g = this.ctx;
    const p = this.proj;
    g.clearRect(0, 0, this.canvas.width, this.canvas.height);
    g.drawImage(this.base, 0, 0);
    g.fillStyle = '#0b6e99';
    for (let i = 0; i < n; i++) g.fillRect(p.px(others[2 * i]) - 1.5, p.py(others[2 * i + 1]) - 1.5, 3, 3);
    g.save();
    g.translate(p.px(me.x), p.py(me.z));
    g.rotate(p.arrowAngle(me.yaw));
    g.fillStyle = '#e53935';
    g.strokeStyle = '#ffffff';
    g.lineWidth = 1.5;
    g.beginPath();
    g.moveTo(0, -8);
    g.lineTo(5.5, 6);
    g.lineTo(0, 3);
    g.lineTo(-5.5, 6);
    g.closePath();
    g.fill();
    g.stroke();
    g.restore();
  }
}

export { Minimap };
