/**
 * `window.__expoTest.latency` (only with `?test` in the URL): the page's side
 * of the mouth-to-ear benchmark (bench/mouth_to_ear.py, docs/perf.md).
 *
 * `arm()` plugs taps (taps.js) into the stage audio, the voice microphone and
 * voice hearing; from then on it records, with the same click detector
 * (clicks.js) on both ends:
 *
 *   - clicks in the microphone's frames: their capture timestamp (WebCodecs
 *     µs, the device's clock) and when the page read the frame (page ms);
 *   - every encoded packet's seq and capture timestamp (which packet carried
 *     which moment of the microphone), and when the page handed it to the
 *     socket;
 *   - every chunk's arrival on the listener's socket (speaker, seq, page ms):
 *     with the two above, where a chunk's time went before the jitter buffer;
 *   - the page's long tasks (main thread busy 50 ms or more: what holds a
 *     socket's messages back), where the browser reports them;
 *   - clicks in the decoded buffers as they are started: the packet's seq,
 *     the sample, the start on the audio clock and, read at that moment, the
 *     clock pairs that place it in page time (getOutputTimestamp, and
 *     currentTime with performance.now) and the latencies the context reports.
 *
 * The benchmark pairs the two ends by packet and computes the figures; the
 * page only records. `disarm()` takes the taps out (the media path is then
 * as it was: null checks).
 */

import { ClickDetector } from './clicks.js';

/** The most packets kept (about six minutes of 20 ms packets). */
const MAX_PACKETS = 20000;
/** The most clicks kept on either end. */
const MAX_CLICKS = 5000;

/**
 * @typedef {object} CapturedClick
 * @property {number} tsUs the click's capture timestamp (µs, the microphone's clock)
 * @property {number} readMs when the page read the frame that held it (performance.now)
 * @property {number} tailMs audio in that frame after the click's first sample (ms)
 */

/**
 * @typedef {object} PlayedClick
 * @property {string} speaker `${id}:${stream}`
 * @property {number} seq the packet's wire seq
 * @property {number} offset the click's first sample in the decoded buffer
 * @property {number} sampleRate
 * @property {number} startS when the buffer starts on the audio clock (s)
 * @property {number} playAtMs when the jitter buffer wanted it to play (page ms)
 * @property {number} nowMs performance.now() when it was started
 * @property {number} currentTime the context's currentTime then (s)
 * @property {number | null} outputContextTime getOutputTimestamp().contextTime then (s)
 * @property {number | null} outputPerformanceTime getOutputTimestamp().performanceTime then (ms)
 * @property {number | null} baseLatency (s)
 * @property {number | null} outputLatency (s)
 */

/**
 * @typedef {object} LatencyRecords
 * @property {number} timeOrigin performance.timeOrigin
 * @property {number} frames microphone frames seen
 * @property {number} readLagMinMs the least (frame read − its last sample's timestamp), ms: the
 *   microphone's clock against the page's, plus the fastest delivery
 * @property {number} micPeak the loudest microphone sample (0–1): what the detector had to find
 * @property {number} earPeak the loudest decoded sample
 * @property {CapturedClick[]} captured
 * @property {[number, number][]} packets [seq, timestampUs]
 * @property {[number, number][]} sent [seq, page ms] packets handed to the socket
 * @property {[string, number, number][]} arrived [speaker, seq, page ms] chunks off the socket
 * @property {[number, number][]} longTasks [start, duration] (page ms) of the main thread's long
 *   tasks
 * @property {PlayedClick[]} played
 */

/** @typedef {{taps: import('./taps.js').MediaTaps | null}} TapHolder */

/**
 * @param {Float32Array} samples
 * @returns {number} the largest magnitude
 */
function peak(samples) {
  let m = 0;
  for (let i = 0; i < samples.length; i++) m = Math.max(m, Math.abs(samples[i]));
  return m;
}

/** @returns {LatencyRecords} */
function fresh() {
  return {
    timeOrigin: performance.timeOrigin, frames: 0, readLagMinMs: Infinity, micPeak: 0, earPeak: 0,
    captured: [], packets: [], sent: [], arrived: [], longTasks: [], played: [],
  };
}

/**
 * @param {(TapHolder | null | undefined)[]} holders what the taps plug into
 */
function latencyTestHooks(holders) {
  let records = fresh();
  /** @type {PerformanceObserver | null} */
  let observer = null;
  const plug = (/** @type {import('./taps.js').MediaTaps | null} */ taps) => {
    for (const h of holders) if (h) h.taps = taps;
  };
  return {
    /**
     * Start recording afresh.
     * @param {{threshold?: number, refractoryMs?: number}} [options] the click detector's
     */
    arm(options = {}) {
      records = fresh();
      const rec = records;
      observer?.disconnect();
      observer = null;
      if (PerformanceObserver.supportedEntryTypes?.includes('longtask')) {
        observer = new PerformanceObserver((list) => {
          for (const e of list.getEntries()) {
            if (rec.longTasks.length < MAX_PACKETS) rec.longTasks.push([e.startTime, e.duration]);
          }
        });
        observer.observe({ type: 'longtask' });
      }
      const mic = new ClickDetector(options);
      /** @type {Map<string, ClickDetector>} */
      const ears = new Map();
      plug({
        capture(samples, sampleRate, timestampUs) {
          const readMs = performance.now();
          const durationMs = (samples.length / sampleRate) * 1000;
          rec.frames++;
          rec.readLagMinMs = Math.min(rec.readLagMinMs, readMs - (timestampUs / 1000 + durationMs));
          rec.micPeak = Math.max(rec.micPeak, peak(samples));
          for (const i of mic.feed(samples, sampleRate, timestampUs / 1000)) {
            if (rec.captured.length >= MAX_CLICKS) break;
            rec.captured.push({
              tsUs: timestampUs + (i / sampleRate) * 1e6, readMs, tailMs: ((samples.length - i) / sampleRate) * 1000,
            });
          }
        },
        packet(seq, timestampUs) {
          if (rec.packets.length < MAX_PACKETS) rec.packets.push([seq, timestampUs]);
        },
        sent(seqs) {
          const at = performance.now();
          for (const seq of seqs) if (rec.sent.length < MAX_PACKETS) rec.sent.push([seq, at]);
        },
        arrived(speaker, seq) {
          if (rec.arrived.length < MAX_PACKETS) rec.arrived.push([speaker, seq, performance.now()]);
        },
        playout(speaker, b) {
          let ear = ears.get(speaker);
          if (!ear) {
            ear = new ClickDetector(options);
            ears.set(speaker, ear);
          }
          rec.earPeak = Math.max(rec.earPeak, peak(b.samples));
          const onsets = ear.feed(b.samples, b.sampleRate, b.startS * 1000);
          if (!onsets.length) return;
          const nowMs = performance.now();
          const ctx = b.ctx;
          const stamp = typeof ctx.getOutputTimestamp === 'function' ? ctx.getOutputTimestamp() : null;
          for (const offset of onsets) {
            if (rec.played.length >= MAX_CLICKS) break;
            rec.played.push({
              speaker, seq: b.slot & 0xffff, offset, sampleRate: b.sampleRate, startS: b.startS,
              playAtMs: b.playAtMs, nowMs, currentTime: ctx.currentTime,
              outputContextTime: stamp?.contextTime ?? null, outputPerformanceTime: stamp?.performanceTime ?? null,
              baseLatency: ctx.baseLatency ?? null, outputLatency: ctx.outputLatency ?? null,
            });
          }
        },
      });
    },
    /** Stop recording (what was recorded stays readable). */
    disarm() {
      plug(null);
      observer?.disconnect();
      observer = null;
    },
    /** @returns {LatencyRecords} what was recorded since `arm()` */
    read() {
      return records;
    },
    /** @returns {number} clicks played so far (cheap to poll) */
    playedCount() {
      return records.played.length;
    },
  };
}

export { latencyTestHooks };
