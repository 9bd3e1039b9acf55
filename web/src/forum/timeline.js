/**
 * A replay's slide timeline (`GET /api/forums/sessions/<id>/replay`): which
 * slide was on the screen at a moment of the recording, and clock labels.
 * Times are milliseconds from the moment the session went live, where the
 * audio starts. Pure; unit-tested in test/timeline.test.js.
 */

/**
 * @typedef {{at_ms: number, deck: string | null, page: number, url: string | null}} SlideEvent
 */

/**
 * The slide shown at `ms`: the last one turned to at or before it (the first before any).
 * @param {SlideEvent[]} timeline in order of at_ms
 * @param {number} ms
 * @returns {SlideEvent | null}
 */
function slideAt(timeline, ms) {
  if (!timeline.length) return null;
  let lo = 0;
  let hi = timeline.length - 1;
  if (ms < timeline[0].at_ms) return timeline[0];
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (timeline[mid].at_ms <= ms) lo = mid;
    else hi = mid - 1;
  }
  return timeline[lo];
}

/**
 * "m:ss" (or "h:mm:ss") of a duration.
 * @param {number} ms
 * @returns {string}
 */
function clock(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export { clock, slideAt };
