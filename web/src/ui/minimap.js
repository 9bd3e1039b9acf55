/**
 * The minimap: the hall from above with its zones (labelled in the
 * visitor's language), the plaza, the forum hall and every booth, the
 * people around (dots) and you (an arrow in a ring: "you are here"); the
 * legend under it (index.html) names the marks. Clicking it teleports
 * there. North (−z) is up, like the maps in scenes/README.md.
 *
 * The static layer (floor plan) is drawn once into an offscreen canvas;
 * the dynamic layer is redrawn a few times a second, not every frame.
 */

import { MapProjection } from './mapproj.js';
import { ensureFont, font } from '../world/fonts.js';
import { labelLines } from './maplabel.js';
import { byId, context2d } from './dom.js';

/** Between the lines of a zone's name on two lines (canvas px; the font is 10 px). */
const LINE_PX = 11;

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
    /** @type {{text: string, x: number, y: number}[]} the zone labels drawn (canvas px), for the tests */
    this.labels = [];
    /** @type {[any, any, string] | null} the last plan, to label again in another language */
    this.plan = null;
    /** @type {Set<string>} label texts whose glyphs were asked for */
    this.fontsFor = new Set();
    /** @type {((t: any) => string) | null} */
    this.pickText = null;
    this.canvas.addEventListener('click', (ev) => {
      if (!this.proj) return;
      const r = this.canvas.getBoundingClientRect();
      const px = ((ev.clientX - r.left) / r.width) * this.canvas.width;
      const py = ((ev.clientY - r.top) / r.height) * this.canvas.height;
      this.proj.toWorld(px, py, this.pick);
      onPick(this.pick[0], this.pick[1]);
    });
  }

  /**
   * Draw the floor plan of the hall `bounds` ({min, max}) with the catalog's areas.
   * @param {{min: number[], max: number[]}} bounds
   * @param {any} catalog
   * @param {string} hallId
   * @param {(t: any) => string} [pick] a bilingual text in the visitor's language (labels)
   */
  setPlan(bounds, catalog, hallId, pick = (t) => t?.en ?? '') {
    this.plan = [bounds, catalog, hallId];
    this.pickText = pick;
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
    // Zone names over the zones, dark on a light halo so they read on any zone colour.
    this.labels = [];
    g.font = font(10, 700);
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    g.lineJoin = 'round';
    for (const z of catalog?.zones ?? []) {
      if (z.hall !== hallId) continue;
      const text = pick(z.title);
      if (!text) continue;
      const x = p.px((z.area.x[0] + z.area.x[1]) / 2);
      const y = p.py((z.area.z[0] + z.area.z[1]) / 2);
      // Within the zone's own width: on two lines rather than into the neighbour's name.
      const room = Math.max(8, (z.area.x[1] - z.area.x[0]) * p.scale - 2);
      const lines = labelLines(text, (s) => g.measureText(s).width, room);
      lines.forEach((line, i) => {
        const ly = y + (i - (lines.length - 1) / 2) * LINE_PX;
        g.lineWidth = 3;
        g.strokeStyle = 'rgba(255, 255, 255, 0.9)';
        g.strokeText(line, x, ly, room);
        g.fillStyle = '#13212e';
        g.fillText(line, x, ly, room);
      });
      this.labels.push({ text, x: Math.round(x), y: Math.round(y) });
    }
    // Canvas text does not fetch the font's glyphs itself: draw again once they are here.
    const all = this.labels.map((l) => l.text).join('');
    if (all && !this.fontsFor.has(all)) {
      this.fontsFor.add(all);
      ensureFont(all, [700]).then(() => this.relabel());
    }
  }

  /** Label the plan again (the visitor switched language). */
  relabel() {
    if (this.plan && this.pickText) this.setPlan(...this.plan, this.pickText);
    this.lastDraw = -Infinity;
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
    // "You are here": a ring that stands out from the dots of the others.
    g.beginPath();
    g.arc(0, 0, 11, 0, Math.PI * 2);
    g.fillStyle = 'rgba(229, 57, 53, 0.18)';
    g.fill();
    g.lineWidth = 2;
    g.strokeStyle = '#e53935';
    g.stroke();
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
