/**
 * The microphone: getUserMedia, then raw audio frames (WebCodecs AudioData)
 * for the encoder, and the level of each frame for the silence gate.
 *
 * Frames come from a MediaStreamTrackProcessor where the browser has one
 * (Chrome, Edge); elsewhere from a ScriptProcessorNode, which every Web Audio
 * implementation still runs and which needs no worklet file (the page's CSP
 * allows scripts from the expo only). Stereo input is reduced to its first
 * channel: the stage is mono.
 *
 * Refusals become a CaptureError whose `key` is an i18n sentence (permission
 * refused, no microphone, something else), so the visitor always learns why
 * their microphone is not live.
 */

import { rms } from './gate.js';

class CaptureError extends Error {
  /**
   * @param {string} key an i18n key for the visitor
   * @param {string} message
   */
  constructor(key, message) {
    super(message);
    this.key = key;
  }
}

/**
 * @typedef {object} CaptureHooks
 * @property {(frame: AudioData) => void} onFrame a mono frame (the callee closes it)
 * @property {(startUs: number, durationUs: number, level: number) => void} [onLevel]
 * @property {(samples: Float32Array, sampleRate: number, timestampUs: number) => void} [onSamples]
 *   each frame's first channel (a measurement's tap: media/taps.js)
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

class MicCapture {
  /**
   * @param {CaptureHooks & {mediaDevices?: MediaDevices, scope?: any}} deps
   */
  constructor({
    onFrame, onLevel = () => {}, onSamples = () => {}, mediaDevices = navigator.mediaDevices, scope = globalThis,
  }) {
    this.onFrame = onFrame;
    this.onLevel = onLevel;
    this.onSamples = onSamples;
    this.mediaDevices = mediaDevices;
    this.scope = scope;
    /** @type {MediaStream | null} */
    this.stream = null;
    /** @type {AudioContext | null} the fallback path's context */
    this.ctx = null;
    this.running = false;
    this.frames = 0;
    this.label = '';
    this.path = '';
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
    if (typeof this.scope.MediaStreamTrackProcessor === 'function') this._readTrack(track);
    else this._processNode(this.stream);
  }

  /** Stop reading and release the microphone (its indicator goes off). */
  stop() {
    this.running = false;
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = null;
    this.ctx?.close().catch(() => {});
    this.ctx = null;
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
      const duration = (frame.numberOfFrames / frame.sampleRate) * 1e6;
      this.onLevel(frame.timestamp, duration, rms(samples));
      this.onSamples(samples, frame.sampleRate, frame.timestamp);
      const mono = frame.numberOfChannels === 1 ? frame : monoFrame(samples, frame.sampleRate, frame.timestamp);
      if (mono !== frame) frame.close();
      this.frames++;
      this.onFrame(mono);
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
      this.onLevel(timestamp, (samples.length / ctx.sampleRate) * 1e6, rms(samples));
      this.onSamples(samples, ctx.sampleRate, timestamp);
      this.frames++;
      this.onFrame(monoFrame(samples, ctx.sampleRate, timestamp));
    };
    // A processing node only runs when connected to the output; the gain keeps it silent.
    source.connect(node).connect(mute).connect(ctx.destination);
    ctx.resume().catch(() => {});
  }
}

export { CaptureError, MicCapture };
