/**
 * Decides when the local pose goes out: at most `hz` times a second (the
 * welcome's limits.pose_hz) and only when it changed by more than the wire
 * can tell (docs/protocol.md: "a standing visitor sends nothing"). A change
 * made while rate-limited still goes out as soon as the interval allows,
 * because the gate compares with the last pose *sent*, not the last offered.
 *
 * Poses are flat number arrays: [x, y, z, yaw, pitch, flags] on desktop, or
 * head, head quaternion, both hands and flags in VR. Switching between the
 * two (a different length) always sends.
 *
 * Pure and allocation-free per call; tested in test/posegate.test.js.
 */

class PoseGate {
  /**
   * @param {object} [opts]
   * @param {number} [opts.hz=20] most poses per second
   * @param {number} [opts.epsilon=0.002] smallest change that counts (m or rad)
   */
  constructor({ hz = 20, epsilon = 0.002 } = {}) {
    this.epsilon = epsilon;
    this.last = new Float64Array(32);
    this.lastLength = 0;
    this.lastAt = -Infinity;
    /** Least time between two poses (ms). */
    this.interval = 0;
    this.setRate(hz);
  }

  /** @param {number} hz most poses per second */
  setRate(hz) {
    // 1 ms of slack: frames at 60 Hz land 16.7 ms apart, and 3 of them make 50.1 ms.
    this.interval = 1000 / hz - 1;
  }

  /** Forget what was sent (after a reconnect, so the next pose goes out). */
  reset() {
    this.lastLength = 0;
    this.lastAt = -Infinity;
  }

  /**
   * True if `pose` should be sent at time `now` (ms); if so, it is recorded as sent.
   * @param {number} now
   * @param {ArrayLike<number>} pose
   * @param {number} [length] how much of `pose` is the pose
   * @returns {boolean}
   */
  offer(now, pose, length = pose.length) {
    if (now - this.lastAt < this.interval) return false;
    if (length === this.lastLength) {
      let changed = false;
      for (let i = 0; i < length; i++) {
        if (Math.abs(pose[i] - this.last[i]) > this.epsilon) { changed = true; break; }
      }
      if (!changed) return false;
    }
    for (let i = 0; i < length; i++) this.last[i] = pose[i];
    this.lastLength = length;
    this.lastAt = now;
    return true;
  }
}

export { PoseGate };
