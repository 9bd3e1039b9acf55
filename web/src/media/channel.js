/**
 * One speaker heard by this listener, into the speaker's own panner. Two
 * ways to play, the first wherever the page has it:
 *
 *   on the audio thread (playout.js says whether the worklet loaded):
 *   push(seq, bytes) ─► Opus decoder (decoding.js: a worker) ─► playout worklet (jitter buffer,
 *                                                                 sample-accurate) ─► panner ─► the mix
 *
 *   from the main thread (no AudioWorklet, an unbuilt page):
 *   push(seq, bytes) ─► JitterBuffer ─pump()─► Opus decoder ─► BufferSchedule ─► source.start(t)
 *                                                                                  └─► panner ─► the mix
 *
 * On the audio thread a chunk is decoded as it arrives and the worklet
 * (playoutworklet.js, playoutcore.js) plays it at its moment, whatever the
 * page's main thread is doing; `pump()` then does nothing. From the main
 * thread, `pump(now)` runs every ~20 ms (stageaudio.js): it takes the chunks
 * due within the jitter buffer's lookahead and decodes them; each decoded
 * 20 ms goes to an AudioBufferSourceNode started at its playout time on the
 * context's clock. The statistics (decoded frames, signal level, late and
 * lost chunks, delay, where it played) are what the tests and the curious read.
 */

import { JitterBuffer } from './jitter.js';
import { decoderFor } from './decoding.js';
import { BufferSchedule } from './schedule.js';
import { LevelMeter } from './gate.js';
import { playoutLoading, playoutReady } from './playout.js';

/** Seqs remembered to tell a repeated chunk (about a second of one speaker). */
const SEEN = 64;

/**
 * @typedef {object} ChannelStats
 * @property {number} decoded frames decoded
 * @property {string} decodedIn 'worker' (decoding.js) or 'main' (this page's main thread)
 * @property {string} playedIn 'worklet' (the audio thread) or 'main' (scheduled from the main thread);
 *   'none' before the first chunk
 * @property {number} waited chunks dropped while the page's playout worklet was still loading
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
    /** @type {AudioWorkletNode | null} the speaker's playout on the audio thread */
    this.node = null;
    /**
     * Made with the first chunk, once the way this speaker plays is known (playout.js).
     * @type {ReturnType<typeof decoderFor> | null}
     */
    this.decoder = null;
    /** @type {import('./playoutcore.js').PlayoutStats | null} the worklet's last report */
    this.remote = null;
    this.tapping = false;
    /** @type {Set<number>} the last seqs sent to the decoder (worklet path) */
    this.seen = new Set();
    this.meter = new LevelMeter();
    this.waited = 0;
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
    if (!this.decoder && !this._start()) {
      // A speaker whose first chunk came while the worklet loads would play from the main
      // thread for as long as they talk: the few milliseconds of chunks the load takes are lost.
      this.waited++;
      return;
    }
    // The chunk may be a view into a frame that is reused: keep a copy.
    if (this.node) {
      this._syncTap();
      // A chunk seen again (a node's bus may repeat one) never reaches the decoder: its output
      // would take another chunk's tag.
      if (this.seen.has(seq)) return;
      this.seen.add(seq);
      if (this.seen.size > SEEN) this.seen.delete(this.seen.values().next().value ?? seq);
      // Decoded now; the worklet's jitter buffer says when it plays (the seq is its tag).
      this.decoder?.decode(data.slice(), seq, seq);
    } else {
      this.jitter.push(seq, data.slice(), nowMs);
    }
  }

  /** @param {number} nowMs decode what is due within the lookahead (main-thread playout only) */
  pump(nowMs) {
    const decoder = this.decoder;
    if (this.node || !decoder) return;
    for (const p of this.jitter.take(nowMs)) decoder.decode(p.data, p.slot, p.playAtMs);
  }

  /**
   * Choose how this speaker plays, with its first chunk: on the audio thread where the page's
   * playout worklet has loaded, else from the main thread.
   * @returns {boolean} false while the worklet is still loading (ask again with the next chunk)
   */
  _start() {
    const ctx = this.ctx;
    if (playoutLoading(ctx)) return false;
    if (!playoutReady(ctx)) {
      this.decoder = decoderFor((s, rate, tag, ts) => this._play(s, rate, tag, ts));
      return true;
    }
    const node = new AudioWorkletNode(ctx, 'speaker-playout', {
      numberOfInputs: 0, numberOfOutputs: 1, outputChannelCount: [1],
    });
    node.connect(this.panner);
    node.port.onmessage = (ev) => this._report(ev.data);
    const route = new MessageChannel();
    node.port.postMessage({ source: route.port1 }, [route.port1]);
    this.node = node;
    // Buffers the main thread decodes itself (no worker, or it failed) go by the node's port.
    this.decoder = decoderFor((s, rate, tag) => node.port.postMessage({ pcm: [tag, s, rate] }, [s.buffer]),
      globalThis, route.port2);
    return true;
  }

  /** Forget what is queued (the speaker restarted or was silenced): the next chunk starts afresh. */
  reset() {
    this.jitter.reset();
    this.seen.clear();
    this.node?.port.postMessage({ reset: true });
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
    const decodedIn = this.decoder?.path ?? 'none';
    const r = this.remote;
    if (this.node) {
      return {
        decoded: r?.decoded ?? 0, decodedIn, playedIn: 'worklet', waited: this.waited,
        scheduled: r?.scheduled ?? 0, lateDecoded: r?.lateDecoded ?? 0, droppedLate: r?.droppedLate ?? 0,
        slipMs: r?.slipMs ?? 0, rms: r?.rms ?? 0, peakRms: r?.peakRms ?? 0,
        jitter: r ? { ...r.jitter } : { ...this.jitter.stats }, targetMs: r?.targetMs ?? this.jitter.targetMs,
        delayMs: r?.delayMs ?? 0,
      };
    }
    return {
      decoded: this.decoder?.decoded ?? 0, decodedIn, playedIn: this.decoder ? 'main' : 'none', waited: this.waited,
      scheduled: this.schedule.scheduled, lateDecoded: this.schedule.late,
      droppedLate: this.schedule.dropped, slipMs: Math.round(this.schedule.slipS * 1000),
      rms: this.meter.level, peakRms: this.meter.peak,
      jitter: { ...this.jitter.stats }, targetMs: this.jitter.targetMs, delayMs: this.jitter.delayMs,
    };
  }

  close() {
    this.decoder?.close();
    if (this.node) {
      // The processor closes its port and stops when it reads this (the port stays open so the
      // message is read).
      this.node.port.postMessage({ close: true });
      this.node.port.onmessage = null;
      this.node.disconnect();
    }
    this.panner.disconnect();
  }

  /** Ask the worklet for every buffer it lays in while a measurement's tap is armed. */
  _syncTap() {
    const on = Boolean(this.taps()?.playout);
    if (on === this.tapping || !this.node) return;
    this.tapping = on;
    this.node.port.postMessage({ tap: on });
  }

  /**
   * What the worklet says: its figures, and the buffers it laid in (when tapped).
   * @param {{stats: import('./playoutcore.js').PlayoutStats,
   *   placed: [number, number, Float32Array, number][]}} m
   */
  _report(m) {
    this.remote = m.stats;
    const tap = this.taps()?.playout;
    if (!tap || !m.placed.length) return;
    const rate = this.ctx.sampleRate;
    for (const [slot, start, samples, playAtMs] of m.placed) {
      // The worklet's jitter buffer runs on the context's clock; a tap is told page time.
      const playAtPage = this.clock.toPage(playAtMs / 1000);
      tap(this.key, { samples, sampleRate: rate, startS: start / rate, slot, playAtMs: playAtPage, ctx: this.ctx });
    }
  }

  /**
   * @param {Float32Array<ArrayBuffer>} samples
   * @param {number} sampleRate
   * @param {number} playAtMs
   * @param {number} timestampUs the packet's slot × 20 ms
   */
  _play(samples, sampleRate, playAtMs, timestampUs) {
    this.meter.feed(samples, sampleRate);
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
}

export { SpeakerChannel };
