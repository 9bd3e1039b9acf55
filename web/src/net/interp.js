/**
 * Interpolation buffer of one remote avatar, on the server's timeline.
 *
 * Pose records arrive in frames stamped with the server's tick time (ms). The
 * renderer samples each avatar ~100 ms in the past, between two received
 * samples, so motion is smooth however the packets bunch up. Past the newest
 * sample it extrapolates briefly (only while the avatar is flagged MOVING,
 * and for at most `maxExtrapolateMs`), then holds. A sample flagged
 * TELEPORTED drops everything before it, so the avatar snaps instead of
 * gliding across the hall.
 *
 * Pure and allocation-free after construction: samples live in one
 * Float64Array ring, and `sample()` writes into a caller's array laid out as
 * `Slot` below. Unit-tested in test/interp.test.js.
 */

const MOVING = 0x01;
const TELEPORTED = 0x02;

/** Offsets into a sample (and into the `out` array of sample()). */
export const Slot = Object.freeze({
  T: 0, X: 1, Y: 2, Z: 3, YAW: 4, PITCH: 5, FLAGS: 6, VR: 7,
  HQ: 8, LP: 12, LQ: 15, RP: 19, RQ: 22, SIZE: 26,
});

/** What sample() did. */
export const SampleState = Object.freeze({ EMPTY: 0, INTERPOLATED: 1, EXTRAPOLATED: 2, HELD: 3 });

const S = Slot.SIZE;
// Slots interpolated linearly: head position and both hands' positions.
const POSITION_SLOTS = Object.freeze([1, 2, 3, 12, 13, 14, 19, 20, 21]);
const TWO_PI = Math.PI * 2;

/**
 * @param {number} a an angle (rad)
 * @returns {number} the same angle in [-π, π)
 */
function wrapAngle(a) {
  a = (a + Math.PI) % TWO_PI;
  if (a < 0) a += TWO_PI;
  return a - Math.PI;
}

/**
 * Yaw (rotation about +y, three.js convention) of an x, y, z, w quaternion.
 * @param {number} x
 * @param {number} y
 * @param {number} z
 * @param {number} w
 * @returns {number}
 */
export function yawOfQuaternion(x, y, z, w) {
  // The direction the local -z axis points to, projected on the floor.
  const fx = -2 * (x * z + w * y);
  const fz = -(1 - 2 * (x * x + y * y));
  return Math.atan2(-fx, -fz);
}

/**
 * Normalised lerp of the quaternions at `a` and `b` in `buf`, into `out` at `o`.
 * @param {Float64Array} buf
 * @param {number} a
 * @param {number} b
 * @param {number} t 0..1
 * @param {Float64Array | number[]} out
 * @param {number} o
 */
function nlerpQuat(buf, a, b, t, out, o) {
  let dot = 0;
  for (let i = 0; i < 4; i++) dot += buf[a + i] * buf[b + i];
  const sign = dot < 0 ? -1 : 1;
  let n = 0;
  for (let i = 0; i < 4; i++) {
    const v = buf[a + i] + (sign * buf[b + i] - buf[a + i]) * t;
    out[o + i] = v;
    n += v * v;
  }
  n = Math.sqrt(n) || 1;
  for (let i = 0; i < 4; i++) out[o + i] /= n;
}

class InterpBuffer {
  /**
   * @param {object} [opts]
   * @param {number} [opts.capacity=32] samples kept (1.6 s at 20 Hz)
   * @param {number} [opts.maxExtrapolateMs=200] longest extrapolation past the newest sample
   */
  constructor({ capacity = 32, maxExtrapolateMs = 200 } = {}) {
    this.capacity = capacity;
    this.maxExtrapolateMs = maxExtrapolateMs;
    this.data = new Float64Array(capacity * S);
    this.count = 0;
    this.head = 0; // index of the newest sample
  }

  clear() {
    this.count = 0;
  }

  /** Server time (ms) of the newest sample, or -Infinity. */
  get latestTime() {
    return this.count ? this.data[this.head * S] : -Infinity;
  }

  /** Flags of the newest sample (AWAY and SPEAKING are shown without delay). */
  get latestFlags() {
    return this.count ? this.data[this.head * S + Slot.FLAGS] : 0;
  }

  /**
   * @param {number} t server time (ms)
   * @param {number} flags
   * @returns {number} where the new sample goes in the ring
   */
  _slotFor(t, flags) {
    if (flags & TELEPORTED) this.count = 0;
    if (this.count && t <= this.data[this.head * S]) {
      // A resend for the same tick (or an older frame): it replaces the newest.
      if (t < this.data[this.head * S]) return -1;
      return this.head * S;
    }
    this.head = this.count ? (this.head + 1) % this.capacity : 0;
    if (this.count < this.capacity) this.count++;
    return this.head * S;
  }

  /**
   * Add a DESKTOP_RECORD (codec.js shape: position, yaw, pitch, flags) seen at server time t.
   * @param {number} t
   * @param {{position: number[], yaw: number, pitch: number, flags: number}} rec
   */
  pushDesktop(t, rec) {
    const o = this._slotFor(t, rec.flags);
    if (o < 0) return;
    const d = this.data;
    d[o] = t;
    d[o + 1] = rec.position[0]; d[o + 2] = rec.position[1]; d[o + 3] = rec.position[2];
    d[o + 4] = rec.yaw; d[o + 5] = rec.pitch; d[o + 6] = rec.flags; d[o + 7] = 0;
    // Head orientation from yaw then pitch (YXZ order, like a three.js camera).
    const hy = rec.yaw / 2;
    const hp = rec.pitch / 2;
    const cy = Math.cos(hy); const sy = Math.sin(hy);
    const cp = Math.cos(hp); const sp = Math.sin(hp);
    d[o + 8] = cy * sp; d[o + 9] = sy * cp; d[o + 10] = -sy * sp; d[o + 11] = cy * cp;
    for (let i = 12; i < S; i++) d[o + i] = 0;
  }

  /**
   * Add a VR_RECORD (codec.js shape: position, head_q, left, left_q, right, right_q, flags).
   * @param {number} t
   * @param {{position: number[], head_q: number[], left: number[], left_q: number[],
   *          right: number[], right_q: number[], flags: number}} rec
   */
  pushVr(t, rec) {
    const o = this._slotFor(t, rec.flags);
    if (o < 0) return;
    const d = this.data;
    const q = rec.head_q;
    d[o] = t;
    d[o + 1] = rec.position[0]; d[o + 2] = rec.position[1]; d[o + 3] = rec.position[2];
    d[o + 4] = yawOfQuaternion(q[0], q[1], q[2], q[3]);
    d[o + 5] = 0; d[o + 6] = rec.flags; d[o + 7] = 1;
    for (let i = 0; i < 4; i++) {
      d[o + 8 + i] = q[i]; d[o + 15 + i] = rec.left_q[i]; d[o + 22 + i] = rec.right_q[i];
    }
    for (let i = 0; i < 3; i++) { d[o + 12 + i] = rec.left[i]; d[o + 19 + i] = rec.right[i]; }
  }

  /**
   * @param {number} k the k-th sample, oldest first
   * @returns {number} its offset in the ring
   */
  _index(k) {
    // k = 0 is the newest sample, 1 the one before, ...
    return ((this.head - k + this.capacity) % this.capacity) * S;
  }

  /**
   * @param {number} o
   * @param {Float64Array | number[]} out
   */
  _copy(o, out) {
    const d = this.data;
    for (let i = 0; i < S; i++) out[i] = d[o + i];
  }

  /**
   * Write the pose at server time t into `out` (length >= Slot.SIZE).
   * @param {number} t
   * @param {Float64Array | number[]} out
   * @returns {number} a SampleState
   */
  sample(t, out) {
    const n = this.count;
    if (!n) return SampleState.EMPTY;
    const d = this.data;
    const newest = this._index(0);
    if (t >= d[newest]) {
      this._copy(newest, out);
      out[Slot.T] = t;
      if (n < 2 || !(d[newest + 6] & MOVING)) return SampleState.HELD;
      const prev = this._index(1);
      const span = d[newest] - d[prev];
      if (span <= 0) return SampleState.HELD;
      const ahead = Math.min(t - d[newest], this.maxExtrapolateMs);
      const k = ahead / span;
      for (let j = 0; j < POSITION_SLOTS.length; j++) {
        const i = POSITION_SLOTS[j];
        out[i] = d[newest + i] + (d[newest + i] - d[prev + i]) * k;
      }
      return SampleState.EXTRAPOLATED;
    }
    for (let k = 1; k < n; k++) {
      const a = this._index(k);
      if (d[a] <= t) {
        const b = this._index(k - 1);
        this._lerp(a, b, (t - d[a]) / (d[b] - d[a]), out);
        out[Slot.T] = t;
        return SampleState.INTERPOLATED;
      }
    }
    // Older than everything kept: show the oldest sample.
    this._copy(this._index(n - 1), out);
    out[Slot.T] = t;
    return SampleState.HELD;
  }

  /**
   * @param {number} a
   * @param {number} b
   * @param {number} t 0..1
   * @param {Float64Array | number[]} out
   */
  _lerp(a, b, t, out) {
    const d = this.data;
    for (let j = 0; j < POSITION_SLOTS.length; j++) {
      const i = POSITION_SLOTS[j];
      out[i] = d[a + i] + (d[b + i] - d[a + i]) * t;
    }
    out[Slot.YAW] = d[a + 4] + wrapAngle(d[b + 4] - d[a + 4]) * t;
    out[Slot.PITCH] = d[a + 5] + (d[b + 5] - d[a + 5]) * t;
    const nearer = t < 0.5 ? a : b;
    out[Slot.FLAGS] = d[nearer + 6];
    out[Slot.VR] = d[b + 7];
    if (d[a + 7] !== d[b + 7]) {
      // Switching between desktop and VR: no meaningful blend of hands.
      for (let i = 8; i < S; i++) out[i] = d[b + i];
      return;
    }
    nlerpQuat(d, a + 8, b + 8, t, out, 8);
    nlerpQuat(d, a + 15, b + 15, t, out, 15);
    nlerpQuat(d, a + 22, b + 22, t, out, 22);
  }
}

export { InterpBuffer };
