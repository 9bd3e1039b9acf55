/**
 * Batches `who` requests for avatar ids seen in pose frames but not yet named.
 *
 * A frame may bring dozens of new ids at once (joining a crowded cell); one
 * `who` per id would flood the control channel. Ids wait here and leave in
 * batches of at most 256 (the protocol's limit), no more often than every
 * `intervalMs`; an id already asked is asked again only after `retryMs`
 * (the answer may have been lost across a reconnect).
 *
 * Pure; tested in test/who.test.js.
 */

class WhoBatcher {
  constructor({ maxIds = 256, intervalMs = 150, retryMs = 5000 } = {}) {
    this.maxIds = maxIds;
    this.intervalMs = intervalMs;
    this.retryMs = retryMs;
    /** @type {Set<number>} */
    this.pending = new Set();
    /** @type {Map<number, number>} id -> time asked */
    this.asked = new Map();
    this.lastSent = -Infinity;
  }

  /**
   * Ask for `id` soon (ignored if asked recently).
   * @param {number} id
   * @param {number} now ms
   */
  want(id, now) {
    const at = this.asked.get(id);
    if (at !== undefined && now - at < this.retryMs) return;
    this.pending.add(id);
  }

  /**
   * The answer came (or the id is gone): stop asking.
   * @param {number} id
   */
  resolved(id) {
    this.pending.delete(id);
    this.asked.delete(id);
  }

  /** Forget everything (a new connection). */
  reset() {
    this.pending.clear();
    this.asked.clear();
    this.lastSent = -Infinity;
  }

  /**
   * The ids to send in one `who` now, or null if nothing is due.
   * @param {number} now ms
   * @returns {number[] | null}
   */
  take(now) {
    if (!this.pending.size || now - this.lastSent < this.intervalMs) return null;
    const ids = [];
    for (const id of this.pending) {
      ids.push(id);
      if (ids.length === this.maxIds) break;
    }
    for (const id of ids) {
      this.pending.delete(id);
      this.asked.set(id, now);
    }
    this.lastSent = now;
    return ids;
  }
}

export { WhoBatcher };
