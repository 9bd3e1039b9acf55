/**
 * The jitter buffer of one speaker: 20 ms Opus chunks in, chunks with the
 * moment each must play out (docs/protocol.md, "Media").
 *
 * A chunk's `seq` is its 20 ms slot in the speaker's stream, so seq is a
 * clock: slot n plays at `n × 20 ms + offset`. Silence is not sent, and
 * chunks ride in the server's 20 Hz pose frames, so they arrive in bunches,
 * sometimes late, sometimes out of order or twice. The buffer
 *
 *   - unwraps the 16-bit seq into a growing slot number;
 *   - keeps a window of each chunk's "relative delay" (arrival − slot × 20 ms);
 *     its minimum is the fastest path and its 95th percentile above that is
 *     the jitter to absorb. The target delay is that plus a safety margin,
 *     clamped, and starts at `initialTargetMs` before there are samples;
 *   - fixes the playout offset when a talk spurt starts (the first chunk after
 *     `spurtGapMs` of nothing), so a late joiner hears the speaker one target
 *     delay after the first chunk arrives, and re-fits it at the next spurt
 *     (never earlier than the spurt's first chunk can make, if the path got
 *     slower than the remembered fastest one);
 *   - hands chunks out in slot order once their playout time is within the
 *     caller's horizon; slots that pass without a chunk are silence or loss
 *     (counted as `missing` when the gap is short, i.e. inside speech);
 *   - drops duplicates and chunks that arrive after their slot was handed
 *     out (`late`), and moves the offset later by that lateness so the next
 *     chunks are on time (one short gap instead of a stutter);
 *   - gives back latency during a spurt when the jitter calmed down: while the
 *     delay it holds exceeds the target by more than a frame, one missing slot
 *     at a time is skipped instead of played as silence. Where the caller can
 *     tell a quiet chunk (`isQuiet`: decoded samples, playoutcore.js), a quiet
 *     one followed by another quiet one is skipped too, so an open microphone
 *     that never stops sending (its pauses are sent as quiet chunks) still
 *     comes back to the target; and past
 *     `maxExcessMs` over it, one loud chunk in ten is too (a rare glitch rather
 *     than a talk heard late from then on).
 *
 * Pure (no timers, no audio): the caller passes the clock. Unit-tested in
 * test/jitter.test.js.
 */

/** Milliseconds of audio in one chunk. */
export const FRAME_MS = 20;
const SEQ_MOD = 65536;
const HALF = SEQ_MOD / 2;
/** A chunk this far (ms) from where the current spurt would play it means the stream restarted. */
const JUMP_MS = 5000;
/** Slots remembered as played, to tell a duplicate from a late chunk. */
const RECENT = 64;
/** Past `maxExcessMs`, at most one loud chunk in this many slots is skipped. */
const FORCED_EVERY = 10;

/**
 * @typedef {object} JitterOptions
 * @property {number} [initialTargetMs] target delay before enough chunks were seen
 * @property {number} [minTargetMs]
 * @property {number} [maxTargetMs]
 * @property {number} [safetyMs] added to the measured jitter
 * @property {number} [windowMs] how far back delays are remembered
 * @property {number} [spurtGapMs] nothing to play for this long ends a talk spurt
 * @property {number} [resetAfterMs] a speaker silent this long starts a new stream
 * @property {number} [minSamples] delays needed before the measured target counts
 * @property {number} [lookaheadMs] how far ahead of its time the caller takes a chunk (to
 *   decode and schedule it): chunks must be here that much earlier
 * @property {((data: any) => boolean) | null} [isQuiet] whether a chunk is quiet enough to skip
 *   when the buffer holds too much delay (null: only empty slots are skipped)
 * @property {number} [maxExcessMs] delay over the target past which loud chunks are skipped
 *   too, one in ten (with `isQuiet` only)
 */

/**
 * @template [T=Uint8Array]
 * @typedef {object} Playout one chunk handed out: its slot, bytes and when it plays (ms, the
 *   caller's clock)
 * @property {number} slot the unwrapped seq
 * @property {number} seq the wire seq (0–65535)
 * @property {T} data
 * @property {number} playAtMs
 */

/**
 * @typedef {object} JitterStats
 * @property {number} received chunks accepted into the buffer
 * @property {number} duplicates
 * @property {number} late chunks that came after their slot was handed out
 * @property {number} played chunks handed out
 * @property {number} missing slots inside speech that had no chunk (loss)
 * @property {number} skipped slots dropped to give back latency (empty ones, or quiet chunks)
 * @property {number} spurts talk spurts started
 */

/**
 * @template [T=Uint8Array] what a chunk carries: Opus bytes, or decoded samples (playoutcore.js)
 */
class JitterBuffer {
  /** @param {JitterOptions} [options] */
  constructor({
    initialTargetMs = 120, minTargetMs = 60, maxTargetMs = 600, safetyMs = 20, windowMs = 4000,
    spurtGapMs = 200, resetAfterMs = 10000, minSamples = 25, lookaheadMs = 40, isQuiet = null,
    maxExcessMs = 400,
  } = {}) {
    this.lookaheadMs = lookaheadMs;
    this.isQuiet = isQuiet;
    this.maxExcessMs = maxExcessMs;
    /** the last loud slot skipped */
    this.lastForced = -Infinity;
    this.initialTargetMs = initialTargetMs;
    this.minTargetMs = minTargetMs;
    this.maxTargetMs = maxTargetMs;
    this.safetyMs = safetyMs;
    this.windowMs = windowMs;
    this.spurtGapMs = spurtGapMs;
    this.resetAfterMs = resetAfterMs;
    this.minSamples = minSamples;
    /** @type {JitterStats} */
    this.stats = { received: 0, duplicates: 0, late: 0, played: 0, missing: 0, skipped: 0, spurts: 0 };
    /** @type {number | null} the highest unwrapped slot seen */
    this.highest = null;
    /** @type {Map<number, {seq: number, data: T}>} waiting chunks by slot */
    this.queue = new Map();
    /** @type {Set<number>} the last slots handed out */
    this.recent = new Set();
    /** @type {number[]} arrival times of the remembered delays */
    this.arrivals = [];
    /** @type {number[]} relative delays (arrival − slot × FRAME_MS) */
    this.delays = [];
    /** @type {number | null} playout offset of the current spurt (null: not playing) */
    this.offset = null;
    /** slots below this were handed out (or passed): their chunks are late */
    this.handedUntil = -Infinity;
    /** the last slot handed out with a chunk */
    this.lastPlayed = -Infinity;
    /** when the last handed-out chunk ends (ms) */
    this.lastEndMs = -Infinity;
    this.lastArrivalMs = -Infinity;
    /** @type {{target: number, base: number} | null} the window's figures, until it changes */
    this.figures = null;
  }

  /** Forget the stream (a new speaker, or one silent for long): the next chunk starts afresh. */
  reset() {
    this.highest = null;
    this.queue.clear();
    this.recent.clear();
    this.arrivals.length = 0;
    this.delays.length = 0;
    this.offset = null;
    this.handedUntil = -Infinity;
    this.lastPlayed = -Infinity;
    this.lastEndMs = -Infinity;
    this.lastArrivalMs = -Infinity;
    this.lastForced = -Infinity;
    this.figures = null;
  }

  /**
   * Unwrap a 16-bit seq to the slot nearest the highest one seen.
   * @param {number} seq
   * @returns {number}
   */
  unwrap(seq) {
    if (this.highest === null) return seq;
    const last = ((this.highest % SEQ_MOD) + SEQ_MOD) % SEQ_MOD;
    let diff = (seq - last + SEQ_MOD) % SEQ_MOD;
    if (diff >= HALF) diff -= SEQ_MOD;
    return this.highest + diff;
  }

  /**
   * A chunk arrived.
   * @param {number} seq its wire seq (0–65535)
   * @param {T} data one Opus packet (or its decoded samples)
   * @param {number} arrivalMs when it arrived (the caller's clock)
   * @returns {'queued' | 'duplicate' | 'late'}
   */
  push(seq, data, arrivalMs) {
    if (arrivalMs - this.lastArrivalMs > this.resetAfterMs && this.queue.size === 0) this.reset();
    let slot = this.unwrap(seq & 0xffff);
    if (this.offset !== null && Math.abs(slot * FRAME_MS + this.offset - arrivalMs) > JUMP_MS) {
      // The stream jumped (the speaker's client restarted): start it again.
      this.reset();
      slot = seq & 0xffff;
    }
    this.lastArrivalMs = Math.max(this.lastArrivalMs, arrivalMs);
    if (this.highest === null || slot > this.highest) this.highest = slot;
    this._remember(arrivalMs, arrivalMs - slot * FRAME_MS);
    if (this.queue.has(slot) || this.recent.has(slot)) {
      this.stats.duplicates++;
      return 'duplicate';
    }
    if (this.offset !== null && slot < this.handedUntil) {
      this.stats.late++;
      // Make the chunks after it on time: one gap now instead of a stutter of late chunks.
      const lateBy = arrivalMs + this.lookaheadMs - (slot * FRAME_MS + this.offset);
      const room = this._baseDelay() + this.maxTargetMs - this.offset;
      if (lateBy > 0 && room > 0) this.offset += Math.min(room, Math.ceil(lateBy / FRAME_MS) * FRAME_MS);
      return 'late';
    }
    this.queue.set(slot, { seq: seq & 0xffff, data });
    this.stats.received++;
    if (this.offset === null) this._startSpurt(slot, arrivalMs);
    return 'queued';
  }

  /**
   * Chunks whose playout time is at most `nowMs + lookaheadMs`, in slot order; slots passed
   * without a chunk are silence (or loss). Also ends the spurt when nothing is left to play.
   * @param {number} nowMs
   * @returns {Playout<T>[]}
   */
  take(nowMs) {
    /** @type {Playout<T>[]} */
    const out = [];
    if (this.offset === null) return out;
    const until = nowMs + this.lookaheadMs;
    this._shrink();
    let first = Infinity;
    for (const slot of this.queue.keys()) if (slot < first) first = slot;
    // Nothing due (most of a worklet's calls): no sorting, nothing allocated but `out`.
    const slots = first * FRAME_MS + this.offset <= until ? [...this.queue.keys()].sort((a, b) => a - b) : [];
    for (const slot of slots) {
      const playAtMs = slot * FRAME_MS + this.offset;
      if (playAtMs > until) break;
      const chunk = /** @type {{seq: number, data: T}} */ (this.queue.get(slot));
      this.queue.delete(slot);
      const gap = slot - this.lastPlayed - 1;
      if (this.lastPlayed > -Infinity && gap > 0 && gap * FRAME_MS < this.spurtGapMs) this.stats.missing += gap;
      out.push({ slot, seq: chunk.seq, data: chunk.data, playAtMs });
      this.recent.add(slot);
      if (this.recent.size > RECENT) this.recent.delete(this.recent.values().next().value ?? slot);
      this.lastPlayed = slot;
      this.lastEndMs = playAtMs + FRAME_MS;
      this.stats.played++;
    }
    const passed = Math.floor((until - this.offset) / FRAME_MS) + 1;
    this.handedUntil = Math.max(this.handedUntil, passed, this.lastPlayed + 1);
    if (this.queue.size === 0 && nowMs - this.lastEndMs >= this.spurtGapMs) {
      // The spurt is over: the next chunk fits a new offset (and may be from a restarted stream).
      this.offset = null;
      this.handedUntil = -Infinity;
    }
    return out;
  }

  /**
   * How far ahead of its time the caller now takes a chunk (a page that draws slowly pumps
   * late, so it must take chunks earlier); applies from the next talk spurt.
   * @param {number} ms
   */
  setLookahead(ms) {
    this.lookaheadMs = ms;
  }

  /** The delay (ms) the buffer aims to hold: measured jitter + safety, or the initial target. */
  get targetMs() {
    return this._figures().target;
  }

  /** The delay (ms) held now over the fastest path (lookahead included): what a listener
   * waits beyond the network. */
  get delayMs() {
    return this.offset === null ? 0 : this.offset - this._baseDelay();
  }

  /** Chunks waiting. */
  get depth() {
    return this.queue.size;
  }

  /**
   * @param {number} slot the first chunk of a spurt
   * @param {number} arrivalMs when it arrived
   */
  _startSpurt(slot, arrivalMs) {
    // The target over the fastest path; but if the path got slower than that (the speaker's
    // clock runs slow, a route changed), this chunk's own delay: a spurt never starts late.
    const now = arrivalMs - slot * FRAME_MS + this.safetyMs;
    const offset = Math.max(this._baseDelay() + this.targetMs, now) + this.lookaheadMs;
    // Never start before what already played has ended.
    this.offset = Math.max(offset, this.lastEndMs - slot * FRAME_MS);
    this.stats.spurts++;
  }

  /**
   * While the held delay exceeds the target by over a frame, skip the next slot if it is empty
   * (or quiet, or the excess is past `maxExcessMs`): the chunks after it move a frame earlier.
   */
  _shrink() {
    if (this.offset === null || this.delays.length < this.minSamples || this.queue.size === 0) return;
    const next = this.lastPlayed + 1;
    // Only a slot not yet handed out: skipping it overlaps nothing. (Tested before the target,
    // which sorts the window: the worklet asks every 128 samples.)
    if (!(this.lastPlayed > -Infinity && next >= this.handedUntil)) return;
    const chunk = this.queue.get(next);
    if (chunk && !this.isQuiet) return;
    const excess = this.offset - this._baseDelay() - this.targetMs - this.lookaheadMs;
    if (excess <= FRAME_MS) return;
    if (chunk) {
      // A quiet chunk with a quiet one after it (a pause, not a soft sound inside a word); a
      // loud one only when far over, and then at most one in FORCED_EVERY (a rare click).
      const after = this.queue.get(next + 1);
      const quiet = Boolean(this.isQuiet?.(chunk.data) && after && this.isQuiet?.(after.data));
      if (!quiet && (excess <= this.maxExcessMs || next - this.lastForced < FORCED_EVERY)) return;
      if (!quiet) this.lastForced = next;
      this.queue.delete(next);
      this.recent.add(next);
      if (this.recent.size > RECENT) this.recent.delete(this.recent.values().next().value ?? next);
      this.lastPlayed = next;
      this.handedUntil = Math.max(this.handedUntil, next + 1);
    }
    this.offset -= FRAME_MS;
    this.stats.skipped++;
  }

  /** @returns {number} the lowest remembered relative delay: the fastest path */
  _baseDelay() {
    return this._figures().base;
  }

  /**
   * The target and the fastest path of the remembered delays, computed once per change of the
   * window (the worklet asks every 128 samples; the window changes once a chunk).
   * @returns {{target: number, base: number}}
   */
  _figures() {
    if (this.figures) return this.figures;
    const n = this.delays.length;
    let base = Infinity;
    for (const d of this.delays) if (d < base) base = d;
    let target = this.initialTargetMs;
    if (n >= this.minSamples) {
      const sorted = [...this.delays].sort((a, b) => a - b);
      const spread = sorted[Math.min(n - 1, Math.floor(0.99 * (n - 1)))] - sorted[0];
      target = Math.min(this.maxTargetMs, Math.max(this.minTargetMs, spread + this.safetyMs));
    }
    this.figures = { target, base: base === Infinity ? 0 : base };
    return this.figures;
  }

  /**
   * @param {number} arrivalMs
   * @param {number} delay
   */
  _remember(arrivalMs, delay) {
    this.figures = null;
    this.arrivals.push(arrivalMs);
    this.delays.push(delay);
    while (this.arrivals.length && arrivalMs - this.arrivals[0] > this.windowMs) {
      this.arrivals.shift();
      this.delays.shift();
    }
  }
}

export { JitterBuffer };
