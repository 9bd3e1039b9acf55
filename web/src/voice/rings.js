/**
 * Speaking rings: a green ring around the head of each person this visitor
 * hears talking right now, so a voice can be matched to a face (and a muted
 * person's ring, dimmed, shows they talk while you do not hear them).
 *
 * A small pool of meshes sharing one geometry and two materials; each frame
 * the rings are placed at the speaking heads and the rest hidden. No
 * allocation per frame.
 */

import { DoubleSide, Group, Mesh, MeshBasicMaterial, RingGeometry } from 'three';

/** Below the eyes: the ring circles the head at the mouth, clear of the name tag above. */
const RING_BELOW_EYES = 0.12;
const POOL = 12;

class SpeakingRings {
  constructor() {
    this.group = new Group();
    this.group.name = 'voice-rings';
    const geometry = new RingGeometry(0.2, 0.25, 40);
    geometry.rotateX(-Math.PI / 2);
    this.loud = new MeshBasicMaterial({ color: 0x2fcf6a, transparent: true, opacity: 0.9, side: DoubleSide, depthWrite: false });
    this.dim = new MeshBasicMaterial({ color: 0x9aa5ad, transparent: true, opacity: 0.6, side: DoubleSide, depthWrite: false });
    /** @type {Mesh[]} */
    this.rings = [];
    for (let i = 0; i < POOL; i++) {
      const ring = new Mesh(geometry, this.loud);
      ring.visible = false;
      ring.renderOrder = 2;
      this.rings.push(ring);
      this.group.add(ring);
    }
    /** ids with a ring this frame (the tests read it) */
    this.shown = /** @type {number[]} */ ([]);
  }

  /**
   * Place the rings: one per speaking person, at their head.
   * @param {{id: number, head: ArrayLike<number>, muted: boolean}[]} speaking
   * @param {number} now ms, for a gentle pulse
   */
  update(speaking, now) {
    const pulse = 1 + 0.08 * Math.sin(now / 90);
    this.shown.length = 0;
    for (let i = 0; i < this.rings.length; i++) {
      const ring = this.rings[i];
      const s = speaking[i];
      ring.visible = Boolean(s);
      if (!s) continue;
      ring.position.set(s.head[0], s.head[1] - RING_BELOW_EYES, s.head[2]);
      ring.scale.setScalar(s.muted ? 1 : pulse);
      ring.material = s.muted ? this.dim : this.loud;
      this.shown.push(s.id);
    }
  }
}

export { SpeakingRings };
