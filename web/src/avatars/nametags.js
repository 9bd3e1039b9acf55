/**
 * Name tags over avatars' heads: every tag in one draw call.
 *
 * Names are painted once into slots of a canvas atlas (Noto Sans SC, so
 * Chinese names render on any device); one instanced quad per tag samples
 * its slot. The vertex shader turns each quad to face the camera and sizes
 * it by distance, so a tag keeps a constant height on screen between
 * `minHeight` and `maxHeight` metres (readable near and far, never a
 * billboard the size of a house), and fades out past `fadeFar` metres.
 *
 * Atlas uploads are throttled: a burst of joins repaints many slots but
 * re-uploads the texture at most every `uploadEveryMs`.
 *
 * A tag may carry a badge (staff, speaker: docs/moderation.md), painted as a
 * coloured pill before the name, so nobody can pass for staff by name alone.
 */

/** Pill colours of the badges (anything else: no pill). */
const BADGE_COLOURS = { staff: '#c7511f', speaker: '#6b3fa0' };

import {
  CanvasTexture, DoubleSide, DynamicDrawUsage, InstancedBufferAttribute, InstancedBufferGeometry,
  Mesh, PlaneGeometry, ShaderMaterial, SRGBColorSpace,
} from 'three';
import { ensureFont, font } from '../world/fonts.js';
import { context2d } from '../ui/dom.js';

const VERTEX = /* glsl */ `
attribute vec3 tagPos;
attribute vec4 tagUv;
attribute vec2 tagShape; // x: width / height, y: opacity
uniform float screenK;
uniform float minHeight;
uniform float maxHeight;
uniform float fadeNear;
uniform float fadeFar;
varying vec2 vUv;
varying float vAlpha;
void main() {
  vec4 mv = modelViewMatrix * vec4(tagPos, 1.0);
  float dist = -mv.z;
  float h = clamp(dist * screenK, minHeight, maxHeight);
  mv.xy += vec2(position.x * tagShape.x, position.y + 0.5) * h;
  gl_Position = projectionMatrix * mv;
  vUv = vec2(tagUv.x + (position.x + 0.5) * tagUv.z, tagUv.y + (0.5 - position.y) * tagUv.w);
  vAlpha = tagShape.y * (1.0 - smoothstep(fadeNear, fadeFar, dist)) * step(0.01, dist);
}`;

const FRAGMENT = /* glsl */ `
uniform sampler2D atlas;
varying vec2 vUv;
varying float vAlpha;
void main() {
  vec4 c = texture2D(atlas, vUv);
  c.a *= vAlpha;
  if (c.a < 0.02) discard;
  gl_FragColor = c;
  #include <colorspace_fragment>
}`;

class NameTags {
  /**
   * @param {object} [opts]
   * @param {number} [opts.atlasWidth=2048]
   * @param {number} [opts.atlasHeight=2048]
   * @param {number} [opts.slotWidth=256]
   * @param {number} [opts.slotHeight=64]
   * @param {number} [opts.uploadEveryMs=250] least time between two texture uploads
   * @param {Document} [opts.doc] where the atlas canvas is made (tests)
   */
  constructor({
    atlasWidth = 2048, atlasHeight = 2048, slotWidth = 256, slotHeight = 64, uploadEveryMs = 250,
    doc = document,
  } = {}) {
    /** @type {(string | undefined)[]} the name painted in each slot */
    this.names = [];
    /** @type {({kind: string, label: string} | null | undefined)[]} the badge of each slot */
    this.badges = [];
    this.slotW = slotWidth;
    this.slotH = slotHeight;
    this.cols = Math.floor(atlasWidth / slotWidth);
    this.rows = Math.floor(atlasHeight / slotHeight);
    this.capacity = this.cols * this.rows;
    this.canvas = doc.createElement('canvas');
    this.canvas.width = atlasWidth;
    this.canvas.height = atlasHeight;
    this.ctx = context2d(this.canvas);
    this.texture = new CanvasTexture(this.canvas);
    this.texture.flipY = false;
    this.texture.colorSpace = SRGBColorSpace;
    this.uploadEveryMs = uploadEveryMs;
    this.dirty = false;
    this.lastUpload = -Infinity;
    this.free = [];
    for (let i = this.capacity - 1; i >= 0; i--) this.free.push(i);

    const n = this.capacity;
    const geometry = new InstancedBufferGeometry();
    const quad = new PlaneGeometry(1, 1);
    geometry.index = quad.index;
    geometry.setAttribute('position', quad.attributes.position);
    this.pos = new InstancedBufferAttribute(new Float32Array(n * 3), 3).setUsage(DynamicDrawUsage);
    this.uv = new InstancedBufferAttribute(new Float32Array(n * 4), 4);
    this.shape = new InstancedBufferAttribute(new Float32Array(n * 2), 2).setUsage(DynamicDrawUsage);
    geometry.setAttribute('tagPos', this.pos);
    geometry.setAttribute('tagUv', this.uv);
    geometry.setAttribute('tagShape', this.shape);
    geometry.instanceCount = n;
    this.material = new ShaderMaterial({
      vertexShader: VERTEX,
      fragmentShader: FRAGMENT,
      uniforms: {
        atlas: { value: this.texture },
        screenK: { value: 0.045 },
        minHeight: { value: 0.14 },
        maxHeight: { value: 1.1 },
        fadeNear: { value: 28 },
        fadeFar: { value: 40 },
      },
      transparent: true,
      depthWrite: false,
      side: DoubleSide,
    });
    this.mesh = new Mesh(geometry, this.material);
    this.mesh.name = 'nametags';
    this.mesh.frustumCulled = false;
    this.mesh.renderOrder = 10;
  }

  /**
   * Reserve a slot and paint `name` into it; returns the slot (or -1 when the atlas is full).
   * @param {string} name
   * @param {{kind: string, label: string} | null} [badge] e.g. {kind: 'staff', label: '工作人员'}
   */
  add(name, badge = null) {
    const slot = this.free.pop();
    if (slot === undefined) return -1;
    this.setName(slot, name, badge);
    return slot;
  }

  /**
   * Repaint a slot with a new name and badge (the glyphs load first if needed).
   * @param {number} slot
   * @param {string} name
   * @param {{kind: string, label: string} | null} [badge]
   */
  setName(slot, name, badge = null) {
    this.badges[slot] = badge;
    this._paint(slot, name);
    // If the glyphs were not loaded yet, the first paint used a fallback; paint again.
    ensureFont(`${badge?.label ?? ''}${name}`, [700]).then(() => {
      if (this.names[slot] === name) this._paint(slot, name);
    });
  }

  _paint(slot, name) {
    this.names[slot] = name;
    const badge = this.badges[slot] ?? null;
    const colour = badge ? BADGE_COLOURS[/** @type {'staff' | 'speaker'} */ (badge.kind)] : undefined;
    const ctx = this.ctx;
    const col = slot % this.cols;
    const row = Math.floor(slot / this.cols);
    const x = col * this.slotW;
    const y = row * this.slotH;
    ctx.clearRect(x, y, this.slotW, this.slotH);
    const pad = 2;
    let size = Math.round(this.slotH * 0.56);
    const badgeSize = Math.round(this.slotH * 0.4);
    ctx.font = font(badgeSize, 700);
    const bw = colour ? ctx.measureText(badge?.label ?? '').width + this.slotH * 0.4 : 0;
    const gap = colour ? this.slotH * 0.15 : 0;
    ctx.font = font(size, 700);
    let tw = ctx.measureText(name).width;
    const maxText = this.slotW - this.slotH * 0.6 - 2 * pad - bw - gap;
    if (tw > maxText) {
      size = Math.max(10, Math.floor(size * (maxText / tw)));
      ctx.font = font(size, 700);
      tw = ctx.measureText(name).width;
    }
    const w = Math.min(this.slotW - 2 * pad, tw + bw + gap + this.slotH * 0.6);
    const h = this.slotH - 2 * pad;
    const left = x + (this.slotW - w) / 2;
    ctx.fillStyle = 'rgba(18, 24, 32, 0.72)';
    ctx.beginPath();
    ctx.roundRect(left, y + pad, w, h, h / 2);
    ctx.fill();
    ctx.textBaseline = 'middle';
    const textLeft = left + this.slotH * 0.3;
    if (colour && badge) {
      const bh = h * 0.7;
      ctx.fillStyle = colour;
      ctx.beginPath();
      ctx.roundRect(textLeft - this.slotH * 0.12, y + pad + (h - bh) / 2, bw, bh, bh / 2);
      ctx.fill();
      ctx.fillStyle = '#ffffff';
      ctx.font = font(badgeSize, 700);
      ctx.textAlign = 'left';
      ctx.fillText(badge.label, textLeft - this.slotH * 0.12 + this.slotH * 0.2, y + this.slotH / 2 + 1);
      ctx.font = font(size, 700);
    }
    ctx.fillStyle = '#ffffff';
    ctx.textAlign = 'left';
    ctx.fillText(name, textLeft + bw + gap, y + this.slotH / 2 + 1);
    const W = this.canvas.width;
    const H = this.canvas.height;
    this.uv.setXYZW(slot, left / W, (y + pad) / H, w / W, h / H);
    this.uv.needsUpdate = true;
    this.shape.setX(slot, w / h);
    this.shape.needsUpdate = true;
    this.dirty = true;
  }

  remove(slot) {
    if (slot < 0) return;
    this.shape.setXY(slot, 0, 0);
    this.shape.needsUpdate = true;
    this.names[slot] = undefined;
    this.badges[slot] = null;
    this.free.push(slot);
  }

  /** Put slot's tag at world (x, y, z) (its bottom edge) with opacity `alpha`. */
  place(slot, x, y, z, alpha) {
    if (slot < 0) return;
    this.pos.setXYZ(slot, x, y, z);
    this.shape.setY(slot, alpha);
  }

  /** Once per frame: flag the moved attributes and upload the atlas if due. */
  update(now) {
    this.pos.needsUpdate = true;
    this.shape.needsUpdate = true;
    if (this.dirty && now - this.lastUpload >= this.uploadEveryMs) {
      this.texture.needsUpdate = true;
      this.dirty = false;
      this.lastUpload = now;
    }
  }
}

export { NameTags };
