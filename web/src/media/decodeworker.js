/**
 * The speakers' decoder worker: Opus packets in, decoded 20 ms buffers out,
 * away from the page's main thread (decoding.js says why and owns the worker).
 *
 * In:  `{decode: [id, bytes, slot, tag]}` one packet of decoder `id` (made on
 *      first use); `{route: [id, port]}` send decoder `id`'s buffers to `port`
 *      (its speaker's playout worklet) instead; `{close: id}`.
 * Out: `{out: [[id, samples, sampleRate, tag, timestampUs], ...]}`, what was
 *      decoded in the last few milliseconds in one message (a busy page
 *      handles one message where it could not keep up with fifty a second);
 *      `{error: [id, message]}`. To a routed port, at once (the audio thread
 *      is not busy): `{pcm: [tag, samples, sampleRate]}`.
 */

import { OpusDecoder } from './decoder.js';

/** How long (ms) decoded buffers wait to share one message. */
const BATCH_MS = 5;

/** @type {any} the worker's global scope (the DOM types describe a window) */
const scope = globalThis;
/** @type {Map<number, OpusDecoder>} */
const decoders = new Map();
/** @type {Map<number, MessagePort>} where routed decoders' buffers go */
const routes = new Map();
/** @type {[number, Float32Array, number, number, number][]} */
let out = [];
/** @type {ReturnType<typeof setTimeout> | null} */
let timer = null;

function flush() {
  timer = null;
  const batch = out;
  out = [];
  scope.postMessage({ out: batch }, batch.map((o) => o[1].buffer));
}

/**
 * @param {number} id
 * @returns {OpusDecoder}
 */
function decoder(id) {
  let d = decoders.get(id);
  if (!d) {
    d = new OpusDecoder({
      onSamples: (samples, rate, tag, ts) => {
        const port = routes.get(id);
        if (port) {
          port.postMessage({ pcm: [tag, samples, rate] }, [samples.buffer]);
          return;
        }
        out.push([id, samples, rate, tag, ts]);
        timer ??= setTimeout(flush, BATCH_MS);
      },
      onError: (err) => scope.postMessage({ error: [id, err.message] }),
    });
    decoders.set(id, d);
  }
  return d;
}

scope.onmessage = (/** @type {MessageEvent} */ ev) => {
  const m = ev.data;
  if (m.decode) {
    const [id, data, slot, tag] = m.decode;
    decoder(id).decode(data, slot, tag);
  } else if (m.route) {
    routes.set(m.route[0], m.route[1]);
  } else if (m.close) {
    decoders.get(m.close)?.close();
    decoders.delete(m.close);
    routes.get(m.close)?.close();
    routes.delete(m.close);
  }
};
