/**
 * What a visitor does in a forum, as `forum.*` messages on the sync socket
 * (docs/protocol.md, "Forums"). Every view (the 2D panels, the VR panel, the
 * keyboard) acts through here, so there is one place that knows the wire
 * shapes. The store is told what the visitor did (a vote, a raised hand) so
 * the views show it at once; the server's answer (a new state, or an error
 * the store keeps as a refusal) settles it.
 *
 * Asking, voting and raising a hand need a join token (the server counts
 * "once per visitor" by it): without one the visitor is told so instead.
 */

/**
 * @typedef {'sent' | 'offline' | 'no-token' | 'empty'} Outcome what became of an action
 */

class ForumActions {
  /**
   * @param {object} deps
   * @param {import('./store.js').ForumStore} deps.store
   * @param {(msg: Record<string, unknown>) => boolean} deps.send a control message; false when offline
   * @param {() => boolean} deps.hasToken whether the visitor joined with a token
   * @param {number} [deps.maxChars] longest question (the server's limit)
   */
  constructor({ store, send, hasToken, maxChars = 300 }) {
    this.store = store;
    this.send = send;
    this.hasToken = hasToken;
    this.maxChars = maxChars;
  }

  /**
   * @param {string} type
   * @param {string | undefined} session
   * @param {Record<string, unknown>} [fields]
   * @returns {Outcome}
   */
  _send(type, session, fields = {}) {
    this.store.clearRefusal();
    return this.send({ type, ...(session ? { session } : {}), ...fields }) ? 'sent' : 'offline';
  }

  /** @returns {Outcome | null} null when a token is there */
  _needToken() {
    return this.hasToken() ? null : 'no-token';
  }

  /**
   * Ask a question (plain text; the server cleans and limits it too).
   * @param {string} session
   * @param {string} text
   * @param {boolean} anonymous
   * @returns {Outcome}
   */
  ask(session, text, anonymous) {
    const clean = Array.from(String(text).trim()).slice(0, this.maxChars).join('');
    if (!clean) return 'empty';
    return this._needToken() ?? this._send('forum.question', session, { text: clean, anonymous });
  }

  /**
   * @param {string} session
   * @param {number} question
   * @returns {Outcome}
   */
  vote(session, question) {
    const refused = this._needToken();
    if (refused) return refused;
    const done = this._send('forum.vote', session, { question });
    if (done === 'sent') this.store.noteVote(question);
    return done;
  }

  /**
   * Raise or lower the visitor's hand.
   * @param {string} session
   * @param {boolean} up
   * @returns {Outcome}
   */
  hand(session, up) {
    const refused = this._needToken();
    if (refused) return refused;
    const done = this._send('forum.hand', session, { up });
    if (done === 'sent') this.store.noteHand(session, up);
    return done;
  }

  /**
   * Answer an invitation on stage.
   * @param {string} session
   * @param {boolean} accept
   * @returns {Outcome}
   */
  accept(session, accept) {
    const done = this._send('forum.stage_accept', session, { accept });
    if (done === 'sent') this.store.noteAnswered(session);
    return done;
  }

  /**
   * The visitor's own microphone (speakers step on stage with it).
   * @param {string} session
   * @param {boolean} on
   */
  mic(session, on) {
    return this._send('forum.mic', session, { on });
  }

  /**
   * A moderator turns someone's microphone off.
   * @param {string} session
   * @param {number} id
   */
  cut(session, id) {
    return this._send('forum.mic', session, { on: false, id });
  }

  /**
   * @param {string} session
   * @param {'next' | 'previous' | number} to
   */
  slide(session, to) {
    return this._send('forum.slide', session, { to });
  }

  /**
   * @param {string} session
   * @param {number} question
   * @param {'approve' | 'hide' | 'pin' | 'unpin' | 'answered'} action
   */
  moderate(session, question, action) {
    return this._send('forum.moderate', session, { question, action });
  }

  /**
   * @param {string} session
   * @param {'invite' | 'end' | 'dismiss'} action
   * @param {number} id the visitor's avatar id
   */
  stage(session, action, id) {
    return this._send('forum.stage', session, { action, id });
  }

  /**
   * @param {string} session
   * @param {number} seconds
   */
  slow(session, seconds) {
    return this._send('forum.slow', session, { seconds: Math.max(0, Math.min(600, Math.round(seconds))) });
  }

  /**
   * Go live or end.
   * @param {string} session
   * @param {'live' | 'end'} action
   */
  control(session, action) {
    return this._send('forum.session', session, { action });
  }

  /**
   * Ask for a session's state (moderators then keep getting the queues).
   * @param {string} [session] every live session of the room without it
   */
  sync(session) {
    return this._send('forum.sync', session);
  }
}

export { ForumActions };
