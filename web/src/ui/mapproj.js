/**
 * The minimap's projection: hall floor (x, z in metres) <-> map pixels.
 *
 * North (−z) is up and east (+x) right, as in scenes/README.md's maps; the
 * scale is uniform (a square stays square) and the hall is centred in the
 * map with `pad` pixels of margin. Pure; tested in test/mapproj.test.js.
 */

class MapProjection {
  /**
   * @param {{minX: number, maxX: number, minZ: number, maxZ: number}} bounds the hall floor
   * @param {number} width map width in px
   * @param {number} height map height in px
   * @param {number} [pad=4] margin in px
   */
  constructor(bounds, width, height, pad = 4) {
    this.bounds = bounds;
    const spanX = bounds.maxX - bounds.minX;
    const spanZ = bounds.maxZ - bounds.minZ;
    this.scale = Math.min((width - 2 * pad) / spanX, (height - 2 * pad) / spanZ);
    this.offsetX = (width - spanX * this.scale) / 2;
    this.offsetY = (height - spanZ * this.scale) / 2;
  }

  /** Map pixel x of world x. */
  px(x) {
    return this.offsetX + (x - this.bounds.minX) * this.scale;
  }

  /** Map pixel y of world z. */
  py(z) {
    return this.offsetY + (z - this.bounds.minZ) * this.scale;
  }

  /** World [x, z] under map pixel (px, py), clamped to the hall. */
  toWorld(px, py, out = [0, 0]) {
    const b = this.bounds;
    out[0] = Math.min(b.maxX, Math.max(b.minX, b.minX + (px - this.offsetX) / this.scale));
    out[1] = Math.min(b.maxZ, Math.max(b.minZ, b.minZ + (py - this.offsetY) / this.scale));
    return out;
  }

  /** Angle to rotate a map arrow by for a three.js yaw (0 = north/up, positive = left). */
  arrowAngle(yaw) {
    return -yaw;
  }
}

export { MapProjection };
