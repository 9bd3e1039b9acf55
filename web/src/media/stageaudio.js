/**
 * Stage audio in the browser: the speakers this visitor hears, and their own
 * microphone when they are on stage.
 *
 * Listening: every media chunk (speaker id, stream, seq, bytes) goes to that
 * speaker's channel (channel.js: jitter buffer, decoder, scheduled playback),
 * panned at the stage for STAGE audio, or at the speaker's head for VOICE.
 * A pump every 20 ms decodes what is due; the listener's position and
 * orientation follow the camera each frame (HRTF in VR, equal-power panning
 * on a desktop). Chunks from the visitor's own id are dropped.
 *
 * Speaking: microphone → Opus (capture.js, in a worker where it can) → silence
 * gate (gate.js) → AUDIO frames of two chunks (batcher.js) → `sendAudio`.
 *
 * Browsers start an AudioContext suspended until the visitor clicks: `unlock()`
 * must run inside a click (the lobby's Enter does it; a "Join audio" button
 * otherwise), and `blocked` says chunks are arriving while no sound can play.
 * What cannot work here (no WebCodecs, no microphone, permission refused) is
 * said with an i18n key (support.js, CaptureError), never as silence.
 */

import { CaptureError, MicCapture } from './capture.js';
import { ChunkBatcher } from './batcher.js';
import { SpeakerChannel } from './channel.js';
import { SilenceGate } from './gate.js';
import { loadPlayout } from './playout.js';
import { ClockMap } from './schedule.js';
import { audioSupport } from './support.js';

/** The media streams of docs/protocol.md. */
export const Stream = Object.freeze({ VOICE: 1, STAGE: 2 });
const PUMP_MS = 20;
/** The least lookahead (ms): one pump period and the decoder's turn. */
const MIN_LOOKAHEAD_MS = 40;
const MAX_LOOKAHEAD_MS = 500;
/** How long the pump's late runs are remembered when sizing the lookahead. */
const GAP_WINDOW_MS = 3000;
/** A speaker not heard for this long is forgotten (its decoder closed). */
const FORGET_MS = 30000;

/**
 * @typedef {object} StageAudioDeps
 * @property {(stream: number, chunks: import('./batcher.js').Chunk[]) => boolean} sendAudio one AUDIO
 *   frame's chunks to the server; false if not connected
 * @property {() => number} [selfId] the visitor's own avatar id (its chunks are dropped)
 * @property {(id: number) => number[] | null} [speakerHead] where a VOICE speaker's head is
 * @property {(key: string, reason?: string) => void} [onProblem] something the visitor must know
 * @property {() => void} [onChange] state changed (blocked, speaking)
 * @property {any} [scope] the page's globals (AudioContext, AudioDecoder...)
 * @property {() => number} [now]
 */

class StageAudio {
  /** @param {StageAudioDeps} deps */
  constructor({
    sendAudio, selfId = () => -1, speakerHead = () => null, onProblem = () => {}, onChange = () => {},
    scope = globalThis, now = () => performance.now(),
  }) {
    this.sendAudio = sendAudio;
    this.selfId = selfId;
    this.speakerHead = speakerHead;
    this.onProblem = onProblem;
    this.onChange = onChange;
    this.scope = scope;
    this.now = now;
    this.support = audioSupport(scope);
    /** @type {AudioContext | null} */
    this.ctx = null;
    /** @type {GainNode | null} */
    this.master = null;
    /** @type {AnalyserNode | null} */
    this.analyser = null;
    this.clock = new ClockMap();
    /** @type {Map<string, SpeakerChannel>} by `${id}:${stream}` */
    this.channels = new Map();
    /** @type {ReturnType<typeof setInterval> | null} */
    this.timer = null;
    this.stagePosition = [0, 1.6, 0];
    this.vr = false;
    this.muted = false;
    this.blocked = false;
    this.dropped = 0;
    this.received = 0;
    /** @type {{capture: MicCapture, gate: SilenceGate, batcher: ChunkBatcher, stream: number} | null} */
    this.mic = null;
    this.micKey = null;
    this.sent = 0;
    this.refused = 0;
    /** @type {number[]} when the pump ran, the last few seconds (its gaps size the lookahead) */
    this.pumps = [];
    this.lookaheadMs = MIN_LOOKAHEAD_MS;
    /** @type {import('./taps.js').MediaTaps | null} a measurement's taps (media/taps.js), if armed */
    this.taps = null;
  }

  /** 'none' (no context yet), 'suspended' (needs a click) or 'running'. */
  get state() {
    return this.ctx ? this.ctx.state : 'none';
  }

  /**
   * The page's one AudioContext, made on first use (proximity voice plays through it too:
   * voice/hearing.js), or null where this browser cannot play (no Web Audio or AudioDecoder).
   * @returns {AudioContext | null}
   */
  context() {
    return this.support.listen ? null : this._context();
  }

  /**
   * Make (or wake) the audio context: call it inside a click or key press.
   * @returns {Promise<boolean>} whether sound can play now
   */
  async unlock() {
    if (this.support.listen) {
      this.onProblem(this.support.listen);
      return false;
    }
    const ctx = this._context();
    try {
      await ctx.resume();
    } catch {
      // Stays suspended: the visitor is asked again.
    }
    const running = ctx.state === 'running';
    if (running && this.blocked) {
      this.blocked = false;
      this.onChange();
    }
    return running;
  }

  /**
   * A media chunk from the server (a record of a DELTA/KEYFRAME's media section).
   * @param {number} speakerId
   * @param {number} stream 1 VOICE, 2 STAGE
   * @param {number} seq
   * @param {Uint8Array} data
   */
  onMediaChunk(speakerId, stream, seq, data) {
    if (speakerId === this.selfId() || this.support.listen) return;
    this.received++;
    const ctx = this._context();
    if (ctx.state !== 'running') {
      this.dropped++;
      if (!this.blocked) {
        this.blocked = true;
        this.onChange();
      }
      return;
    }
    const key = `${speakerId}:${stream}`;
    this.taps?.arrived?.(key, seq);
    let channel = this.channels.get(key);
    if (!channel) {
      channel = new SpeakerChannel({
        ctx, output: /** @type {GainNode} */ (this.master), clock: this.clock,
        panningModel: this.vr ? 'HRTF' : 'equalpower', key, taps: () => this.taps,
      });
      this.channels.set(key, channel);
      this._placeChannel(channel, speakerId, stream);
      this._startPump();
    }
    channel.push(seq, data, this.now());
  }

  /**
   * Where the stage's sound comes from (world metres): the forum hall's stage.
   * @param {number[]} position
   */
  setStage(position) {
    this.stagePosition = position.slice(0, 3);
    for (const [key, ch] of this.channels) {
      const [id, stream] = key.split(':').map(Number);
      this._placeChannel(ch, id, stream);
    }
  }

  /**
   * The listener: the camera's world position, forward and up vectors. Once per frame.
   * @param {ArrayLike<number>} p position
   * @param {ArrayLike<number>} f forward
   * @param {ArrayLike<number>} u up
   */
  setListener(p, f, u) {
    const ctx = this.ctx;
    if (!ctx || ctx.state !== 'running') return;
    const l = ctx.listener;
    const t = ctx.currentTime;
    if (l.positionX) {
      l.positionX.setValueAtTime(p[0], t); l.positionY.setValueAtTime(p[1], t); l.positionZ.setValueAtTime(p[2], t);
      l.forwardX.setValueAtTime(f[0], t); l.forwardY.setValueAtTime(f[1], t); l.forwardZ.setValueAtTime(f[2], t);
      l.upX.setValueAtTime(u[0], t); l.upY.setValueAtTime(u[1], t); l.upZ.setValueAtTime(u[2], t);
    }
    for (const [key, ch] of this.channels) {
      const [id, stream] = key.split(':').map(Number);
      if (stream === Stream.VOICE) this._placeChannel(ch, id, stream);
    }
  }

  /** @param {boolean} vr HRTF (headphones of a headset) or equal-power panning (speakers) */
  setVr(vr) {
    if (vr === this.vr) return;
    this.vr = vr;
    for (const ch of this.channels.values()) ch.setPanning(vr ? 'HRTF' : 'equalpower');
  }

  /** @param {boolean} muted the visitor silences the stage for themselves */
  setMuted(muted) {
    this.muted = muted;
    if (this.master && this.ctx) this.master.gain.setTargetAtTime(muted ? 0 : 1, this.ctx.currentTime, 0.02);
    this.onChange();
  }

  // --- speaking -----------------------------------------------------------------------------

  /** Whether the microphone is live. */
  get speaking() {
    return this.mic !== null;
  }

  /**
   * Open the microphone and send it as `stream`; throws a CaptureError (the visitor must be
   * told why).
   * @param {number} stream
   */
  async startMic(stream = Stream.STAGE) {
    if (this.mic) return;
    if (this.support.speak) throw new CaptureError(this.support.speak, this.support.speak);
    const gate = new SilenceGate();
    const batcher = new ChunkBatcher({
      send: (chunks) => {
        if (this.sendAudio(stream, chunks)) {
          this.sent += chunks.length;
          this.taps?.sent?.(chunks.map((c) => c.seq));
        } else {
          this.refused += chunks.length;
        }
      },
    });
    const capture = new MicCapture({
      onPacket: (seq, data, ts) => {
        this.taps?.packet?.(seq, ts);
        if (gate.open(ts)) batcher.add(seq, data);
        else batcher.flush();
      },
      onLevel: (start, duration, level) => gate.level(start, duration, level),
      onError: (err) => {
        this.stopMic();
        this.onProblem('media.micFailed', err.message);
      },
      onSamples: (samples, rate, ts) => this.taps?.capture?.(samples, rate, ts),
      wantsSamples: () => Boolean(this.taps?.capture),
      scope: this.scope,
    });
    this.mic = { capture, gate, batcher, stream };
    try {
      await capture.start();
    } catch (err) {
      capture.stop();
      this.mic = null;
      throw err;
    }
    if (this.mic?.capture !== capture) {
      // Stopped while the browser was asking for permission.
      capture.stop();
      return;
    }
    this.onChange();
  }

  /** Close the microphone (its indicator in the browser goes off). */
  stopMic() {
    const mic = this.mic;
    if (!mic) return;
    this.mic = null;
    mic.capture.stop();
    mic.batcher.flush();
    this.onChange();
  }

  // --- what the tests and the curious read ------------------------------------------------------

  /** The level (RMS, 0–1) of what the speakers play now (after mixing). */
  outputLevel() {
    if (!this.analyser) return 0;
    const buf = new Float32Array(this.analyser.fftSize);
    this.analyser.getFloatTimeDomainData(buf);
    let sum = 0;
    for (const v of buf) sum += v * v;
    return Math.sqrt(sum / buf.length);
  }

  get stats() {
    /** @type {Record<string, import('./channel.js').ChannelStats>} */
    const speakers = {};
    for (const [key, ch] of this.channels) speakers[key] = ch.stats;
    const mic = this.mic;
    return {
      state: this.state, blocked: this.blocked, muted: this.muted, received: this.received, dropped: this.dropped,
      speakers,
      mic: mic ? {
        stream: mic.stream, path: mic.capture.path, label: mic.capture.label, frames: mic.capture.frames,
        gapMs: mic.capture.gapMs, packets: mic.capture.packets, bytes: mic.capture.bytes, gated: mic.gate.closed,
        frames_sent: mic.batcher.frames,
      } : null,
      sent: this.sent, refused: this.refused, lookaheadMs: this.lookaheadMs,
    };
  }

  /** Stop everything (the visitor left). */
  close() {
    this.stopMic();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const ch of this.channels.values()) ch.close();
    this.channels.clear();
  }

  // --- internals ------------------------------------------------------------------------------

  /** @returns {AudioContext} */
  _context() {
    if (this.ctx) return this.ctx;
    /** @type {AudioContext} */
    const ctx = new this.scope.AudioContext({ latencyHint: 'interactive' });
    this.master = ctx.createGain();
    this.analyser = ctx.createAnalyser();
    this.analyser.fftSize = 2048;
    this.master.connect(this.analyser).connect(ctx.destination);
    // Speakers play on the audio thread once this has loaded (channel.js, playout.js).
    loadPlayout(ctx, this.scope);
    ctx.addEventListener('statechange', () => {
      if (ctx.state === 'running' && this.blocked) {
        this.blocked = false;
        this.onChange();
      }
    });
    this.ctx = ctx;
    return ctx;
  }

  _startPump() {
    if (this.timer) return;
    this.timer = setInterval(() => this._pump(), PUMP_MS);
  }

  _pump() {
    const ctx = this.ctx;
    if (!ctx) return;
    const now = this.now();
    const stamp = typeof ctx.getOutputTimestamp === 'function' ? ctx.getOutputTimestamp() : null;
    if (stamp?.contextTime !== undefined && stamp.performanceTime !== undefined && stamp.performanceTime > 0) {
      this.clock.observe(stamp.contextTime, stamp.performanceTime);
    } else {
      this.clock.observe(ctx.currentTime, now);
    }
    this._sizeLookahead(now);
    for (const [key, ch] of this.channels) {
      ch.jitter.setLookahead(this.lookaheadMs);
      if (now - ch.lastHeardMs > FORGET_MS) {
        ch.close();
        this.channels.delete(key);
        continue;
      }
      ch.pump(now);
    }
    if (!this.channels.size && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /**
   * The pump should run every 20 ms, but a page busy drawing (a slow GPU, a software renderer)
   * runs it late: chunks are then taken that much earlier, so they are decoded and scheduled
   * before their time. The lookahead follows the longest recent gap between two pumps.
   * @param {number} now
   */
  _sizeLookahead(now) {
    const pumps = this.pumps;
    pumps.push(now);
    while (pumps.length && now - pumps[0] > GAP_WINDOW_MS) pumps.shift();
    let gap = 0;
    for (let i = 1; i < pumps.length; i++) gap = Math.max(gap, pumps[i] - pumps[i - 1]);
    this.lookaheadMs = Math.round(Math.min(MAX_LOOKAHEAD_MS, Math.max(MIN_LOOKAHEAD_MS, gap * 1.25 + 10)));
  }

  /**
   * @param {SpeakerChannel} ch
   * @param {number} id
   * @param {number} stream
   */
  _placeChannel(ch, id, stream) {
    const p = stream === Stream.STAGE ? this.stagePosition : this.speakerHead(id) ?? this.stagePosition;
    ch.place(p[0], p[1], p[2]);
  }
}

export { StageAudio };
