/**
 * Badges over the heads of the people on stage: "Speaker" for the invited
 * speakers, "On stage" for visitors a moderator brought up, in the visitor's
 * language. One sprite per person on stage (a dozen at most), placed each
 * frame above their name tag (avatars/nametags.js) and sized by distance like
 * the tags, so it reads from the back rows. Someone the client does not draw
 * at full rate (too far: the crowd layer) has no badge.
 */

import { CanvasTexture, Group, Sprite, SpriteMaterial, SRGBColorSpace, Vector3 } from 'three';
import { Slot } from '../net/interp.js';
import { context2d } from '../ui/dom.js';
import { ensureFont, font } from '../world/fonts.js';

const ABOVE = 0.42 + 0.38; // the name tag's height above the head, then the tag itself
const _cam = new Vector3();

const COLOURS = { speaker: '#c98a00', guest: '#00796b' };

class StageBadges {
  /** @param {{i18n: import('../i18n/i18n.js').I18n, doc?: Document}} deps */
  constructor({ i18n, doc = document }) {
    this.i18n = i18n;
    this.doc = doc;
    this.group = new Group();
    this.group.name = 'forum-badges';
    /** @type {Map<number, {sprite: Sprite, role: string}>} by avatar id */
    this.byId = new Map();
    /** @type {Map<string, SpriteMaterial>} by role and language */
    this.materials = new Map();
    i18n.onChange(() => this._relabel());
  }

  /**
   * Who is on stage now (forum.state's `stage` of the sessions live in this room).
   * @param {{id: number, role: string}[]} people
   */
  set(people) {
    const keep = new Set(people.map((p) => p.id));
    for (const [id, b] of this.byId) {
      if (!keep.has(id)) {
        this.group.remove(b.sprite);
        this.byId.delete(id);
      }
    }
    for (const p of people) {
      const role = p.role === 'speaker' ? 'speaker' : 'guest';
      const known = this.byId.get(p.id);
      if (known && known.role === role) continue;
      if (known) this.group.remove(known.sprite);
      const sprite = new Sprite(this._material(role));
      sprite.name = `badge:${p.id}`;
      sprite.visible = false;
      this.group.add(sprite);
      this.byId.set(p.id, { sprite, role });
    }
  }

  /**
   * Once per frame: each badge above its avatar, or hidden.
   * @param {import('../avatars/remote.js').RemoteAvatars | null} remote
   * @param {import('three').Camera} camera
   */
  update(remote, camera) {
    if (!this.byId.size) return;
    camera.getWorldPosition(_cam);
    for (const [id, b] of this.byId) {
      const a = remote?.byId.get(id);
      if (!a || a.state === 0) {
        b.sprite.visible = false;
        continue;
      }
      const x = a.pose[Slot.X];
      const y = a.pose[Slot.Y] + ABOVE;
      const z = a.pose[Slot.Z];
      const dist = Math.hypot(x - _cam.x, y - _cam.y, z - _cam.z);
      const h = Math.min(1.2, Math.max(0.22, dist * 0.04));
      b.sprite.position.set(x, y + h / 2, z);
      b.sprite.scale.set(h * 3, h, 1);
      b.sprite.visible = true;
    }
  }

  /** Which avatars carry a badge, and which kind (tests). */
  get shown() {
    return [...this.byId].map(([id, b]) => ({ id, role: b.role, visible: b.sprite.visible }));
  }

  /**
   * @param {string} role
   * @returns {SpriteMaterial}
   */
  _material(role) {
    const key = `${role}:${this.i18n.lang}`;
    let m = this.materials.get(key);
    if (m) return m;
    const canvas = this.doc.createElement('canvas');
    canvas.width = 384;
    canvas.height = 128;
    const label = this.i18n.t(role === 'speaker' ? 'forum.badge.speaker' : 'forum.badge.guest');
    const texture = new CanvasTexture(canvas);
    texture.colorSpace = SRGBColorSpace;
    const paint = () => {
      const g = context2d(canvas);
      g.clearRect(0, 0, 384, 128);
      g.fillStyle = COLOURS[role === 'speaker' ? 'speaker' : 'guest'];
      g.beginPath();
      g.roundRect(6, 10, 372, 108, 54);
      g.fill();
      g.fillStyle = '#ffffff';
      g.textAlign = 'center';
      g.textBaseline = 'middle';
      g.font = font(58, 700);
      g.fillText(`★ ${label}`, 192, 66, 350);
      texture.needsUpdate = true;
    };
    paint();
    ensureFont(label, [700]).then(paint);
    m = new SpriteMaterial({ map: texture, depthWrite: false, toneMapped: false });
    this.materials.set(key, m);
    return m;
  }

  _relabel() {
    for (const b of this.byId.values()) b.sprite.material = this._material(b.role);
  }
}

export { StageBadges };
