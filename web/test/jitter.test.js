// The jitter buffer (src/media/jitter.js): order by seq, gaps, late and duplicate chunks,
// the adaptive target delay, seq wrap-around and a late joiner's start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FRAME_MS, JitterBuffer } from '../src/media/jitter.js';

const bytes = (n) => new Uint8Array([n & 0xff, 1, 2]);

/** A deterministic random in [0, 1) (tests must not depend on Math.random). */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Arrivals as the hall delivers them: the speaker sends `batch` chunks per AUDIO frame, the
 * server puts what it has into its 20 Hz pose frames, and the network adds `jitter()` ms.
 * @returns {{seq: number, at: number}[]} in arrival order
 */
function arrivals({ first = 0, count, startMs = 1000, batch = 2, tickMs = 50, base = 30, jitter = () => 0 }) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const made = startMs + (i + 1) * FRAME_MS; // a chunk exists once its 20 ms are captured
    const sent = startMs + Math.ceil((i + 1) / batch) * batch * FRAME_MS;
    const atServer = sent + base / 2;
    const tick = Math.ceil(atServer / tickMs) * tickMs;
    out.push({ seq: (first + i) % 65536, at: tick + base / 2 + jitter(), made });
  }
  return out.sort((a, b) => a.at - b.at);
}

/** Feed `events` to `buf` in time order, taking what is due every `stepMs`; returns the plays. */
function run(buf, events, { stepMs = 10, untilMs } = {}) {
  const plays = [];
  let i = 0;
  const end = untilMs ?? events[events.length - 1].at + 2000;
  for (let now = events[0].at; now <= end; now += stepMs) {
    while (i < events.length && events[i].at <= now) {
      buf.push(events[i].seq, bytes(events[i].seq), events[i].at);
      i++;
    }
    plays.push(...buf.take(now).map((p) => ({ ...p, takenAt: now })));
  }
  return plays;
}

test('a steady stream plays every chunk in order, 20 ms apart, one target delay after the first', () => {
  const buf = new JitterBuffer({ initialTargetMs: 120, lookaheadMs: 40 });
  const events = arrivals({ count: 100 });
  const plays = run(buf, events);
  assert.equal(plays.length, 100);
  assert.deepEqual(plays.map((p) => p.seq), events.map((e) => e.seq).sort((a, b) => a - b));
  for (let k = 1; k < plays.length; k++) assert.equal(plays[k].playAtMs - plays[k - 1].playAtMs, FRAME_MS);
  assert.equal(plays[0].playAtMs, events[0].at + 120 + 40);
  assert.equal(buf.stats.late, 0);
  assert.equal(buf.stats.missing, 0);
  // Nothing is handed out after its time, nor played before it arrived.
  for (const p of plays) assert.ok(p.playAtMs >= p.takenAt, `slot ${p.slot} handed out late`);
});

test('chunks that arrive out of order play in seq order', () => {
  const buf = new JitterBuffer();
  const t = 1000;
  for (const seq of [5, 3, 4, 7, 6]) buf.push(seq, bytes(seq), t + seq);
  const plays = buf.take(t + 1000);
  assert.deepEqual(plays.map((p) => p.seq), [3, 4, 5, 6, 7]);
});

test('a duplicate chunk, waiting or already played, is dropped', () => {
  const buf = new JitterBuffer({ lookaheadMs: 0 });
  assert.equal(buf.push(10, bytes(10), 1000), 'queued');
  assert.equal(buf.push(10, bytes(10), 1001), 'duplicate');
  buf.push(11, bytes(11), 1010);
  const first = buf.take(2000);
  assert.equal(first.length, 2);
  buf.push(12, bytes(12), 2001);
  assert.equal(buf.push(11, bytes(11), 2002), 'duplicate');
  assert.equal(buf.stats.duplicates, 2);
  assert.equal(buf.stats.late, 0);
});

test('a chunk after its slot was handed out is late, dropped, and the next ones are on time', () => {
  const buf = new JitterBuffer({ initialTargetMs: 60, minSamples: 1000, lookaheadMs: 0 });
  buf.push(0, bytes(0), 1000); // plays at 1060
  buf.push(1, bytes(1), 1005); // 1080
  assert.equal(buf.take(1100).length, 2); // slots up to 2 (1100) have passed
  // Slot 2 arrives 30 ms after its time; slot 3 would be due at 1120.
  assert.equal(buf.push(2, bytes(2), 1130), 'late');
  assert.equal(buf.stats.late, 1);
  buf.push(3, bytes(3), 1150);
  const next = buf.take(1190);
  assert.equal(next.length, 1);
  assert.equal(next[0].seq, 3);
  assert.ok(next[0].playAtMs >= 1150, `slot 3 plays at ${next[0].playAtMs}, before it arrived`);
});

test('seq wraps from 65535 to 0 without a pause or a reorder', () => {
  const buf = new JitterBuffer();
  const events = arrivals({ first: 65530, count: 20 });
  const plays = run(buf, events);
  assert.deepEqual(plays.map((p) => p.seq), [...Array(20).keys()].map((i) => (65530 + i) % 65536));
  for (let k = 1; k < plays.length; k++) assert.equal(plays[k].playAtMs - plays[k - 1].playAtMs, FRAME_MS);
});

test('a short gap inside speech counts as loss; a long one is silence and starts a new spurt', () => {
  const buf = new JitterBuffer({ initialTargetMs: 100 });
  const lost = new Set([20, 21, 22]);
  const speech = arrivals({ count: 60 }).filter((e) => !lost.has(e.seq));
  // 2 s of silence (not sent), then more speech: seq keeps counting the speaker's clock.
  const after = arrivals({ first: 160, count: 30, startMs: 1000 + 160 * FRAME_MS });
  const plays = run(buf, [...speech, ...after]);
  assert.equal(plays.length, 57 + 30);
  assert.equal(buf.stats.missing, 3);
  assert.equal(buf.stats.spurts, 2);
  const resumed = plays.find((p) => p.seq === 160);
  assert.ok(resumed);
  // The new spurt starts within the target delay of its first chunk's arrival.
  const firstAfter = Math.min(...after.map((e) => e.at));
  assert.ok(resumed.playAtMs - firstAfter <= buf.maxTargetMs);
});

test('the target delay grows with jitter and the buffer then loses nothing', () => {
  const random = rng(7);
  const buf = new JitterBuffer({ initialTargetMs: 60 });
  // Up to 150 ms of extra network delay on each chunk, in bursts.
  const events = arrivals({ count: 500, jitter: () => (random() < 0.2 ? 150 * random() : 10 * random()) });
  const plays = run(buf, events);
  assert.ok(buf.targetMs >= 100, `target ${buf.targetMs} ms under 150 ms of jitter`);
  // Once adapted (after the first second), no more late chunks: all in the first second.
  const lateBefore = buf.stats.late;
  const more = arrivals({ first: 500, count: 250, startMs: 1000 + 500 * FRAME_MS,
    jitter: () => (random() < 0.2 ? 150 * random() : 10 * random()) });
  run(buf, more);
  assert.ok(buf.stats.late - lateBefore <= 2, `${buf.stats.late - lateBefore} late after adapting`);
  assert.ok(plays.length + buf.stats.late >= 495);
});

test('when the jitter calms down, the next spurt plays with a shorter delay', () => {
  const random = rng(3);
  const buf = new JitterBuffer({ initialTargetMs: 120, windowMs: 3000 });
  run(buf, arrivals({ count: 150, jitter: () => 200 * random() }));
  const high = buf.targetMs;
  // 4 s later (the window forgets the bursts), a calm spurt.
  const calm = arrivals({ first: 400, count: 300, startMs: 1000 + 400 * FRAME_MS });
  run(buf, calm);
  assert.ok(buf.targetMs < high, `target stayed ${buf.targetMs} (was ${high})`);
  assert.ok(buf.targetMs <= 120);
});

test('a late joiner hears the speaker within a second of the first chunk', () => {
  const buf = new JitterBuffer();
  const events = arrivals({ first: 40000, count: 10, startMs: 5000 });
  const plays = run(buf, events);
  assert.equal(plays[0].seq, 40000);
  assert.ok(plays[0].playAtMs - events[0].at < 1000);
  assert.ok(plays[0].playAtMs - events[0].at <= 120 + 40, 'the initial target (120 ms) and lookahead');
});

test('a speaker whose stream restarts with another seq is heard again at once', () => {
  const buf = new JitterBuffer();
  run(buf, arrivals({ first: 100, count: 50 }));
  // Same moment, unrelated seq: the client restarted its encoder.
  const restart = arrivals({ first: 9000, count: 20, startMs: 1000 + 50 * FRAME_MS });
  const plays = run(buf, restart);
  assert.equal(plays.length, 20);
  assert.equal(plays[0].seq, 9000);
});

test('surplus delay is given back on empty slots inside a spurt', () => {
  const buf = new JitterBuffer({ initialTargetMs: 300, minSamples: 5, windowMs: 100000 });
  // A calm stream with one chunk in ten lost: the 300 ms start is far above what is needed.
  const events = arrivals({ count: 400 }).filter((e) => e.seq % 10 !== 5);
  const before = buf.targetMs;
  run(buf, events);
  assert.ok(buf.stats.skipped > 0);
  assert.ok(buf.delayMs < before, `delay ${buf.delayMs} ms`);
  assert.equal(buf.stats.late, 0);
});

test('a spurt never starts late, even when the path got slower than the fastest remembered', () => {
  const buf = new JitterBuffer({ initialTargetMs: 100, lookaheadMs: 40 });
  run(buf, arrivals({ count: 50 }));
  // The speaker's chunks now come 900 ms later than before (a slower path, a stalled sender).
  const slower = arrivals({ first: 100, count: 20, startMs: 1000 + 100 * FRAME_MS, base: 930 });
  const plays = run(buf, slower);
  assert.equal(plays.length, 20);
  for (const p of plays) assert.ok(p.playAtMs >= p.takenAt, `slot ${p.slot} handed out after its time`);
  assert.equal(buf.stats.late, 0);
});
