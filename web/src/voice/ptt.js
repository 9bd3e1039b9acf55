/**
 * Push-to-talk and open mic: when the microphone is captured, when its chunks
 * are sent, and what the always-visible indicator says.
 *
 * The microphone is off until the visitor asks (privacy by default, issue 11).
 * Holding a talk control (the V key, the on-screen button on a phone, the left
 * controller's grip in VR) sends while held; the open-mic toggle sends until
 * it is switched off. After the last release the microphone stays captured
 * (not sent) for `holdOpenMs`, so a conversation does not ask the browser for
 * the device at every sentence, then it is released and the browser's own
 * recording indicator goes off too.
 *
 * Sending also stops where voice is off: a voice-free place the client knows
 * (a forum hall during a session), or one the server names when it refuses
 * the chunks (`voice_off_here`, `voice_muted`: a staff quiet zone, a
 * moderator's mute). A refusal is remembered for `refusalMs` after the last
 * one, as the server repeats it at most once a second while chunks come.
 *
 * Pure: the caller passes the clock. Unit-tested in test/ptt.test.js.
 */

/**
 * @typedef {'off' | 'asking' | 'ready' | 'live' | 'blocked'} Indicator what the mic indicator
 *   shows: microphone released; the browser asks for it; captured but not sent; sent; wanted
 *   but voice is off here
 */

/** Server refusals that mean "you may not talk here or now", not a broken frame. */
const REFUSALS = new Set(['voice_off_here', 'voice_muted']);

class TalkState {
  /** @param {{holdOpenMs?: number, refusalMs?: number}} [options] */
  constructor({ holdOpenMs = 8000, refusalMs = 2500 } = {}) {
    this.holdOpenMs = holdOpenMs;
    this.refusalMs = refusalMs;
    /** @type {Set<string>} talk controls held down now ('key', 'button', 'vr', ...) */
    this.held = new Set();
    this.open = false;
    /** when the last talk control was released (or the open mic switched off) */
    this.releasedAt = -Infinity;
    /** @type {string | null} why voice is off where the visitor stands (known locally) */
    this.offHere = null;
    /** @type {{code: string, at: number} | null} the server's last refusal */
    this.refusal = null;
    /** the browser is asking the visitor for the microphone */
    this.asking = false;
    /** the microphone is captured (the caller says so once it is) */
    this.captured = false;
  }

  /**
   * A talk control went down.
   * @param {string} source
   */
  press(source) {
    this.held.add(source);
  }

  /**
   * A talk control came up (or lost focus).
   * @param {string} source
   * @param {number} now
   */
  release(source, now) {
    if (this.held.delete(source) && !this.talking) this.releasedAt = now;
  }

  /** Every talk control up (the window lost focus: no key stays stuck). @param {number} now */
  releaseAll(now) {
    if (this.held.size) this.releasedAt = now;
    this.held.clear();
  }

  /**
   * The open-mic toggle.
   * @param {boolean} on
   * @param {number} now
   */
  setOpen(on, now) {
    if (this.open && !on) this.releasedAt = now;
    this.open = on;
  }

  /**
   * Where the visitor stands voice is off, and why (an i18n key), or null.
   * @param {string | null} why
   */
  setOffHere(why) {
    this.offHere = why;
  }

  /**
   * The server refused voice chunks with `code`; true if it is a refusal of talking here/now.
   * @param {string} code
   * @param {number} now
   * @returns {boolean}
   */
  noteRefusal(code, now) {
    if (!REFUSALS.has(code)) return false;
    this.refusal = { code, at: now };
    return true;
  }

  /** The visitor wants to talk (a control held, or the open mic on). */
  get talking() {
    return this.open || this.held.size > 0;
  }

  /**
   * Why talking does not reach anyone now (an i18n key), or null.
   * @param {number} now
   * @returns {string | null}
   */
  blockedBy(now) {
    if (this.offHere) return this.offHere;
    if (this.refusal && now - this.refusal.at < this.refusalMs) return `voice.refused.${this.refusal.code}`;
    return null;
  }

  /**
   * Whether the microphone should be captured now.
   * @param {number} now
   */
  wantsMic(now) {
    return this.talking || now - this.releasedAt < this.holdOpenMs;
  }

  /**
   * Whether chunks are sent now. A server refusal does not stop sending (the server is the
   * judge, and says when it is over by answering no more); a place known to be voice-free does.
   */
  get sending() {
    return this.talking && this.captured && !this.offHere;
  }

  /**
   * What the indicator shows.
   * @param {number} now
   * @returns {Indicator}
   */
  indicator(now) {
    if (this.asking) return 'asking';
    if (!this.captured) return 'off';
    if (!this.talking) return 'ready';
    return this.blockedBy(now) ? 'blocked' : 'live';
  }
}

export { REFUSALS, TalkState };
