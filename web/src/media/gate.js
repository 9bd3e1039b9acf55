/**
 * The silence gate of a microphone: which 20 ms chunks are worth sending.
 *
 * Silence is not sent (docs/protocol.md: a gap in seq is silence or loss), so
 * a speaker who pauses costs nothing and the listeners' jitter buffers start
 * a fresh talk spurt when they resume. The capture reports the level (RMS) of
 * each stretch of input it reads; a chunk is sent if any input within
 * `hangoverMs` before it, or during it, was louder than `thresholdDb`. The
 * hangover keeps word endings and short pauses inside one spurt.
 *
 * Pure; timestamps in microseconds as WebCodecs gives them. Unit-tested in
 * test/gate.test.js.
 */

const CHUNK_US = 20000;

class SilenceGate {
  /** @param {{thresholdDb?: number, hangoverMs?: number}} [options] */
  constructor({ thresholdDb = -50, hangoverMs = 300 } = {}) {
    this.threshold = 10 ** (thresholdDb / 20);
    this.hangoverUs = hangoverMs * 1000;
    /** @type {number[]} start, end pairs (µs) of loud input, oldest first */
    this.loud = [];
    this.opened = 0;
    this.closed = 0;
  }

  /**
   * The level of the input from `startUs` for `durationUs`.
   * @param {number} startUs
   * @param {number} durationUs
   * @param {number} rms 0–1
   */
  level(startUs, durationUs, rms) {
    if (rms < this.threshold) return;
    const n = this.loud.length;
    if (n && startUs <= this.loud[n - 1] + 1) this.loud[n - 1] = Math.max(this.loud[n - 1], startUs + durationUs);
    else this.loud.push(startUs, startUs + durationUs);
  }

  /**
   * Whether the 20 ms chunk starting at `startUs` is sent.
   * @param {number} startUs
   * @returns {boolean}
   */
  open(startUs) {
    const from = startUs - this.hangoverUs;
    const to = startUs + CHUNK_US;
    // Forget loud stretches no later chunk can reach.
    while (this.loud.length && this.loud[1] < from - CHUNK_US) this.loud.splice(0, 2);
    for (let i = 0; i < this.loud.length; i += 2) {
      if (this.loud[i] < to && this.loud[i + 1] > from) {
        this.opened++;
        return true;
      }
    }
    this.closed++;
    return false;
  }
}

/**
 * The RMS of samples.
 * @param {Float32Array} samples
 * @returns {number}
 */
function rms(samples) {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  return samples.length ? Math.sqrt(sum / samples.length) : 0;
}

/**
 * How loud a speaker is as heard: a running mean of the energy over about a
 * second (`level`, RMS 0–1) and the loudest buffer so far (`peak`). Both
 * playouts (channel.js on the main thread, playoutcore.js on the audio
 * thread) measure what they are given with it.
 */
class LevelMeter {
  constructor() {
    this.energy = 0;
    this.level = 0;
    this.peak = 0;
  }

  /**
   * @param {Float32Array} samples one decoded buffer
   * @param {number} sampleRate
   * @returns {number} that buffer's RMS
   */
  feed(samples, sampleRate) {
    const r = rms(samples);
    const k = Math.min(1, samples.length / sampleRate);
    this.energy = this.energy * (1 - k) + r * r * k;
    this.level = Math.sqrt(this.energy);
    this.peak = Math.max(this.peak, r);
    return r;
  }
}

export { LevelMeter, rms, SilenceGate };
