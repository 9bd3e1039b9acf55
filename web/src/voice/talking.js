/**
 * The visitor's microphone for proximity voice: captured and encoded to Opus
 * (media/capture.js, in a worker where it can), held back in silence (media/gate.js)
 * and sent as VOICE frames (media/batcher.js), but only while `sending` says
 * so (push-to-talk held, or the open mic on: ptt.js). Frames captured while
 * not sending are dropped before the encoder, so nothing of them leaves the
 * page or is kept.
 */

import { CaptureError, MicCapture } from '../media/capture.js';
import { ChunkBatcher } from '../media/batcher.js';
import { SilenceGate } from '../media/gate.js';
import { audioSupport } from '../media/support.js';

/**
 * @typedef {object} VoiceMicDeps
 * @property {(chunks: import('../media/batcher.js').Chunk[]) => boolean} send one VOICE frame's
 *   chunks to the server; false if not connected
 * @property {() => boolean} sending whether chunks go out now
 * @property {(key: string, reason?: string) => void} [onProblem] the microphone failed
 * @property {any} [scope] the page's globals
 */

class VoiceMic {
  /** @param {VoiceMicDeps} deps */
  constructor({ send, sending, onProblem = () => {}, scope = globalThis }) {
    this.send = send;
    this.sending = sending;
    this.onProblem = onProblem;
    this.scope = scope;
    /** @type {{capture: MicCapture, gate: SilenceGate, batcher: ChunkBatcher} | null} */
    this.parts = null;
    this.sent = 0;
    this.unsent = 0;
    this.dropped = 0;
    /** @type {import('../media/taps.js').MediaTaps | null} a measurement's taps (media/taps.js), if armed */
    this.taps = null;
  }

  /** Why this browser cannot send a voice (an i18n key), or null. */
  get unsupported() {
    return audioSupport(this.scope).speak;
  }

  /** Whether the microphone is captured. */
  get open() {
    return this.parts !== null;
  }

  /** Capture the microphone (asks the visitor the first time); throws a CaptureError. */
  async start() {
    if (this.parts) return;
    const why = this.unsupported;
    if (why) throw new CaptureError(why, why);
    const gate = new SilenceGate();
    const batcher = new ChunkBatcher({
      send: (chunks) => {
        if (this.send(chunks)) {
          this.sent += chunks.length;
          this.taps?.sent?.(chunks.map((c) => c.seq));
        } else {
          this.unsent += chunks.length;
        }
      },
    });
    const capture = new MicCapture({
      onPacket: (seq, data, ts) => {
        this.taps?.packet?.(seq, ts);
        if (gate.open(ts) && this.sending()) batcher.add(seq, data);
        else batcher.flush();
      },
      onLevel: (start, duration, level) => gate.level(start, duration, level),
      onDropped: () => {
        this.dropped++;
        batcher.flush();
      },
      onError: (err) => {
        this.stop();
        this.onProblem('media.micFailed', err.message);
      },
      accept: () => this.sending(),
      onSamples: (samples, rate, ts) => this.taps?.capture?.(samples, rate, ts),
      wantsSamples: () => Boolean(this.taps?.capture),
      scope: this.scope,
    });
    const parts = { capture, gate, batcher };
    this.parts = parts;
    try {
      await capture.start();
    } catch (err) {
      capture.stop();
      if (this.parts === parts) this.parts = null;
      throw err;
    }
    if (this.parts !== parts) capture.stop(); // released while the browser was asking
  }

  /** Whether chunks go out changed (a talk control, the place): the capture must know at once. */
  refreshSending() {
    this.parts?.capture.refreshAccept();
  }

  /** Release the microphone (the browser's indicator goes off). */
  stop() {
    const parts = this.parts;
    if (!parts) return;
    this.parts = null;
    parts.capture.stop();
    parts.batcher.flush();
  }

  get stats() {
    const p = this.parts;
    return {
      open: Boolean(p), sent: this.sent, unsent: this.unsent, droppedFrames: this.dropped,
      ...(p ? {
        path: p.capture.path, label: p.capture.label, frames: p.capture.frames, gapMs: p.capture.gapMs,
        packets: p.capture.packets, bytes: p.capture.bytes, gated: p.gate.closed, framesSent: p.batcher.frames,
      } : {}),
    };
  }
}

export { VoiceMic };
