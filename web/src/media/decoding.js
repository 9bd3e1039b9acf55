/**
 * The Opus decoders of the speakers a page hears: in one worker
 * (decodeworker.js, named by the page's `<meta name="decode-worker">`) where
 * the page has it, else on the main thread (decoder.js).
 *
 * Why a worker: a decoder on the main thread hands each decoded buffer back
 * as a task of its own, and a page busy drawing (a software renderer, a weak
 * device) runs few of those. Measured in headless Chromium with the main
 * thread busy 40 ms of every frame: 27 of 50 packets a second came back
 * decoded on the main thread, all 50 in a worker. Behind, a listener's
 * playout fell seconds late and then silent. The worker sends what it decoded
 * in batches, a message every few milliseconds at most.
 *
 * `decoderFor(onSamples)` gives an object with OpusDecoder's interface
 * (decode, close, decoded, errors); the worker is made on first use and shared.
 * Given a MessagePort too (a speaker's playout worklet: playoutworklet.js),
 * the worker sends that decoder's buffers straight to it, never through the
 * main thread; `onSamples` then hears only what the main thread decodes
 * itself, if the worker fails.
 */

import { OpusDecoder } from './decoder.js';

/**
 * @typedef {(samples: Float32Array<ArrayBuffer>, sampleRate: number, tag: number, timestampUs: number) => void} OnSamples
 */

/** @type {Worker | null | undefined} the page's decoder worker; null where there is none */
let worker;
let failed = false;
let nextId = 1;
/** @type {Map<number, WorkerDecoder>} */
const sinks = new Map();

class WorkerDecoder {
  /**
   * @param {Worker} w
   * @param {OnSamples} onSamples
   * @param {MessagePort | null} port where the worker sends the buffers instead (moved to it)
   */
  constructor(w, onSamples, port) {
    this.id = nextId++;
    this.worker = w;
    this.onSamples = onSamples;
    this.decoded = 0;
    this.workerErrors = 0;
    this.path = 'worker';
    /** @type {OpusDecoder | null} used instead once the worker failed */
    this.local = null;
    sinks.set(this.id, this);
    if (port) w.postMessage({ route: [this.id, port] }, [port]);
  }

  /**
   * @param {Uint8Array} data one Opus packet (its buffer moves to the worker)
   * @param {number} slot
   * @param {number} tag
   */
  decode(data, slot, tag) {
    if (failed) {
      this.path = 'main';
      this.local ??= new OpusDecoder({ onSamples: (s, rate, t, ts) => this.output(s, rate, t, ts) });
      this.local.decode(data, slot, tag);
      return;
    }
    const own = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
    this.worker.postMessage({ decode: [this.id, own, slot, tag] }, [own.buffer]);
  }

  /**
   * @param {Float32Array<ArrayBuffer>} samples
   * @param {number} rate
   * @param {number} tag
   * @param {number} ts
   */
  output(samples, rate, tag, ts) {
    this.decoded++;
    this.onSamples(samples, rate, tag, ts);
  }

  /** Packets the decoder refused (in the worker, then on the main thread). */
  get errors() {
    return this.workerErrors + (this.local?.errors ?? 0);
  }

  close() {
    sinks.delete(this.id);
    this.local?.close();
    if (!failed) this.worker.postMessage({ close: this.id });
  }
}

/**
 * @param {any} scope
 * @returns {Worker | null}
 */
function pageWorker(scope) {
  if (worker !== undefined) return worker;
  worker = null;
  const url = scope.document?.querySelector?.('meta[name="decode-worker"]')?.getAttribute('content');
  if (!url || typeof scope.Worker !== 'function') return null;
  try {
    /** @type {Worker} */
    const w = new scope.Worker(url, { type: 'module', name: 'decoders' });
    w.addEventListener('message', (ev) => {
      const m = ev.data;
      if (m.out) {
        for (const [id, samples, rate, tag, ts] of m.out) sinks.get(id)?.output(samples, rate, tag, ts);
      } else if (m.error) {
        const sink = sinks.get(m.error[0]);
        if (sink) sink.workerErrors++;
      }
    });
    w.addEventListener('error', (ev) => {
      // The script did not load or broke: decode on the main thread from now on.
      ev.preventDefault();
      failed = true;
      w.terminate();
    });
    worker = w;
  } catch {
    worker = null;
  }
  return worker;
}

/**
 * A decoder for one speaker.
 * @param {OnSamples} onSamples decoded samples with the tag they went in with
 * @param {any} [scope] the page's globals
 * @param {MessagePort | null} [port] where a worker sends the decoded buffers instead
 * @returns {{decode: (data: Uint8Array, slot: number, tag: number) => void, close: () => void,
 *   decoded: number, errors: number, path: string}}
 */
function decoderFor(onSamples, scope = globalThis, port = null) {
  const w = pageWorker(scope);
  if (w && !failed) return new WorkerDecoder(w, onSamples, port);
  const local = new OpusDecoder({ onSamples });
  return Object.assign(local, { path: 'main' });
}

export { decoderFor };
