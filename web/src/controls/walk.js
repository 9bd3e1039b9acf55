/**
 * Walking on the hall floor: one step of desktop/touch/VR-stick locomotion.
 *
 * Input is a move vector in the visitor's frame (forward, right, each −1…1)
 * and a yaw (three.js: 0 looks down −z, positive turns left); or a target
 * point for click-to-walk and "walk to the booth", approached at a steady
 * speed and stopped at. The result is clamped inside the hall, `margin`
 * metres from its bounds, and, when the hall has a navigation grid
 * (world/navgrid.js), kept on its walkable cells: a step into a wall, a
 * booth or a seat row stops at the surface, and a step at a slant slides
 * along it (the blocked axis is dropped), as walking into a wall does.
 *
 * Pure: writes into the `pos` array it is given (x, y, z) and returns
 * whether it moved. Tested in test/walk.test.js.
 */

/** Walk speeds in m/s (the server allows up to 12). */
const WALK_SPEED = 1.6;
const RUN_SPEED = 4;
const GLIDE_SPEED = 4;

/**
 * @typedef {{walkable: (x: number, z: number) => boolean, cell: number}} Walkable
 * the little of a NavGrid that movement needs
 */

function clampToHall(pos, bounds, margin) {
  pos[0] = Math.min(bounds.max[0] - margin, Math.max(bounds.min[0] + margin, pos[0]));
  pos[2] = Math.min(bounds.max[2] - margin, Math.max(bounds.min[2] + margin, pos[2]));
}

/**
 * Move `pos` by (dx, dz) metres, held by the hall's bounds and, if given, the grid's walls.
 * The move goes in sub-steps no longer than half a cell, so it cannot hop over a thin wall.
 * From a point off the walkable floor (a spawn inside an obstacle's margin) any step is
 * allowed, so nobody is ever stuck.
 * @param {number[]} pos [x, y, z], updated in place
 * @param {number} dx
 * @param {number} dz
 * @param {{min: number[], max: number[]}} bounds
 * @param {Walkable | null} [grid]
 * @param {number} [margin=0.5]
 * @returns {boolean} whether it moved at all
 */
function moveBy(pos, dx, dz, bounds, grid = null, margin = 0.5) {
  const x0 = pos[0];
  const z0 = pos[2];
  if (!grid) {
    pos[0] += dx;
    pos[2] += dz;
    clampToHall(pos, bounds, margin);
    return pos[0] !== x0 || pos[2] !== z0;
  }
  const steps = Math.max(1, Math.ceil(Math.hypot(dx, dz) / (grid.cell * 0.5)));
  const sx = dx / steps;
  const sz = dz / steps;
  for (let k = 0; k < steps; k++) {
    const x = pos[0];
    const z = pos[2];
    if (!grid.walkable(x, z)) {
      pos[0] = x + sx;
      pos[2] = z + sz;
    } else if (grid.walkable(x + sx, z + sz)) {
      pos[0] = x + sx;
      pos[2] = z + sz;
    } else if (sx !== 0 && grid.walkable(x + sx, z)) {
      pos[0] = x + sx;
    } else if (sz !== 0 && grid.walkable(x, z + sz)) {
      pos[2] = z + sz;
    } else {
      break;
    }
    clampToHall(pos, bounds, margin);
  }
  return pos[0] !== x0 || pos[2] !== z0;
}

/**
 * Move `pos` by the stick/keys.
 * @param {number[]} pos [x, y, z], updated in place
 * @param {number} yaw facing
 * @param {number} forward −1…1
 * @param {number} right −1…1
 * @param {number} speed m/s
 * @param {number} dt seconds
 * @param {{min: number[], max: number[]}} bounds the hall's box
 * @param {number} [margin=0.5] metres kept from the bounds
 * @param {Walkable | null} [grid] the hall's navigation grid, if it has one
 * @returns {boolean} moved
 */
function walkStep(pos, yaw, forward, right, speed, dt, bounds, margin = 0.5, grid = null) {
  let f = forward;
  let r = right;
  const len = Math.hypot(f, r);
  if (len < 1e-3 || dt <= 0) return false;
  if (len > 1) { f /= len; r /= len; }
  const s = Math.sin(yaw);
  const c = Math.cos(yaw);
  // forward = (−sin yaw, −cos yaw), right = (cos yaw, −sin yaw)
  moveBy(pos, (-s * f + c * r) * speed * dt, (-c * f - s * r) * speed * dt, bounds, grid, margin);
  return true;
}

/**
 * Move `pos` towards `target` [x, z] at `speed`.
 * @param {number[]} pos
 * @param {number[]} target
 * @param {number} speed
 * @param {number} dt
 * @param {{min: number[], max: number[]}} bounds
 * @param {number} [margin]
 * @param {Walkable | null} [grid]
 * @returns {boolean} true while still on the way, false once arrived (or blocked)
 */
function glideStep(pos, target, speed, dt, bounds, margin = 0.5, grid = null) {
  const dx = target[0] - pos[0];
  const dz = target[1] - pos[2];
  const dist = Math.hypot(dx, dz);
  const step = speed * dt;
  if (dist <= step || dist < 1e-3) {
    moveBy(pos, dx, dz, bounds, grid, margin);
    return false;
  }
  const moved = moveBy(pos, (dx / dist) * step, (dz / dist) * step, bounds, grid, margin);
  return moved;
}

/**
 * Follow a route of waypoints [[x, z], ...] for one frame: walk towards the first, drop it
 * when reached, carry on. Returns false once the last one is reached, or when blocked.
 * @param {number[]} pos [x, y, z], updated in place
 * @param {number[][]} route consumed from the front
 * @param {number} speed
 * @param {number} dt
 * @param {{min: number[], max: number[]}} bounds
 * @param {number} [margin]
 * @param {Walkable | null} [grid]
 * @returns {boolean}
 */
function followRoute(pos, route, speed, dt, bounds, margin = 0.5, grid = null) {
  let budget = speed * dt;
  while (route.length && budget > 1e-9) {
    const [tx, tz] = route[0];
    const dist = Math.hypot(tx - pos[0], tz - pos[2]);
    const step = Math.min(dist, budget);
    const k = dist > 1e-9 ? step / dist : 0;
    const moved = moveBy(pos, (tx - pos[0]) * k, (tz - pos[2]) * k, bounds, grid, margin);
    budget -= step;
    if (Math.hypot(tx - pos[0], tz - pos[2]) < 1e-3) {
      route.shift();
    } else if (!moved) {
      return false;
    }
  }
  return route.length > 0;
}

/** Yaw that looks from (x0, z0) towards (x1, z1). */
function yawTowards(x0, z0, x1, z1) {
  return Math.atan2(-(x1 - x0), -(z1 - z0));
}

export { clampToHall, followRoute, GLIDE_SPEED, glideStep, moveBy, RUN_SPEED, WALK_SPEED, walkStep, yawTowards };
