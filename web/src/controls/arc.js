/**
 * The teleport arc: a parabola from the controller, sampled into points.
 *
 * The controller throws a point at `speed` m/s along its ray under gravity;
 * the arc is cut where it falls below `floorY` − 1 m or after `maxPoints`.
 * The caller raycasts each segment against the walkable meshes to find the
 * landing spot (the arc itself knows nothing of the scene).
 *
 * Pure and allocation-free: writes x, y, z triples into `out` (a
 * Float32Array of 3 × maxPoints). Tested in test/arc.test.js.
 */

/**
 * @param {number[]} origin [x, y, z]
 * @param {number[]} dir unit direction [x, y, z]
 * @param {Float32Array} out receives the points
 * @returns {number} how many points were written (≥ 2)
 */
function sampleArc(origin, dir, out, { speed = 7, gravity = 9.8, dt = 0.04, floorY = 0 } = {}) {
  const maxPoints = Math.floor(out.length / 3);
  let n = 0;
  for (let i = 0; i < maxPoints; i++) {
    const t = i * dt;
    const y = origin[1] + dir[1] * speed * t - 0.5 * gravity * t * t;
    out[3 * i] = origin[0] + dir[0] * speed * t;
    out[3 * i + 1] = y;
    out[3 * i + 2] = origin[2] + dir[2] * speed * t;
    n = i + 1;
    if (i > 0 && y < floorY - 1) break;
  }
  return n;
}

/** Where segment a→b of the arc crosses the plane y = floorY, into `hit`; false if it does not. */
function crossFloor(out, i, floorY, hit) {
  const y0 = out[3 * i + 1];
  const y1 = out[3 * i + 4];
  if (!(y0 >= floorY && y1 < floorY)) return false;
  const k = (y0 - floorY) / (y0 - y1);
  hit[0] = out[3 * i] + (out[3 * i + 3] - out[3 * i]) * k;
  hit[1] = floorY;
  hit[2] = out[3 * i + 2] + (out[3 * i + 5] - out[3 * i + 2]) * k;
  return true;
}

export { crossFloor, sampleArc };
