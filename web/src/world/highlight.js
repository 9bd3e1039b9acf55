/**
 * The hover highlight: a glowing box outline around the booth under the
 * pointer (or the VR ray). One line object, moved and scaled to the booth's
 * bounds, so the booths' own shared materials are never touched. It pulses
 * gently unless the visitor asked for reduced motion.
 */

import { Box3, BoxGeometry, EdgesGeometry, LineBasicMaterial, LineSegments, Vector3 } from 'three';

const _box = new Box3();
const _size = new Vector3();

class BoothHighlight {
  constructor() {
    this.lines = new LineSegments(
      new EdgesGeometry(new BoxGeometry(1, 1, 1)),
      new LineBasicMaterial({ color: 0xffc107, transparent: true, opacity: 0.95, depthTest: false }),
    );
    this.lines.name = 'booth-highlight';
    this.lines.visible = false;
    this.lines.renderOrder = 5;
    this.boothId = null;
    this.bounds = new Map(); // booth id -> {centre, size}
  }

  /** Highlight `boothId` (a node from the hall index), or nothing with null. */
  show(boothId, hall) {
    if (boothId === this.boothId) return;
    this.boothId = boothId;
    if (!boothId || !hall?.booths.has(boothId)) {
      this.lines.visible = false;
      return;
    }
    let b = this.bounds.get(boothId);
    if (!b) {
      _box.setFromObject(hall.booths.get(boothId));
      b = { centre: _box.getCenter(new Vector3()), size: _box.getSize(new Vector3()) };
      this.bounds.set(boothId, b);
    }
    _size.copy(b.size).addScalar(0.3);
    this.lines.scale.copy(_size);
    this.lines.position.copy(b.centre);
    this.lines.visible = true;
  }

  /** A booth changed shape: measure it again next time. */
  forget(boothId) {
    this.bounds.delete(boothId);
    if (this.boothId === boothId) {
      this.boothId = null;
      this.lines.visible = false;
    }
  }

  update(timeMs, reducedMotion) {
    if (!this.lines.visible) return;
    this.lines.material.opacity = reducedMotion ? 0.95 : 0.65 + 0.3 * Math.sin(timeMs / 250);
  }
}

export { BoothHighlight };
