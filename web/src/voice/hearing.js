/**
 * Hearing the people near you: one channel per speaker (jitter buffer, Opus
 * decoder, scheduled playback: media/channel.js), each through its own gain
 * (the visitor's volume and mute for that person) into a voice bus, and its
 * own HRTF panner at the speaker's mouth (placement.js).
 *
 *   VOICE record ─► [blocked or muted? dropped] ─► SpeakerChannel ─► panner ─► gain ─► voice bus ─► speakers
 *
 * Muting and blocking are local: the server still routes that speaker's
 * chunks here, and this client drops them before decoding, so one speaker
 * goes quiet and nobody else does. A muted speaker's ring still shows that
 * they talk; a blocked one shows nothing. The AudioContext is the page's one
 * (shared with the stage, which owns its unlock); a pump every 20 ms decodes
 * what is due, sized like the stage's (a page drawing slowly pumps late).
 */

import { SpeakerChannel } from '../media/channel.js';
import { ClockMap } from '../media/schedule.js';
import { earsOf, mouthOf, placeListener, placePanner, voicePannerOptions } from './placement.js';

const PUMP_MS = 20;
const MIN_LOOKAHEAD_MS = 40;
const MAX_LOOKAHEAD_MS = 500;
const GAP_WINDOW_MS = 3000;
/** A speaker not heard for this long is forgotten (their decoder closed). */
const FORGET_MS = 30000;
/** A speaker heard within this long is speaking (their ring shows). */
const SPEAKING_MS = 400;
/** The loudest a visitor may turn one person up. */
const MAX_VOLUME = 2;

/**
 * @typedef {object} Voice one speaker heard
 * @property {SpeakerChannel} channel
 * @property {GainNode} gain
 * @property {number} received chunks that arrived
 * @property {number} ignored chunks dropped because the speaker is muted or blocked
 * @property {number} lastHeardMs
 */

/**
 * @typedef {object} HearingDeps
 * @property {() => AudioContext | null} context the page's audio context (null: this browser cannot play)
 * @property {(id: number) => ArrayLike<number> | null} head where a speaker's head is (world metres)
 * @property {() => number} [now]
 */

class VoiceHearing {
  /** @param {HearingDeps} deps */
  constructor({ context, head, now = () => performance.now() }) {
    this.context = context;
    this.head = head;
    this.now = now;
    this.radius = 12;
    /** @type {Map<number, Voice>} by speaker id */
    this.voices = new Map();
    /** @type {Map<number, number>} the visitor's volume per person (1 = as sent) */
    this.volumes = new Map();
    /** @type {Set<number>} people muted for this visitor */
    this.muted = new Set();
    /** @type {Set<number>} people blocked by this visitor */
    this.blocked = new Set();
    /** @type {GainNode | null} */
    this.bus = null;
    /** @type {AnalyserNode | null} */
    this.analyser = null;
    this.clock = new ClockMap();
    /** @type {ReturnType<typeof setInterval> | null} */
    this.timer = null;
    /** @type {number[]} */
    this.pumps = [];
    this.lookaheadMs = MIN_LOOKAHEAD_MS;
    this.received = 0;
    /** chunks that came while no sound could play (the page needs a click) */
    this.silenced = 0;
    this.ears = earsOf([0, 1.6, 0], [0, 0, 0, 1]);
    this._mouth = [0, 0, 0];
    /** @type {import('../media/taps.js').MediaTaps | null} a measurement's taps (media/taps.js), if armed */
    this.taps = null;
  }

  /** @param {number} radius the server's voice radius (metres) */
  setRadius(radius) {
    this.radius = radius;
  }

  /**
   * A VOICE chunk of speaker `id`.
   * @param {number} id
   * @param {number} seq
   * @param {Uint8Array} data
   */
  onChunk(id, seq, data) {
    if (this.blocked.has(id)) return;
    this.received++;
    const ctx = this.context();
    if (!ctx) return;
    if (ctx.state !== 'running') {
      this.silenced++;
      return;
    }
    const voice = this.voices.get(id) ?? this._voice(ctx, id);
    const now = this.now();
    voice.received++;
    voice.lastHeardMs = now;
    this.taps?.arrived?.(`${id}:1`, seq);
    if (this.muted.has(id)) {
      voice.ignored++;
      return;
    }
    voice.channel.push(seq, data, now);
  }

  /**
   * Mute (or unmute) one person for this visitor only.
   * @param {number} id
   * @param {boolean} muted
   */
  setMuted(id, muted) {
    if (muted) {
      this.muted.add(id);
      // What waits in their jitter buffer is dropped too: the mute is heard at once.
      this.voices.get(id)?.channel.reset();
    } else {
      this.muted.delete(id);
    }
    this._applyGain(id);
  }

  /**
   * One person's volume for this visitor (0–2; 1 as they sent it).
   * @param {number} id
   * @param {number} volume
   */
  setVolume(id, volume) {
    this.volumes.set(id, Math.min(MAX_VOLUME, Math.max(0, volume)));
    this._applyGain(id);
  }

  /**
   * Block (or unblock) one person: their voice is dropped and their ring hidden.
   * @param {number} id
   * @param {boolean} blocked
   */
  setBlocked(id, blocked) {
    if (blocked) {
      this.blocked.add(id);
      const voice = this.voices.get(id);
      if (voice) this._forget(id, voice);
    } else {
      this.blocked.delete(id);
    }
  }

  /** @param {number} id */
  volumeOf(id) {
    return this.volumes.get(id) ?? 1;
  }

  /**
   * Whether `id` talks now (a chunk came within the last moments).
   * @param {number} id
   * @param {number} [now]
   */
  speaking(id, now = this.now()) {
    const voice = this.voices.get(id);
    return Boolean(voice && now - voice.lastHeardMs < SPEAKING_MS);
  }

  /**
   * Once per frame: the ears follow the camera and every voice its speaker's head.
   * @param {ArrayLike<number>} position the camera's world position
   * @param {ArrayLike<number>} quaternion the camera's world quaternion
   */
  follow(position, quaternion) {
    earsOf(position, quaternion, this.ears);
    const ctx = this.context();
    if (!ctx || ctx.state !== 'running' || !this.voices.size) return;
    const t = ctx.currentTime;
    placeListener(/** @type {any} */ (ctx.listener), this.ears, t);
    for (const [id, voice] of this.voices) {
      const head = this.head(id);
      if (head) placePanner(voice.channel.panner, mouthOf(head, this._mouth), t);
    }
  }

  /** The level (RMS, 0–1) of all voices as played now. */
  outputLevel() {
    if (!this.analyser) return 0;
    const buf = new Float32Array(this.analyser.fftSize);
    this.analyser.getFloatTimeDomainData(buf);
    let sum = 0;
    for (const v of buf) sum += v * v;
    return Math.sqrt(sum / buf.length);
  }

  /** What the tests and the curious read: per speaker id. */
  get stats() {
    /** @type {Record<string, any>} */
    const speakers = {};
    for (const [id, v] of this.voices) {
      const p = v.channel.panner;
      speakers[id] = {
        ...v.channel.stats, received: v.received, ignored: v.ignored, gain: v.gain.gain.value,
        panner: {
          model: p.panningModel, position: [p.positionX.value, p.positionY.value, p.positionZ.value],
          refDistance: p.refDistance, maxDistance: p.maxDistance,
        },
      };
    }
    return {
      received: this.received, silenced: this.silenced, lookaheadMs: this.lookaheadMs, speakers,
      muted: [...this.muted], blocked: [...this.blocked], ears: this.ears,
    };
  }

  /** Forget every voice (the visitor left). */
  close() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const [id, voice] of this.voices) this._forget(id, voice);
  }

  // --- internals ------------------------------------------------------------------------------

  /**
   * @param {AudioContext} ctx
   * @param {number} id
   * @returns {Voice}
   */
  _voice(ctx, id) {
    if (!this.bus) {
      this.bus = ctx.createGain();
      this.analyser = ctx.createAnalyser();
      this.analyser.fftSize = 2048;
      this.bus.connect(this.analyser).connect(ctx.destination);
    }
    const gain = ctx.createGain();
    gain.connect(this.bus);
    const options = voicePannerOptions(this.radius);
    const channel = new SpeakerChannel({
      ctx, output: gain, clock: this.clock, panningModel: 'HRTF', key: `${id}:1`, taps: () => this.taps,
    });
    const panner = channel.panner;
    panner.distanceModel = options.distanceModel ?? 'inverse';
    panner.refDistance = options.refDistance ?? 1;
    panner.rolloffFactor = options.rolloffFactor ?? 1;
    panner.maxDistance = options.maxDistance ?? this.radius;
    const head = this.head(id);
    if (head) placePanner(panner, mouthOf(head, this._mouth), ctx.currentTime);
    /** @type {Voice} */
    const voice = { channel, gain, received: 0, ignored: 0, lastHeardMs: this.now() };
    this.voices.set(id, voice);
    this._applyGain(id);
    this._startPump();
    return voice;
  }

  /** @param {number} id */
  _applyGain(id) {
    const voice = this.voices.get(id);
    const ctx = this.context();
    if (!voice || !ctx) return;
    const g = this.muted.has(id) ? 0 : this.volumeOf(id);
    voice.gain.gain.setTargetAtTime(g, ctx.currentTime, 0.02);
  }

  /**
   * @param {number} id
   * @param {Voice} voice
   */
  _forget(id, voice) {
    voice.channel.close();
    voice.gain.disconnect();
    this.voices.delete(id);
  }

  _startPump() {
    if (this.timer) return;
    this.timer = setInterval(() => this._pump(), PUMP_MS);
  }

  _pump() {
    const ctx = this.context();
    if (!ctx) return;
    const now = this.now();
    const stamp = typeof ctx.getOutputTimestamp === 'function' ? ctx.getOutputTimestamp() : null;
    if (stamp?.contextTime !== undefined && stamp.performanceTime !== undefined && stamp.performanceTime > 0) {
      this.clock.observe(stamp.contextTime, stamp.performanceTime);
    } else {
      this.clock.observe(ctx.currentTime, now);
    }
    this._sizeLookahead(now);
    for (const [id, voice] of this.voices) {
      if (now - voice.lastHeardMs > FORGET_MS) {
        this._forget(id, voice);
        continue;
      }
      voice.channel.jitter.setLookahead(this.lookaheadMs);
      voice.channel.pump(now);
    }
    if (!this.voices.size && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** @param {number} now the longest recent gap between two pumps sizes the lookahead */
  _sizeLookahead(now) {
    const pumps = this.pumps;
    pumps.push(now);
    while (pumps.length && now - pumps[0] > GAP_WINDOW_MS) pumps.shift();
    let gap = 0;
    for (let i = 1; i < pumps.length; i++) gap = Math.max(gap, pumps[i] - pumps[i - 1]);
    this.lookaheadMs = Math.round(Math.min(MAX_LOOKAHEAD_MS, Math.max(MIN_LOOKAHEAD_MS, gap * 1.25 + 10)));
  }
}

export { MAX_VOLUME, SPEAKING_MS, VoiceHearing };
