/**
 * The crowd layer: everyone beyond the full-rate set, as cheap impostors.
 *
 * CROWD frames (about 1 Hz) carry every other avatar of the room as a
 * position on a 256 × 256 grid over the hall. They are drawn as one
 * THREE.Points object (one draw call for up to 2,048 people): round,
 * distance-attenuated dots at chest height, replaced wholesale by each
 * frame.
 */

import { BufferAttribute, BufferGeometry, CanvasTexture, Points, PointsMaterial } from 'three';

function dotTexture(doc) {
  const c = doc.createElement('canvas');
  c.width = 64;
  c.height = 64;
  const g = c.getContext('2d');
  const grad = g.createRadialGradient(32, 32, 4, 32, 32, 30);
  grad.addColorStop(0, 'rgba(255,255,255,1)');
  grad.addColorStop(0.7, 'rgba(235,240,250,0.95)');
  grad.addColorStop(1, 'rgba(235,240,250,0)');
  g.fillStyle = grad;
  g.beginPath();
  g.arc(32, 32, 30, 0, Math.PI * 2);
  g.fill();
  return new CanvasTexture(c);
}

class CrowdLayer {
  constructor({ maxPoints = 4096, doc = document } = {}) {
    this.maxPoints = maxPoints;
    this.positions = new Float32Array(maxPoints * 3);
    this.geometry = new BufferGeometry();
    this.attr = new BufferAttribute(this.positions, 3);
    this.geometry.setAttribute('position', this.attr);
    this.geometry.setDrawRange(0, 0);
    this.material = new PointsMaterial({
      size: 0.9, sizeAttenuation: true, map: dotTexture(doc), color: 0x5d7fa3,
      alphaTest: 0.4, transparent: false,
    });
    this.points = new Points(this.geometry, this.material);
    this.points.name = 'crowd';
    this.points.frustumCulled = false;
    this.count = 0;
  }

  /**
   * Replace the crowd with `points` ([[qx, qz], ...] from a CROWD frame) over the hall `bounds`.
   */
  set(points, bounds) {
    const n = Math.min(points.length, this.maxPoints);
    const [x0, , z0] = bounds.min;
    const sx = (bounds.max[0] - x0) / 256;
    const sz = (bounds.max[2] - z0) / 256;
    for (let i = 0; i < n; i++) {
      this.positions[3 * i] = x0 + (points[i][0] + 0.5) * sx;
      this.positions[3 * i + 1] = 1.1;
      this.positions[3 * i + 2] = z0 + (points[i][1] + 0.5) * sz;
    }
    this.count = n;
    this.geometry.setDrawRange(0, n);
    this.attr.needsUpdate = true;
  }

  clear() {
    this.count = 0;
    this.geometry.setDrawRange(0, 0);
  }
}

export { CrowdLayer };
