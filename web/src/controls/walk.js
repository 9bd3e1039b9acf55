/**
 * Walking on the hall floor: one step of desktop/touch/VR-stick locomotion.
 *
 * Input is a move vector in the visitor's frame (forward, right, each −1…1)
 * and a yaw (three.js: 0 looks down −z, positive turns left); or a target
 * point for click-to-walk, approached at a steady speed and stopped at.
 * The result is clamped inside the hall, `margin` metres from the walls.
 *
 * Pure: writes into the `pos` array it is given (x, y, z) and returns
 * whether it moved. Tested in test/walk.test.js.
 */

/** Walk speeds in m/s (the server allows up to 12). */
const WALK_SPEED = 1.6;
const RUN_SPEED = 4;
const GLIDE_SPEED = 4;

function clampToHall(pos, bounds, margin) {
  pos[0] = Math.min(bounds.max[0] - margin, Math.max(bounds.min[0] + margin, pos[0]));
  pos[2] = Math.min(bounds.max[2] - margin, Math.max(bounds.min[2] + margin, pos[2]));
}

/**
 * Move `pos` by the stick/keys.
 * @param {number[]} pos [x, y, z], updated in place
 * @param {number} yaw facing
 * @param {number} forward −1…1
 * @param {number} right −1…1
 * @param {number} speed m/s
 * @param {number} dt seconds
 * @returns {boolean} moved
 */
function walkStep(pos, yaw, forward, right, speed, dt, bounds, margin = 0.5) {
  let f = forward;
  let r = right;
  const len = Math.hypot(f, r);
  if (len < 1e-3 || dt <= 0) return false;
  if (len > 1) { f /= len; r /= len; }
  const s = Math.sin(yaw);
  const c = Math.cos(yaw);
  // forward = (−sin yaw, −cos yaw), right = (cos yaw, −sin yaw)
  pos[0] += (-s * f + c * r) * speed * dt;
  pos[2] += (-c * f - s * r) * speed * dt;
  clampToHall(pos, bounds, margin);
  return true;
}

/**
 * Move `pos` towards `target` [x, z] at `speed`.
 * @returns {boolean} true while still on the way, false once arrived
 */
function glideStep(pos, target, speed, dt, bounds, margin = 0.5) {
  const dx = target[0] - pos[0];
  const dz = target[1] - pos[2];
  const dist = Math.hypot(dx, dz);
  const step = speed * dt;
  if (dist <= step || dist < 1e-3) {
    pos[0] = target[0];
    pos[2] = target[1];
    clampToHall(pos, bounds, margin);
    return false;
  }
  pos[0] += (dx / dist) * step;
  pos[2] += (dz / dist) * step;
  clampToHall(pos, bounds, margin);
  return true;
}

/** Yaw that looks from (x0, z0) towards (x1, z1). */
function yawTowards(x0, z0, x1, z1) {
  return Math.atan2(-(x1 - x0), -(z1 - z0));
}

export { clampToHall, GLIDE_SPEED, glideStep, RUN_SPEED, WALK_SPEED, walkStep, yawTowards };
