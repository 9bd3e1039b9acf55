/**
 * The microphone: getUserMedia, then Opus packets (encoder.js) and the level
 * of each stretch of input (for the silence gate, gate.js).
 *
 * Where the browser can (a MediaStreamTrackProcessor whose readable moves to
 * a worker: Chrome, Edge), frames are read, measured and encoded in a worker
 * (micworker.js), off the page's main thread. A page busy drawing the hall (a
 * slow GPU, a software renderer, a loaded machine) reads late, and a
 * processor read late drops what its buffer cannot hold: on the main thread
 * that was heard as holes of seconds in a speaker's voice. Elsewhere frames
 * come from the track processor on the main thread, or from a
 * ScriptProcessorNode (every Web Audio implementation still runs it), and are
 * encoded there. Stereo input is reduced to its first channel: talk is mono.
 *
 * `accept()` says whether frames go to the encoder now (push-to-talk): frames
 * it refuses are dropped before the encoder, in whichever thread reads them;
 * the owner calls `refreshAccept()` when it changes, so the worker knows at
 * once (a page busy drawing would otherwise tell it only with the next frame
 * it handles).
 * `frames`, `gapMs` (input lost between frames: what a late reader costs) and
 * `packets` are what the tests and the curious read.
 *
 * Refusals become a CaptureError whose `key` is an i18n sentence (permission
 * refused, no microphone, something else), so the visitor always learns why
 * their microphone is not live.
 */

import { CaptureError } from './captureerror.js';
import { OpusEncoder } from './encoder.js';
import { rms } from './gate.js';

/**
 * @typedef {object} CaptureHooks
 * @property {(seq: number, data: Uint8Array, timestampUs: number) => void} onPacket an Opus packet:
 *   its seq, bytes and the capture timestamp of its first sample
 * @property {(startUs: number, durationUs: number, level: number) => void} [onLevel]
 * @property {() => void} [onDropped] a frame was refused by `accept` (dropped before the encoder)
 * @property {(err: Error) => void} [onError] the encoder failed (the microphone is then useless)
 * @property {() => boolean} [accept] whether frames are encoded now
 * @property {(samples: Float32Array, sampleRate: number, timestampUs: number) => void} [onSamples]
 *   each frame's first channel (a measurement's tap: media/taps.js)
 * @property {() => boolean} [wantsSamples] whether `onSamples` is listened to now (the worker
 *   then sends the samples over)
 */

/**
 * The samples of an AudioData's first channel as 32-bit floats.
 * @param {AudioData} frame
 * @returns {Float32Array<ArrayBuffer>}
 */
function firstChannel(frame) {
  const out = new Float32Array(frame.numberOfFrames);
  frame.copyTo(out, { planeIndex: 0, format: 'f32-planar' });
  return out;
}

/**
 * A mono AudioData from samples.
 * @param {Float32Array<ArrayBuffer>} samples
 * @param {number} sampleRate
 * @param {number} timestampUs
 * @returns {AudioData}
 */
function monoFrame(samples, sampleRate, timestampUs) {
  return new AudioData({
    format: 'f32-planar', sampleRate, numberOfFrames: samples.length, numberOfChannels: 1,
    timestamp: timestampUs, data: samples,
  });
}

/**
 * The clock frames are stamped with: the first frame's timestamp plus the samples read since,
 * which is the clock the encoder stamps its packets on, so the silence gate can match each
 * packet to the level of the frames it came from. A track processor's own timestamps may jump
 * (Chrome's restarts them, seconds back, when its readable moves to a worker); a jump forward is
 * input lost between two reads and is counted in `gapUs`.
 */
class SampleClock {
  constructor() {
    /** @type {number | null} the stamp of the next frame (µs) */
    this.nextUs = null;
    /** @type {number | null} where the last frame ended on the processor's own timestamps (µs) */
    this.rawEndUs = null;
    this.gapUs = 0;
  }

  /**
   * The stamp of a frame.
   * @param {number} rawUs its timestamp as the processor gave it
   * @param {number} durationUs
   * @returns {number}
   */
  stamp(rawUs, durationUs) {
    // A millisecond of slack: timestamps are rounded to whole µs per frame.
    if (this.rawEndUs !== null && rawUs - this.rawEndUs > 1000) this.gapUs += rawUs - this.rawEndUs;
    this.rawEndUs = rawUs + durationUs;
    const at = this.nextUs ?? rawUs;
    this.nextUs = at + durationUs;
    return at;
  }
}

/**
 * The worker's script (micworker.js, content-hashed by the build), named by the page's
 * `<meta name="mic-worker">`; null where there is none (an unbuilt page, a test).
 * @param {any} scope
 * @returns {string | null}
 */
function micWorkerUrl(scope) {
  const meta = scope.document?.querySelector?.('meta[name="mic-worker"]');
  return meta?.getAttribute('content') || null;
}

class MicCapture {
  /**
   * @param {CaptureHooks & {mediaDevices?: MediaDevices, scope?: any, bitrate?: number,
   *   workerUrl?: string | null}} deps
   */
  constructor({
    onPacket, onLevel = () => {}, onDropped = () => {}, onError = () => {}, accept = () => true,
    onSamples = () => {}, wantsSamples = () => false, mediaDevices = navigator.mediaDevices,
    scope = globalThis, bitrate = 28000, workerUrl = micWorkerUrl(scope),
  }) {
    this.onPacket = onPacket;
    this.onLevel = onLevel;
    this.onDropped = onDropped;
    this.onError = onError;
    this.accept = accept;
    this.onSamples = onSamples;
    this.wantsSamples = wantsSamples;
    this.mediaDevices = mediaDevices;
    this.scope = scope;
    this.bitrate = bitrate;
    this.workerUrl = workerUrl;
    /** @type {MediaStream | null} */
    this.stream = null;
    /** @type {AudioContext | null} the script-processor path's context */
    this.ctx = null;
    /** @type {Worker | null} the worker path's worker */
    this.worker = null;
    /** @type {OpusEncoder | null} the main-thread paths' encoder */
    this.encoder = null;
    /** what the worker was last told: [accept, samples] */
    this.told = [true, false];
    this.clock = new SampleClock();
    /** input lost between frames in the worker (µs), as it last said */
    this.workerGapUs = 0;
    this.running = false;
    this.frames = 0;
    this.packets = 0;
    this.bytes = 0;
    this.label = '';
    this.path = '';
  }

  /** Input lost between frames so far (ms): 0 unless the reader fell behind. */
  get gapMs() {
    return Math.round((this.clock.gapUs + this.workerGapUs) / 1000);
  }

  /** Ask for the microphone and start reading it; throws a CaptureError. */
  async start() {
    if (this.running) return;
    if (!this.mediaDevices?.getUserMedia) throw new CaptureError('media.noMicApi', 'no getUserMedia');
    try {
      this.stream = await this.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      });
    } catch (err) {
      const name = err instanceof Error ? err.name : '';
      const message = err instanceof Error ? err.message : String(err);
      if (name === 'NotAllowedError' || name === 'SecurityError') throw new CaptureError('media.micDenied', message);
      if (name === 'NotFoundError' || name === 'OverconstrainedError') throw new CaptureError('media.noMic', message);
      throw new CaptureError('media.micFailed', message || name);
    }
    const track = this.stream.getAudioTracks()[0];
    if (!track) {
      this.stop();
      throw new CaptureError('media.noMic', 'the stream has no audio track');
    }
    this.label = track.label;
    this.running = true;
    track.addEventListener('ended', () => this.stop());
    if (typeof this.scope.MediaStreamTrackProcessor !== 'function') this._processNode(this.stream);
    else if (!this._inWorker(track)) this._readTrack(track);
  }

  /** Stop reading and release the microphone (its indicator goes off); pending packets are dropped. */
  stop() {
    this.running = false;
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = null;
    this.ctx?.close().catch(() => {});
    this.ctx = null;
    this.worker?.terminate();
    this.worker = null;
    this.encoder?.close();
    this.encoder = null;
  }

  // --- the worker path ----------------------------------------------------------------------------

  /**
   * Read and encode in a worker; false where this browser cannot move the processor's readable.
   * @param {MediaStreamTrack} track
   * @returns {boolean}
   */
  _inWorker(track) {
    if (!this.workerUrl || typeof this.scope.Worker !== 'function') return false;
    /** @type {Worker} */
    const worker = new this.scope.Worker(this.workerUrl, { type: 'module', name: 'microphone' });
    try {
      const readable = new this.scope.MediaStreamTrackProcessor({ track, maxBufferSize: 200 }).readable;
      this.told = [this.accept(), this.wantsSamples()];
      worker.postMessage(
        { readable, bitrate: this.bitrate, accept: this.told[0], samples: this.told[1] }, [readable],
      );
    } catch {
      // No transferable streams here: read on the main thread.
      worker.terminate();
      return false;
    }
    this.path = 'worker';
    this.worker = worker;
    worker.addEventListener('message', (ev) => this._fromWorker(ev.data));
    worker.addEventListener('error', (ev) => {
      ev.preventDefault();
      if (this.worker !== worker) return;
      worker.terminate();
      this.worker = null;
      if (this.running && this.frames === 0) {
        // The script did not load (an old cached page, a proxy): read on the main thread.
        this._readTrack(track);
      } else {
        this.onError(new Error(ev.message || 'the microphone worker failed'));
      }
    });
    return true;
  }

  /** @param {any} m a message of micworker.js */
  _fromWorker(m) {
    if (!this.running) return;
    if (m.frame) {
      const [startUs, durationUs, level, accepted, gapUs] = m.frame;
      this.frames++;
      this.workerGapUs = gapUs;
      this.onLevel(startUs, durationUs, level);
      if (m.samples) this.onSamples(m.samples[0], m.samples[1], startUs);
      if (!accepted) this.onDropped();
      this.refreshAccept();
    } else if (m.packet) {
      const [seq, data, ts] = m.packet;
      this._packet(seq, data, ts);
    } else if (m.error) {
      this.onError(new Error(m.error));
    }
  }

  /**
   * Tell the worker at once when `accept()` or `wantsSamples()` changed (the visitor pressed or
   * released the talk control): frames are judged in the worker, by what it was last told.
   */
  refreshAccept() {
    if (!this.worker) return;
    const want = [this.accept(), this.wantsSamples()];
    if (want[0] === this.told[0] && want[1] === this.told[1]) return;
    this.told = want;
    this.worker.postMessage({ accept: want[0], samples: want[1] });
  }

  // --- the main-thread paths ----------------------------------------------------------------------

  /**
   * @param {number} seq
   * @param {Uint8Array} data
   * @param {number} ts
   */
  _packet(seq, data, ts) {
    this.packets++;
    this.bytes += data.byteLength;
    this.onPacket(seq, data, ts);
  }

  /** @returns {OpusEncoder} the main-thread paths' encoder, made on first use */
  _encoder() {
    this.encoder ??= new OpusEncoder({
      bitrate: this.bitrate,
      onPacket: (seq, data, ts) => this._packet(seq, data, ts),
      onError: (err) => this.onError(err),
    });
    return this.encoder;
  }

  /**
   * One frame read on the main thread: measured, then encoded or dropped.
   * @param {AudioData} mono closed here
   * @param {Float32Array} samples its samples
   */
  _frame(mono, samples) {
    const duration = (mono.numberOfFrames / mono.sampleRate) * 1e6;
    const at = this.clock.stamp(mono.timestamp, duration);
    this.frames++;
    this.onLevel(at, duration, rms(samples));
    if (this.wantsSamples()) this.onSamples(samples, mono.sampleRate, at);
    if (this.accept()) {
      this._encoder().encode(mono, at);
    } else {
      mono.close();
      this.onDropped();
    }
  }

  /** @param {MediaStreamTrack} track */
  async _readTrack(track) {
    this.path = 'track-processor';
    // A page busy drawing may not read for a few hundred ms: let the processor hold 2 s of
    // frames rather than drop them (its default keeps only a few).
    const processor = new this.scope.MediaStreamTrackProcessor({ track, maxBufferSize: 200 });
    /** @type {ReadableStreamDefaultReader<AudioData>} */
    const reader = processor.readable.getReader();
    while (this.running) {
      const { value: frame, done } = await reader.read();
      if (done || !frame) break;
      if (!this.running) {
        frame.close();
        break;
      }
      const samples = firstChannel(frame);
      const mono = frame.numberOfChannels === 1 ? frame : monoFrame(samples, frame.sampleRate, frame.timestamp);
      if (mono !== frame) frame.close();
      this._frame(mono, samples);
    }
    reader.releaseLock();
  }

  /** @param {MediaStream} stream */
  _processNode(stream) {
    this.path = 'script-processor';
    /** @type {AudioContext} */
    const ctx = new this.scope.AudioContext();
    this.ctx = ctx;
    const source = ctx.createMediaStreamSource(stream);
    const node = ctx.createScriptProcessor(1024, 1, 1);
    const mute = ctx.createGain();
    mute.gain.value = 0;
    let read = 0;
    node.onaudioprocess = (ev) => {
      if (!this.running) return;
      const samples = new Float32Array(ev.inputBuffer.getChannelData(0));
      const timestamp = (read / ctx.sampleRate) * 1e6;
      read += samples.length;
      this._frame(monoFrame(samples, ctx.sampleRate, timestamp), samples);
    };
    // A processing node only runs when connected to the output; the gain keeps it silent.
    source.connect(node).connect(mute).connect(ctx.destination);
    ctx.resume().catch(() => {});
  }
}

export { CaptureError, MicCapture, SampleClock, firstChannel, monoFrame };
