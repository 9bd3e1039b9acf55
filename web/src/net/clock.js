/**
 * The server's clock, estimated from this page's clock.
 *
 * Frames carry the room's time in ms; to render remote avatars a fixed delay
 * in the past we need "server time now". Each ping/pong gives one estimate
 * (server_ms + rtt/2 − arrival); the sample with the smallest round trip
 * among the last few is the least disturbed, so it wins. A frame can never
 * come from the future, so one that arrives "early" raises the estimate at
 * once. A new welcome (possibly from a restarted server, whose clock starts
 * again) reseeds it.
 *
 * Pure: times are passed in (performance.now() in the browser). Tested in
 * test/clock.test.js.
 */

class ClockSync {
  /** @param {object} [opts] @param {number} [opts.window=8] pong samples kept */
  constructor({ window = 8 } = {}) {
    this.window = window;
    this.rtts = new Float64Array(window);
    this.offsets = new Float64Array(window);
    this.samples = 0;
    this.next = 0;
    this.offset = 0;
    this.seeded = false;
    this.rtt = NaN;
  }

  /**
   * Start over from one reading (the welcome's server_ms, received at localMs).
   * @param {number} serverMs
   * @param {number} localMs
   */
  seed(serverMs, localMs) {
    this.samples = 0;
    this.next = 0;
    this.offset = serverMs - localMs;
    this.seeded = true;
    this.rtt = NaN;
  }

  /**
   * A pong: the ping left at sentMs, the pong arrived at recvMs carrying serverMs. Returns rtt.
   * @param {number} sentMs
   * @param {number} recvMs
   * @param {number} serverMs
   * @returns {number}
   */
  addPong(sentMs, recvMs, serverMs) {
    const rtt = Math.max(0, recvMs - sentMs);
    this.rtts[this.next] = rtt;
    this.offsets[this.next] = serverMs + rtt / 2 - recvMs;
    this.next = (this.next + 1) % this.window;
    this.samples = Math.min(this.samples + 1, this.window);
    let best = 0;
    for (let i = 1; i < this.samples; i++) if (this.rtts[i] < this.rtts[best]) best = i;
    this.offset = this.offsets[best];
    this.rtt = this.rtts[best];
    this.seeded = true;
    return rtt;
  }

  /**
   * A pose frame stamped serverMs arrived at localMs.
   * @param {number} serverMs
   * @param {number} localMs
   */
  observeFrame(serverMs, localMs) {
    if (!this.seeded) {
      this.seed(serverMs, localMs);
    } else if (serverMs - localMs > this.offset) {
      this.offset = serverMs - localMs;
    }
  }

  /**
   * Estimated server time (ms) at local time localMs.
   * @param {number} localMs
   * @returns {number}
   */
  serverNow(localMs) {
    return localMs + this.offset;
  }
}

export { ClockSync };
