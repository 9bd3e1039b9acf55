/**
 * What the client does when its socket closes: retry how, and what to tell
 * the visitor. One table, mirroring the close codes of docs/protocol.md, so
 * the connection code has no scattered special cases.
 *
 * Retry kinds:
 *   'backoff'  — reconnect with exponential backoff, resuming with the token
 *   'shutdown' — the server is restarting: reconnect after its hint, resuming
 *   'full'     — the hall is full: retry slowly
 *   'none'     — do not retry (the visitor must act: reload, rename, sign in again;
 *                or a moderator removed or banned them)
 *
 * Pure; tested in test/closepolicy.test.js.
 */

/** @type {Record<number, {retry: string, status: string} | undefined>} */
const POLICIES = {
  1000: { retry: 'none', status: 'status.left' },
  1002: { retry: 'backoff', status: 'status.protocolError' },
  1007: { retry: 'backoff', status: 'status.protocolError' },
  1009: { retry: 'backoff', status: 'status.protocolError' },
  1011: { retry: 'backoff', status: 'status.serverError' },
  1012: { retry: 'shutdown', status: 'status.shutdown' },
  1013: { retry: 'full', status: 'status.full' },
  4000: { retry: 'none', status: 'status.badJoin' },
  4001: { retry: 'none', status: 'status.version' },
  4003: { retry: 'none', status: 'status.revoked' },
  4004: { retry: 'none', status: 'status.unknownRoom' },
  4008: { retry: 'backoff', status: 'status.reconnecting' },
  4010: { retry: 'none', status: 'status.kicked' },
  4011: { retry: 'none', status: 'status.banned' },
  4029: { retry: 'backoff', status: 'status.tooManyErrors' },
  4031: { retry: 'backoff', status: 'status.reconnecting' },
  4040: { retry: 'none', status: 'status.replaced' },
};

/**
 * @param {number} code the WebSocket close code
 * @param {boolean} opened whether the socket ever opened (one that never did means the
 *   server cannot be reached at all)
 * @returns {{retry: string, status: string}}
 */
function closePolicy(code, opened = true) {
  const known = POLICIES[code];
  if (known) return known;
  return { retry: 'backoff', status: opened ? 'status.reconnecting' : 'status.unreachable' };
}

/** Error codes (the `error` sent before a close) that say more than the close code. */
/** @type {Record<string, string | undefined>} */
const ERROR_STATUS = {
  reserved_name: 'status.reservedName',
};

/**
 * What to tell the visitor about a close: the policy's status, unless the server's `error`
 * before it names a more precise one; a ban or removal without the moderator's notice
 * before it (a refused rejoin) has its own wording.
 * @param {{retry: string, status: string}} policy from closePolicy
 * @param {string | undefined} errorCode the `code` of the last `error` message
 * @param {boolean} noticed whether a `mod.notice` of the ban or removal came first
 * @returns {string} an i18n key
 */
function closeStatus(policy, errorCode, noticed) {
  const precise = errorCode ? ERROR_STATUS[errorCode] : undefined;
  if (precise) return precise;
  if (!noticed && policy.status === 'status.banned') return 'status.bannedRefused';
  if (!noticed && policy.status === 'status.kicked') return 'status.kickedRefused';
  return policy.status;
}

/**
 * Delay before reconnect attempt number `attempt` (0-based): exponential with
 * jitter, capped. `random` is injected for tests.
 * @param {string} kind the close policy's `retry` (backoff, full, shutdown)
 * @param {number} attempt
 * @param {{random?: () => number, shutdownHintMs?: number}} [options]
 * @returns {number} ms
 */
function retryDelay(kind, attempt, { random = Math.random, shutdownHintMs = 1000 } = {}) {
  const jitter = 0.8 + 0.4 * random();
  if (kind === 'shutdown') return Math.round(Math.max(250, shutdownHintMs) * jitter);
  if (kind === 'full') return Math.round(Math.min(60000, 10000 * 2 ** Math.min(attempt, 3)) * jitter);
  return Math.round(Math.min(15000, 500 * 2 ** Math.min(attempt, 10)) * jitter);
}

export { closePolicy, closeStatus, retryDelay };
