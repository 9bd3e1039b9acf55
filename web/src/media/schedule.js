/**
 * When to start each decoded 20 ms buffer on the AudioContext's clock.
 *
 * The jitter buffer (jitter.js) says when a chunk plays on the page's clock
 * (performance.now, ms); Web Audio starts sources on its own clock
 * (AudioContext.currentTime, s), which advances in 128-sample steps. Mapping
 * each chunk separately would leave gaps and overlaps of a few samples, heard
 * as clicks, so consecutive buffers are laid end to end whenever the wanted
 * time is within `toleranceS` of where the previous one ends; anything else
 * (the start of a spurt, a skipped slot) is placed where the jitter buffer
 * wants it. A buffer that would start in the past is started at once.
 *
 * A page too busy to decode in time (a slow device drawing the hall, a tab
 * starved of CPU) hands over buffers whose moment has passed, one after
 * another. Dropping them would leave the listener in silence for as long as
 * the page stays slow, so the schedule slips instead: everything from that
 * buffer on plays that much later (up to `maxSlipS`), end to end, and the slip
 * is given back in the pauses (each shortened by at most half). Only a buffer later than
 * `maxSlipS` is dropped.
 *
 * Pure; unit-tested in test/schedule.test.js.
 */

class ClockMap {
  /** @param {{resyncS?: number}} [options] re-map when the clocks drift apart by more */
  constructor({ resyncS = 0.01 } = {}) {
    this.resyncS = resyncS;
    /** @type {number | null} context time (s) at `perfRef` */
    this.ctxRef = null;
    this.perfRef = 0;
  }

  /**
   * A pair of readings of the two clocks taken at the same moment (AudioContext
   * getOutputTimestamp, or currentTime with performance.now()).
   * @param {number} ctxS
   * @param {number} perfMs
   */
  observe(ctxS, perfMs) {
    if (this.ctxRef !== null && Math.abs(this.toCtx(perfMs) - ctxS) < this.resyncS) return;
    this.ctxRef = ctxS;
    this.perfRef = perfMs;
  }

  /**
   * The context time (s) of page time `perfMs`.
   * @param {number} perfMs
   * @returns {number}
   */
  toCtx(perfMs) {
    return (this.ctxRef ?? 0) + (perfMs - this.perfRef) / 1000;
  }

  /**
   * The page time (ms) of context time `ctxS`: the inverse of `toCtx`.
   * @param {number} ctxS
   * @returns {number}
   */
  toPage(ctxS) {
    return this.perfRef + (ctxS - (this.ctxRef ?? 0)) * 1000;
  }
}

class BufferSchedule {
  /** @param {{toleranceS?: number, minLeadS?: number, maxSlipS?: number}} [options] */
  constructor({ toleranceS = 0.008, minLeadS = 0.003, maxSlipS = 2 } = {}) {
    this.toleranceS = toleranceS;
    this.minLeadS = minLeadS;
    this.maxSlipS = maxSlipS;
    /** @type {number | null} where the last scheduled buffer ends (context s) */
    this.end = null;
    /** how much later than wanted buffers play now (s): what late decoding cost */
    this.slipS = 0;
    this.dropped = 0;
    this.late = 0;
    this.scheduled = 0;
  }

  /** Forget where the last buffer ends and any slip (the stream starts again); counts stay. */
  reset() {
    this.end = null;
    this.slipS = 0;
  }

  /**
   * Where to start a buffer of `durationS` that should start at `wantS`, now being `nowS`;
   * null to drop it (later than the schedule may slip).
   * @param {number} wantS
   * @param {number} durationS
   * @param {number} nowS the context's currentTime
   * @returns {number | null}
   */
  place(wantS, durationS, nowS) {
    let start = wantS + this.slipS;
    if (this.slipS > 0 && (this.end === null || start - this.end > this.toleranceS)) {
      // A pause: give back up to half of it (the talk keeps its rhythm, the delay shrinks).
      const pause = this.end === null ? 2 * this.slipS : start - this.end;
      this.slipS = Math.max(0, this.slipS - pause / 2);
      start = wantS + this.slipS;
    }
    if (this.end !== null && Math.abs(start - this.end) <= this.toleranceS) start = this.end;
    // Never on top of what is already scheduled.
    if (this.end !== null && start < this.end) start = this.end;
    const earliest = nowS + this.minLeadS;
    if (start < earliest) {
      const behind = earliest - wantS;
      if (behind > this.maxSlipS) {
        this.dropped++;
        return null;
      }
      this.late++;
      this.slipS = Math.max(this.slipS, behind);
      start = earliest;
    }
    this.end = start + durationS;
    this.scheduled++;
    return start;
  }
}

export { BufferSchedule, ClockMap };
