/**
 * The speakers' playout on the audio thread: an AudioWorkletProcessor
 * ('speaker-playout'), one node per speaker a page hears, each feeding that
 * speaker's panner (channel.js). The sample-accurate part is playoutcore.js;
 * this file is the worklet's plumbing.
 *
 * Why: on the main thread, decoded buffers were scheduled by a pump that a
 * page busy drawing ran late, so the jitter buffer handed chunks out up to
 * half a second ahead of their time to be safe, and every listener waited
 * that long. The audio thread runs every 128 samples whatever the page does.
 *
 * In (node port): `{source: MessagePort}` where the decoder worker sends this
 *   speaker's decoded buffers, `{pcm: [seq, samples, sampleRate]}` (also
 *   accepted on the node's own port, from a page decoding on its main
 *   thread); `{tap: boolean}` report every buffer laid in; `{reset: true}`;
 *   `{close: true}`.
 * Out (node port), every 50 ms and whenever a tapped buffer was laid in:
 *   `{stats: PlayoutStats, placed: [[slot, startFrame, samples, playAtMs], ...]}`.
 */

import { SpeakerPlayout } from './playoutcore.js';

/** How often (s, audio clock) the page hears this speaker's figures. */
const STATS_EVERY_S = 0.05;

/** @type {any} the worklet's global scope (the DOM types describe a window) */
const scope = globalThis;

class PlayoutProcessor extends scope.AudioWorkletProcessor {
  constructor() {
    super();
    this.core = new SpeakerPlayout(scope.sampleRate);
    this.alive = true;
    this.tap = false;
    /** @type {[number, number, Float32Array, number][]} */
    this.placed = [];
    this.statsAt = -Infinity;
    /** @type {MessagePort | null} */
    this.source = null;
    this.core.onPlaced = (/** @type {number} */ slot, /** @type {number} */ start,
      /** @type {Float32Array} */ samples, /** @type {number} */ playAtMs) => {
      if (this.tap) this.placed.push([slot, start, samples.slice(), playAtMs]);
    };
    this.port.onmessage = (/** @type {MessageEvent} */ ev) => this._message(ev.data);
  }

  /** @param {any} m */
  _message(m) {
    if (m.pcm) {
      const [seq, samples, rate] = m.pcm;
      this.core.push(seq, samples, rate, scope.currentFrame);
    } else if (m.source) {
      this.source = m.source;
      m.source.onmessage = (/** @type {MessageEvent} */ ev) => this._message(ev.data);
    } else if (m.tap !== undefined) {
      this.tap = Boolean(m.tap);
    } else if (m.reset) {
      this.core.reset();
    } else if (m.close) {
      this.alive = false;
      this.source?.close();
      this.port.close();
    }
  }

  /**
   * @param {Float32Array[][]} _inputs
   * @param {Float32Array[][]} outputs
   * @returns {boolean}
   */
  process(_inputs, outputs) {
    const out = outputs[0];
    if (out?.length) {
      this.core.render(out[0], scope.currentFrame);
      for (let c = 1; c < out.length; c++) out[c].set(out[0]);
    }
    if (this.placed.length || scope.currentTime - this.statsAt >= STATS_EVERY_S) {
      this.statsAt = scope.currentTime;
      const placed = this.placed;
      this.placed = [];
      this.port.postMessage({ stats: this.core.stats, placed }, placed.map((p) => p[2].buffer));
    }
    return this.alive;
  }
}

scope.registerProcessor('speaker-playout', PlayoutProcessor);
