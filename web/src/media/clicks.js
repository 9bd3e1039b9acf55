/**
 * Where clicks start in a stream of audio buffers: the mouth-to-ear
 * measurement's detector (bench/mouth_to_ear.py, through media/latencyhook.js).
 *
 * The benchmark's microphone plays a click track (silence with a short loud
 * burst every few hundred ms); the same detector runs on the microphone's
 * frames in the speaker's page and on the decoded buffers in the listener's,
 * so whatever it misjudges about a click's start it misjudges on both ends.
 * A click starts at the first sample louder than `threshold` after at least
 * `refractoryMs` without one: the ringing of a click after Opus (its tail, a
 * little pre-echo) never counts as a second click.
 *
 * Pure; buffers come in time order, each with the time of its first sample
 * on any clock in ms. Unit-tested in test/clicks.test.js.
 */

class ClickDetector {
  /** @param {{threshold?: number, refractoryMs?: number}} [options] */
  constructor({ threshold = 0.2, refractoryMs = 100 } = {}) {
    this.threshold = threshold;
    this.refractoryMs = refractoryMs;
    /** when the last loud sample was (ms) */
    this.lastLoudMs = -Infinity;
    this.found = 0;
  }

  /**
   * The clicks that start in `samples`.
   * @param {Float32Array} samples
   * @param {number} sampleRate
   * @param {number} startMs the time of the first sample
   * @returns {number[]} the index of each click's first sample
   */
  feed(samples, sampleRate, startMs) {
    /** @type {number[]} */
    const onsets = [];
    const msPerSample = 1000 / sampleRate;
    for (let i = 0; i < samples.length; i++) {
      const v = samples[i];
      if (v < this.threshold && v > -this.threshold) continue;
      const t = startMs + i * msPerSample;
      if (t - this.lastLoudMs >= this.refractoryMs) onsets.push(i);
      this.lastLoudMs = t;
    }
    this.found += onsets.length;
    return onsets;
  }
}

export { ClickDetector };
