/**
 * The microphone's worker: reads the frames of a MediaStreamTrackProcessor
 * (its readable is transferred here by capture.js), measures each and encodes
 * it to Opus (encoder.js), away from the page's main thread, which may be busy
 * drawing for hundreds of milliseconds at a time: read there, a processor
 * drops the frames its buffer cannot hold and the speaker's voice has holes.
 *
 * In:  `{readable, bitrate, accept, samples}` to start; `{accept, samples}` on
 *      change (frames not accepted are dropped before the encoder; `samples`:
 *      a measurement wants each frame's samples).
 * Out: `{frame: [startUs, durationUs, level, accepted, gapUs], samples?: [Float32Array, rate]}`
 *      per frame (stamped on capture.js's SampleClock; gapUs: input lost so far), `{packet: [seq, bytes, timestampUs]}` per Opus packet,
 *      `{error: message}` when the encoder fails.
 * Messages arrive in order, so a frame's level is known before its packets.
 */

import { SampleClock, firstChannel, monoFrame } from './capture.js';
import { OpusEncoder } from './encoder.js';
import { rms } from './gate.js';

/** @type {any} the worker's global scope (the DOM types describe a window) */
const scope = globalThis;
let accept = true;
let wantSamples = false;

/**
 * @param {any} message
 * @param {Transferable[]} [transfer]
 */
function post(message, transfer = []) {
  scope.postMessage(message, transfer);
}

/**
 * Read, measure and encode until the track ends (the worker is terminated when the visitor
 * turns the microphone off).
 * @param {ReadableStream<AudioData>} readable
 * @param {number} bitrate
 */
async function run(readable, bitrate) {
  const encoder = new OpusEncoder({
    bitrate,
    onPacket: (seq, data, ts) => post({ packet: [seq, data, ts] }, [data.buffer]),
    onError: (err) => post({ error: err.message }),
  });
  const reader = readable.getReader();
  const clock = new SampleClock();
  for (;;) {
    const { value: frame, done } = await reader.read();
    if (done || !frame) break;
    const samples = firstChannel(frame);
    const durationUs = (frame.numberOfFrames / frame.sampleRate) * 1e6;
    const at = clock.stamp(frame.timestamp, durationUs);
    const message = {
      frame: [at, durationUs, rms(samples), accept, clock.gapUs],
      ...(wantSamples ? { samples: [samples, frame.sampleRate] } : {}),
    };
    post(message, wantSamples ? [samples.buffer] : []);
    if (!accept) {
      frame.close();
      continue;
    }
    const mono = frame.numberOfChannels === 1 ? frame : monoFrame(firstChannel(frame), frame.sampleRate, frame.timestamp);
    if (mono !== frame) frame.close();
    encoder.encode(mono, at);
  }
  encoder.close();
}

scope.onmessage = (/** @type {MessageEvent} */ ev) => {
  const m = ev.data;
  if ('accept' in m) accept = Boolean(m.accept);
  if ('samples' in m) wantSamples = Boolean(m.samples);
  if (m.readable) {
    run(m.readable, m.bitrate).catch((err) => post({ error: err instanceof Error ? err.message : String(err) }));
  }
};
