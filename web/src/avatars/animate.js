/**
 * How an avatar's parts move: idle breathing, a walk driven by its speed,
 * the body turning after the head, and the emotes (wave, clap, thumbs-up).
 *
 * Avatars are four rigid parts (head, body, two hands: avatars/README.md)
 * drawn as instances of one BatchedMesh, so animation is per-part
 * transforms, never skinning: the crowd stays one draw call. Each frame
 * `stepMotion` follows the avatar's interpolated head (speed from how far it
 * went, a gait phase that advances with the distance walked, a body yaw
 * that lets the head turn up to HEAD_FREEDOM before the body follows) and
 * `poseParts` writes the body's offset and tilt and both hands' positions and
 * turns in the body's own space (x right, y up, −z forward, feet at 0).
 *
 * Pure numbers and allocation-free: state lives in a Motion per avatar;
 * remote.js turns the result into matrices. Tested in test/animate.test.js.
 */

/** Metres walked per full gait cycle (two steps). */
const STRIDE = 1.3;
/** Speed (m/s) at which the walk is at full swing; slower walks swing less. */
const FULL_SWING_SPEED = 1.6;
/** How far (rad) the head may turn from the body before the body follows. */
const HEAD_FREEDOM = 0.7;
/** How fast the body turns to catch up (rad/s). */
const BODY_TURN = 4;
/** How long an emote plays (s), and how long it takes to raise and lower the hands. */
const EMOTE_S = 2.2;
const BLEND_S = 0.25;
/** Speeds below this (m/s) count as standing. */
const STILL = 0.15;

const REST_LEFT = Object.freeze([-0.3, 0.92, -0.04]);
const REST_RIGHT = Object.freeze([0.3, 0.92, -0.04]);

/** The emotes and their codes in a Motion. */
const EMOTE_CODES = Object.freeze({ wave: 1, clap: 2, thumbs_up: 3 });

class Motion {
  constructor() {
    this.x = 0;
    this.z = 0;
    this.placed = false;
    /** Smoothed ground speed (m/s). */
    this.speed = 0;
    /** Gait phase (rad), advanced by distance walked. */
    this.phase = 0;
    this.bodyYaw = 0;
    /** Seconds since the motion began (idle breathing). */
    this.time = 0;
    /** The emote playing (EMOTE_CODES value, 0 for none) and when it began (Motion time). */
    this.emote = 0;
    this.emoteAt = -Infinity;
  }
}

/**
 * @param {number} a
 * @returns {number} the angle in (−π, π]
 */
function wrap(a) {
  return Math.atan2(Math.sin(a), Math.cos(a));
}

/**
 * Follow the avatar for one frame: where its head is (x, z), where it looks (yaw), dt seconds.
 * A jump (a teleport) of more than 3 m in a frame is not walking.
 * @param {Motion} m
 * @param {number} x
 * @param {number} z
 * @param {number} headYaw
 * @param {number} dt
 */
function stepMotion(m, x, z, headYaw, dt) {
  m.time += dt;
  if (!m.placed) {
    m.placed = true;
    m.x = x;
    m.z = z;
    m.bodyYaw = headYaw;
    return;
  }
  const dist = Math.hypot(x - m.x, z - m.z);
  m.x = x;
  m.z = z;
  if (dt <= 0) return;
  const walked = dist > 3 ? 0 : dist;
  const raw = walked / dt;
  // Frames come at uneven times; smooth over about a fifth of a second.
  const k = Math.min(1, dt / 0.2);
  m.speed += (raw - m.speed) * k;
  if (m.speed < 0.02) m.speed = 0;
  m.phase = (m.phase + (walked / STRIDE) * 2 * Math.PI) % (2 * Math.PI);
  const diff = wrap(headYaw - m.bodyYaw);
  const most = BODY_TURN * dt;
  if (m.speed > STILL) {
    // Walking: the body faces where the head does.
    m.bodyYaw = wrap(m.bodyYaw + Math.max(-most, Math.min(most, diff)));
  } else if (Math.abs(diff) > HEAD_FREEDOM) {
    const over = diff - Math.sign(diff) * HEAD_FREEDOM;
    m.bodyYaw = wrap(m.bodyYaw + Math.max(-most, Math.min(most, over)));
  }
}

/**
 * Start an emote now.
 * @param {Motion} m
 * @param {string} name wave, clap or thumbs_up
 * @returns {boolean} whether the name is known
 */
function startEmote(m, name) {
  const code = EMOTE_CODES[/** @type {keyof typeof EMOTE_CODES} */ (name)];
  if (!code) return false;
  m.emote = code;
  m.emoteAt = m.time;
  return true;
}

/** The emote playing (its name), or null. */
function emoteOf(m) {
  if (!m.emote || m.time - m.emoteAt >= EMOTE_S) return null;
  return m.emote === 1 ? 'wave' : m.emote === 2 ? 'clap' : 'thumbs_up';
}

/**
 * The parts' pose in body space, into `out` (length ≥ 15):
 *   0 body rise (m), 1 body roll (rad, about −z), 2 body lean (rad, about x),
 *   3–5 left hand position, 6 left hand roll (rad, about −z), 7 left hand pitch (rad, about x),
 *   8–10 right hand position, 11 right hand roll, 12 right hand pitch,
 *   13 how much the emote governs the hands (0..1), 14 walk swing amount (0..1).
 * @param {Motion} m
 * @param {Float64Array | number[]} out
 * @returns {Float64Array | number[]} out
 */
function poseParts(m, out) {
  const swing = Math.min(1, m.speed / FULL_SWING_SPEED);
  const s = Math.sin(m.phase);
  const breathe = Math.sin(m.time * 1.6) * 0.006;
  // Body: a bob at each step (twice per cycle), a sway from foot to foot, a lean with speed.
  out[0] = swing * 0.035 * Math.abs(Math.sin(m.phase)) + breathe;
  out[1] = swing * 0.05 * s;
  out[2] = -swing * 0.06;
  // Hands swing opposite each other, forward (−z) and a little up at the front of a swing.
  const arm = swing * 0.2 * s;
  out[3] = REST_LEFT[0];
  out[4] = REST_LEFT[1] + breathe + Math.abs(arm) * 0.25;
  out[5] = REST_LEFT[2] + arm;
  out[6] = 0;
  out[7] = -arm * 1.2;
  out[8] = REST_RIGHT[0];
  out[9] = REST_RIGHT[1] + breathe + Math.abs(arm) * 0.25;
  out[10] = REST_RIGHT[2] - arm;
  out[11] = 0;
  out[12] = arm * 1.2;
  out[13] = 0;
  out[14] = swing;
  const name = emoteOf(m);
  if (!name) return out;
  const t = m.time - m.emoteAt;
  const w = Math.min(1, t / BLEND_S, (EMOTE_S - t) / BLEND_S);
  out[13] = w;
  const mix = (i, v) => { out[i] += (v - out[i]) * w; };
  if (name === 'wave') {
    // Right hand raised beside the head, palm forward, rocking from side to side.
    const rock = Math.sin(t * 2 * Math.PI * 2.2);
    mix(8, 0.42 + 0.07 * rock);
    mix(9, 1.78);
    mix(10, -0.08);
    mix(11, 0.45 * rock);
    mix(12, Math.PI / 2);
  } else if (name === 'clap') {
    // Both hands before the chest, meeting about three times a second.
    const gap = 0.025 + 0.11 * Math.abs(Math.sin(t * Math.PI * 3));
    mix(3, -gap);
    mix(4, 1.22);
    mix(5, -0.32);
    mix(6, -Math.PI / 2);
    mix(7, 0.3);
    mix(8, gap);
    mix(9, 1.22);
    mix(10, -0.32);
    mix(11, Math.PI / 2);
    mix(12, 0.3);
  } else {
    // Thumbs-up: right fist forward at shoulder height, turned so the thumb points up.
    const bounce = 0.02 * Math.sin(t * Math.PI * 2);
    mix(8, 0.22);
    mix(9, 1.38 + bounce);
    mix(10, -0.38);
    mix(11, Math.PI / 2);
    mix(12, 0);
  }
  return out;
}

export { EMOTE_S, emoteOf, HEAD_FREEDOM, Motion, poseParts, REST_LEFT, REST_RIGHT, startEmote, stepMotion };
