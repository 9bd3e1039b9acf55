/**
 * One speaker's playout on the audio clock, sample by sample: what the
 * playout worklet (playoutworklet.js) runs for each speaker a page hears.
 *
 *   push(seq, samples, rate, frame) ─► JitterBuffer ─render()─► BufferSchedule ─► segments ─► out
 *
 * Decoded 20 ms buffers arrive already decoded (the decoder worker sends
 * them straight to the worklet), so nothing waits for a decoder's turn or a
 * busy main thread between a chunk's moment and its sound: each render
 * quantum (128 samples) takes the chunks due before the next one and lays
 * them in at their exact sample. The jitter buffer measures arrival on the
 * same clock the sound is played on (the context's frame counter), which is
 * the delay that matters: it absorbs the tick's batching, the network and
 * the listener page's own hiccups, and nothing else.
 *
 * Buffers decoded at another rate than the context's are resampled
 * (linearly, per 20 ms buffer, ends kept: speech, not music). Late buffers
 * slip the schedule as on the main-thread path (schedule.js). Delay the
 * jitter buffer holds beyond its target (a first spurt fitted to a slow
 * start, a path that got faster) is given back by skipping quiet buffers,
 * which the main-thread path, holding only Opus bytes, cannot tell.
 *
 * Pure (no Web Audio): unit-tested in test/playoutcore.test.js.
 */

import { JitterBuffer } from './jitter.js';
import { BufferSchedule } from './schedule.js';
import { LevelMeter, rms } from './gate.js';

/** Frames within this many of where the last segment ends are laid end to end. */
const SNAP_FRAMES = 2;
/** A buffer quieter than this (RMS) is a pause whatever the speaker's level... */
const QUIET_RMS = 0.002;
/** ...and so is one below this share (−12 dB) of the speaker's level over the last second. */
const QUIET_SHARE = 0.25;

/**
 * @typedef {object} PlayoutStats what the worklet reports to the page (channel.js)
 * @property {number} decoded buffers received decoded
 * @property {number} scheduled buffers laid on the clock
 * @property {number} lateDecoded buffers that came after their moment (played late)
 * @property {number} droppedLate buffers too late to play at all
 * @property {number} slipMs how much later than the jitter buffer wanted the speaker plays now
 * @property {number} rms level of about the last decoded second (0–1)
 * @property {number} peakRms the loudest decoded 20 ms so far
 * @property {import('./jitter.js').JitterStats} jitter
 * @property {number} targetMs
 * @property {number} delayMs
 */

/**
 * @param {Float32Array} samples
 * @param {number} from
 * @param {number} to
 * @returns {Float32Array} the same sound at rate `to`, its first and last samples kept
 */
function resample(samples, from, to) {
  const n = Math.max(1, Math.round((samples.length * to) / from));
  const out = new Float32Array(n);
  const step = n > 1 ? (samples.length - 1) / (n - 1) : 0;
  for (let i = 0; i < n; i++) {
    const x = i * step;
    const k = Math.floor(x);
    const f = x - k;
    out[i] = k + 1 < samples.length ? samples[k] * (1 - f) + samples[k + 1] * f : samples[k];
  }
  return out;
}

class SpeakerPlayout {
  /**
   * @param {number} sampleRate the context's rate
   * @param {{quantum?: number}} [options] frames per render call (Web Audio's is 128)
   */
  constructor(sampleRate, { quantum = 128 } = {}) {
    this.rate = sampleRate;
    // Chunks are taken two quanta ahead: the next render call must find them laid in.
    // Two buffers in a row well below the speaker's level (a pause between words, the silence
    // between clicks) may lose the first to give back delay the buffer no longer needs.
    /** @type {JitterBuffer<Float32Array>} */
    this.jitter = new JitterBuffer({
      lookaheadMs: ((2 * quantum) / sampleRate) * 1000,
      isQuiet: (/** @type {Float32Array} */ s) => {
        const r = rms(s);
        return r < QUIET_RMS || r < QUIET_SHARE * this.meter.level;
      },
    });
    this.schedule = new BufferSchedule({ minLeadS: 0 });
    /** @type {{start: number, samples: Float32Array}[]} laid in, in order */
    this.segments = [];
    /** @type {number | null} the frame where the last segment ends */
    this.end = null;
    this.received = 0;
    this.meter = new LevelMeter();
    /**
     * Told of every buffer as it is laid in (a measurement's tap; null when none).
     * @type {((slot: number, startFrame: number, samples: Float32Array, playAtMs: number) => void) | null}
     */
    this.onPlaced = null;
  }

  /**
   * A decoded buffer of this speaker arrived.
   * @param {number} seq its packet's wire seq
   * @param {Float32Array} samples mono
   * @param {number} sampleRate the decoder's rate
   * @param {number} frame the context's frame now
   */
  push(seq, samples, sampleRate, frame) {
    if (!samples.length) return;
    const s = sampleRate === this.rate ? samples : resample(samples, sampleRate, this.rate);
    this.received++;
    this.meter.feed(s, this.rate);
    this.jitter.push(seq, s, (frame / this.rate) * 1000);
  }

  /**
   * Fill `out` with this speaker's sound from `frame` on (silence where there is none).
   * @param {Float32Array} out
   * @param {number} frame the context's frame of out[0]
   */
  render(out, frame) {
    for (const p of this.jitter.take((frame / this.rate) * 1000)) this._place(p.slot, p.data, p.playAtMs, frame);
    out.fill(0);
    const until = frame + out.length;
    let done = 0;
    for (const seg of this.segments) {
      const segEnd = seg.start + seg.samples.length;
      if (seg.start >= until) break;
      if (segEnd <= frame) {
        done++;
        continue;
      }
      const from = Math.max(frame, seg.start);
      const to = Math.min(until, segEnd);
      out.set(seg.samples.subarray(from - seg.start, to - seg.start), from - frame);
      if (segEnd <= until) done++;
    }
    if (done) this.segments.splice(0, done);
  }

  /** Forget the stream (the speaker was muted or restarted): nothing queued plays. */
  reset() {
    this.jitter.reset();
    this.schedule.reset();
    this.segments.length = 0;
    this.end = null;
  }

  /** @returns {PlayoutStats} */
  get stats() {
    return {
      decoded: this.received, scheduled: this.schedule.scheduled, lateDecoded: this.schedule.late,
      droppedLate: this.schedule.dropped, slipMs: Math.round(this.schedule.slipS * 1000),
      rms: this.meter.level, peakRms: this.meter.peak,
      jitter: { ...this.jitter.stats }, targetMs: this.jitter.targetMs, delayMs: this.jitter.delayMs,
    };
  }

  /**
   * @param {number} slot
   * @param {Float32Array} samples
   * @param {number} playAtMs when the jitter buffer wants it (this clock, ms)
   * @param {number} frame now
   */
  _place(slot, samples, playAtMs, frame) {
    const start = this.schedule.place(playAtMs / 1000, samples.length / this.rate, frame / this.rate);
    if (start === null) return;
    let at = Math.max(frame, Math.round(start * this.rate));
    if (this.end !== null && (Math.abs(at - this.end) <= SNAP_FRAMES || at < this.end)) at = Math.max(frame, this.end);
    this.end = at + samples.length;
    this.segments.push({ start: at, samples });
    this.onPlaced?.(slot, at, samples, playAtMs);
  }
}

export { SpeakerPlayout, resample };
