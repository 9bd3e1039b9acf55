/**
 * The sync socket: join, resume, reconnect, clock sync (docs/protocol.md).
 *
 *   idle ─start─► connecting ─welcome─► joined ─close─► waiting ─timer─► connecting …
 *                                          └─ close with a fatal code ─► closed
 *
 * Every (re)connection sends a `join`; after the first welcome it carries
 * the resume token, so a dropped visitor comes back with the same avatar id
 * within the server's resume window. Close codes decide what happens next
 * (net/closepolicy.js): exponential backoff for drops, the server's hint
 * for a restart (1012), a slow retry when the hall is full (1013), and no
 * retry where the visitor must act (4001: reload; 4040: another tab).
 * Pings every few seconds keep the server-clock estimate fresh (clock.js).
 *
 * The WebSocket class, clock and timers are injected; callbacks go to the
 * `handlers` object ({onState, onWelcome, onFrame, onMessage}).
 */

import { PROTOCOL_VERSION } from './codec.js';
import { ClockSync } from './clock.js';
import { closePolicy, closeStatus, retryDelay } from './closepolicy.js';

const PING_FIRST_MS = 500;
const PING_EVERY_MS = 4000;

/**
 * @typedef {object} ConnectionHandlers where a connection's news go (each optional)
 * @property {(state: string, status: string, vars?: Record<string, unknown>) => void} [onState]
 * @property {(msg: any, at: number) => void} [onWelcome] the server's welcome
 * @property {(data: ArrayBuffer, at: number) => void} [onFrame] a binary frame, received at `at` (ms)
 * @property {(msg: any, at: number) => void} [onMessage] any other JSON message
 * @property {(code: number, reason: string) => void} [onDisconnect]
 */

class Connection {
  /**
   * @param {object} opts
   * @param {string} opts.url ws(s)://host/ws
   * @param {{room: string, name: string, avatar: string, kind: string, token?: string}} opts.join
   * @param {ConnectionHandlers} [opts.handlers]
   * @param {typeof WebSocket} [opts.WebSocketImpl] tests inject a fake
   * @param {() => number} [opts.now] clock in ms
   * @param {{setTimeout: (fn: () => void, ms: number) => any, clearTimeout: (id: any) => void}} [opts.timers]
   * @param {() => number} [opts.random] jitter of the retry delays
   */
  constructor({
    url, join, handlers = {}, WebSocketImpl = globalThis.WebSocket,
    now = () => performance.now(), timers = globalThis, random = Math.random,
  }) {
    this.url = url;
    this.join = { ...join };
    this.handlers = handlers;
    this.WebSocketImpl = WebSocketImpl;
    this.now = now;
    this.timers = timers;
    this.random = random;
    this.clock = new ClockSync();
    this.state = 'idle';
    this.status = 'status.idle';
    this.statusVars = {};
    this.ws = null;
    /** @type {string | null} the resume token of the last welcome */
    this.token = null;
    /** @type {any} the last welcome message (docs/protocol.md) */
    this.welcome = null;
    this.attempt = 0;
    this.retryAt = 0;
    this.retryTimer = null;
    this.pingTimer = null;
    this.pings = 0;
    this.lastError = null;
    this.shutdownHintMs = 1000;
    /** @type {{action: string, until?: number, reason?: string} | null} a moderator's ban or removal, told just before the close */
    this.sanction = null;
    this.holdUntil = 0;
    this.stopped = false;
  }

  /** Connect (again). */
  start() {
    this.stopped = false;
    this._clearRetry();
    this._open();
  }

  /** Leave the room on purpose: the avatar goes at once, no reconnect. */
  leave() {
    this.stopped = true;
    this._clearRetry();
    if (this.ws && this.ws.readyState === 1) this.sendJson({ type: 'leave' });
    else this._closeSocket(1000);
    this._setState('closed', 'status.left');
  }

  /** Reconnect now instead of waiting for the timer (the "retry now" button). */
  retryNow() {
    if (this.state === 'waiting') this.start();
  }

  /**
   * Close the socket abruptly (no leave): the server keeps the avatar for a resume.
   * `holdMs` delays the reconnect (tests use it to watch the AWAY state).
   */
  drop({ holdMs = 0 } = {}) {
    this.holdUntil = this.now() + holdMs;
    this._closeSocket(3000, 'dropped');
  }

  get joined() {
    return this.state === 'joined';
  }

  /** Seconds until the next attempt (for the status line). */
  get retryInSeconds() {
    return Math.max(0, Math.ceil((this.retryAt - this.now()) / 1000));
  }

  /**
   * Send a control message now; false if the socket is not open.
   * @param {unknown} msg
   * @returns {boolean}
   */
  sendJson(msg) {
    if (!this.ws || this.ws.readyState !== 1) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  /**
   * Send a pose frame now; false unless joined.
   * @param {ArrayBuffer} buf
   * @returns {boolean}
   */
  sendBinary(buf) {
    if (!this.joined || !this.ws || this.ws.readyState !== 1) return false;
    this.ws.send(buf);
    return true;
  }

  /** Estimated server time (ms) now. */
  serverNow() {
    return this.clock.serverNow(this.now());
  }

  // --- internals ------------------------------------------------------------------------

  _open() {
    this._setState('connecting', 'status.connecting');
    let ws;
    try {
      ws = new this.WebSocketImpl(this.url);
    } catch (err) {
      this.lastError = { code: 'connect', message: String(err instanceof Error ? err.message : err) };
      this._onClose({ code: 1006, reason: '' }, false);
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    let welcomed = false;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      /** @type {Record<string, unknown>} */
      const join = { type: 'join', v: PROTOCOL_VERSION, ...this.join };
      if (this.token) join.resume = this.token;
      ws.send(JSON.stringify(join));
    };
    ws.onmessage = (ev) => {
      if (ws !== this.ws) return;
      const at = this.now();
      if (typeof ev.data !== 'string') {
        if (!welcomed) return;
        this.handlers.onFrame?.(ev.data, at);
        return;
      }
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (msg.type === 'welcome') {
        welcomed = true;
        this._onWelcome(msg, at);
      } else if (msg.type === 'pong') {
        if (typeof msg.t === 'number') this.clock.addPong(msg.t, at, msg.server_ms);
      } else if (msg.type === 'error') {
        this.lastError = { code: String(msg.code ?? ''), message: String(msg.message ?? '') };
      } else if (msg.type === 'shutdown') {
        this.shutdownHintMs = Number(msg.reconnect_after_ms) || 1000;
      } else if (msg.type === 'mod.notice' && (msg.action === 'ban' || msg.action === 'kick')) {
        this.sanction = { action: String(msg.action), until: Number(msg.until) || undefined, reason: String(msg.reason ?? '') };
      }
      this.handlers.onMessage?.(msg, at);
    };
    ws.onclose = (ev) => {
      if (ws !== this.ws) return;
      this._onClose(ev, opened);
    };
  }

  /**
   * @param {any} msg the welcome
   * @param {number} at when it arrived (ms)
   */
  _onWelcome(msg, at) {
    this.welcome = msg;
    this.token = msg.resume ?? this.token;
    this.attempt = 0;
    this.clock.seed(msg.server_ms, at);
    this.pings = 0;
    this._schedulePing(PING_FIRST_MS);
    this._setState('joined', msg.resumed ? 'status.resumed' : 'status.connected');
    this.handlers.onWelcome?.(msg, at);
  }

  /** @param {number} ms */
  _schedulePing(ms) {
    this.timers.clearTimeout(this.pingTimer);
    this.pingTimer = this.timers.setTimeout(() => {
      if (!this.joined) return;
      this.sendJson({ type: 'ping', t: this.now() });
      this.pings++;
      this._schedulePing(this.pings < 4 ? PING_FIRST_MS : PING_EVERY_MS);
    }, ms);
  }

  /**
   * @param {{code: number, reason: string}} ev
   * @param {boolean} opened whether the socket ever opened
   */
  _onClose(ev, opened) {
    this.timers.clearTimeout(this.pingTimer);
    this.ws = null;
    if (this.stopped) {
      this._setState('closed', 'status.left');
      return;
    }
    const policy = closePolicy(ev.code, opened);
    const reason = this.lastError?.message || ev.reason || String(ev.code);
    this.handlers.onDisconnect?.(ev.code, reason);
    if (policy.retry === 'none') {
      const sanction = this.sanction;
      const status = closeStatus(policy, this.lastError?.code, sanction !== null);
      /** @type {Record<string, unknown>} */
      const vars = { reason, code: ev.code, name: this.join.name };
      if (sanction) Object.assign(vars, { reason: sanction.reason || '', until: sanction.until ?? 0 });
      this._setState('closed', status, vars);
      return;
    }
    const delay = Math.max(this.holdUntil - this.now(), retryDelay(policy.retry, this.attempt, {
      random: this.random, shutdownHintMs: this.shutdownHintMs,
    }));
    this.attempt++;
    this.retryAt = this.now() + delay;
    this._setState('waiting', policy.status, { reason, code: ev.code });
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this._open();
    }, delay);
  }

  _clearRetry() {
    if (this.retryTimer) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /**
   * @param {number} code
   * @param {string} [reason]
   */
  _closeSocket(code, reason = '') {
    const ws = this.ws;
    if (!ws) return;
    try {
      ws.close(code, reason);
    } catch {
      // already closing
    }
  }

  /**
   * @param {string} state
   * @param {string} status an i18n key
   * @param {Record<string, unknown>} [vars]
   */
  _setState(state, status, vars = {}) {
    this.state = state;
    this.status = status;
    this.statusVars = vars;
    this.handlers.onState?.(state, status, vars);
  }
}

export { Connection };
