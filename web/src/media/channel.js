/**
 * One speaker heard by this listener: jitter buffer → decoder → buffers
 * scheduled on the AudioContext, into the speaker's own panner.
 *
 *   push(seq, bytes) ─► JitterBuffer ─pump()─► Opus decoder (decoding.js: a worker) ─► BufferSchedule ─► source.start(t)
 *                                                                      └─► panner ─► the mix
 *
 * `pump(now)` runs every ~20 ms (stageaudio.js): it takes the chunks due
 * within the jitter buffer's lookahead and decodes them; each decoded 20 ms
 * goes to an AudioBufferSourceNode started at its playout time on the
 * context's clock. The statistics (decoded frames, signal level, late and
 * lost chunks, delay) are what the tests and the curious read.
 */

import { JitterBuffer } from './jitter.js';
import { decoderFor } from './decoding.js';
import { BufferSchedule } from './schedule.js';
import { rms } from './gate.js';

/**
 * @typedef {object} ChannelStats
 * @property {number} decoded frames decoded
 * @property {string} decodedIn 'worker' (decoding.js) or 'main' (this page's main thread)
 * @property {number} scheduled buffers started
 * @property {number} lateDecoded buffers decoded after their moment (played late, not dropped)
 * @property {number} droppedLate buffers too late to play at all
 * @property {number} slipMs how much later than the jitter buffer wanted this speaker plays now
 * @property {number} rms level of about the last decoded second (0–1)
 * @property {number} peakRms the loudest decoded 20 ms so far
 * @property {import('./jitter.js').JitterStats} jitter
 * @property {number} targetMs
 * @property {number} delayMs
 */

class SpeakerChannel {
  /**
   * @param {object} deps
   * @param {AudioContext} deps.ctx
   * @param {AudioNode} deps.output where this speaker's sound goes (the mix)
   * @param {import('./schedule.js').ClockMap} deps.clock page time → context time
   * @param {PanningModelType} [deps.panningModel]
   * @param {string} [deps.key] the speaker, as `${id}:${stream}` (what a playout tap is told)
   * @param {() => import('./taps.js').MediaTaps | null} [deps.taps] a measurement's taps, if armed
   *   (media/taps.js)
   */
  constructor({ ctx, output, clock, panningModel = 'equalpower', key = '', taps = () => null }) {
    this.ctx = ctx;
    this.clock = clock;
    this.key = key;
    this.taps = taps;
    this.jitter = new JitterBuffer();
    this.schedule = new BufferSchedule();
    this.panner = new PannerNode(ctx, {
      panningModel, distanceModel: 'inverse', refDistance: 12, rolloffFactor: 0.6, maxDistance: 500,
    });
    this.panner.connect(output);
    this.decoder = decoderFor((s, rate, tag, ts) => this._play(s, rate, tag, ts));
    this.decoded = 0;
    this.energy = 0;
    this.level = 0;
    this.peak = 0;
    this.lastHeardMs = 0;
  }

  /**
   * A chunk of this speaker arrived.
   * @param {number} seq
   * @param {Uint8Array} data
   * @param {number} nowMs
   */
  push(seq, data, nowMs) {
    this.lastHeardMs = nowMs;
    // The chunk may be a view into a frame that is reused: keep a copy.
    this.jitter.push(seq, data.slice(), nowMs);
  }

  /** @param {number} nowMs decode what is due within the lookahead */
  pump(nowMs) {
    for (const p of this.jitter.take(nowMs)) this.decoder.decode(p.data, p.slot, p.playAtMs);
  }

  /**
   * Where the sound comes from (world metres).
   * @param {number} x
   * @param {number} y
   * @param {number} z
   */
  place(x, y, z) {
    const t = this.ctx.currentTime;
    this.panner.positionX.setValueAtTime(x, t);
    this.panner.positionY.setValueAtTime(y, t);
    this.panner.positionZ.setValueAtTime(z, t);
  }

  /** @param {PanningModelType} model */
  setPanning(model) {
    this.panner.panningModel = model;
  }

  /** @returns {ChannelStats} */
  get stats() {
    return {
      decoded: this.decoder.decoded, decodedIn: this.decoder.path, scheduled: this.schedule.scheduled, lateDecoded: this.schedule.late,
      droppedLate: this.schedule.dropped, slipMs: Math.round(this.schedule.slipS * 1000),
      rms: this.level, peakRms: this.peak,
      jitter: { ...this.jitter.stats }, targetMs: this.jitter.targetMs, delayMs: this.jitter.delayMs,
    };
  }

  close() {
    this.decoder.close();
    this.panner.disconnect();
  }

  /**
   * @param {Float32Array<ArrayBuffer>} samples
   * @param {number} sampleRate
   * @param {number} playAtMs
   * @param {number} timestampUs the packet's slot × 20 ms
   */
  _play(samples, sampleRate, playAtMs, timestampUs) {
    this._measure(samples, sampleRate);
    const duration = samples.length / sampleRate;
    const start = this.schedule.place(this.clock.toCtx(playAtMs), duration, this.ctx.currentTime);
    if (start === null) return;
    const buffer = this.ctx.createBuffer(1, samples.length, sampleRate);
    buffer.copyToChannel(samples, 0);
    const source = new AudioBufferSourceNode(this.ctx, { buffer });
    source.connect(this.panner);
    source.start(start);
    const tap = this.taps()?.playout;
    if (tap) {
      tap(this.key, {
        samples, sampleRate, startS: start, slot: Math.round(timestampUs / 20000), playAtMs, ctx: this.ctx,
      });
    }
  }

  /**
   * The level of what this speaker says: a running mean over about a second, and the loudest
   * 20 ms so far.
   * @param {Float32Array} samples
   * @param {number} sampleRate
   */
  _measure(samples, sampleRate) {
    const r = rms(samples);
    const k = Math.min(1, samples.length / sampleRate);
    this.energy = this.energy * (1 - k) + r * r * k;
    this.level = Math.sqrt(this.energy);
    this.peak = Math.max(this.peak, r);
  }
}

export { SpeakerChannel };
