/**
 * The token a visit's `join` carries (docs/moderation.md, "Who is who").
 *
 * A page whose browser is signed in to the portal asks the expo, on its own
 * origin with the sign-in cookie, for a hall token (`GET /api/auth/token`):
 * staff then enter under their name with their badge. A forum speaker
 * signed in by their link's cookie asks for a speaker token
 * (`GET /api/forums/speaker/token`) and enters with the speaker badge. Everyone else joins
 * with a signed guest token kept in the browser (`POST /api/auth/guest`),
 * renewed when it is about to expire, so that a moderator's ban sticks to
 * this browser. If neither can be had, the visitor joins without a token.
 */

/** localStorage key of the guest token. */
const GUEST_KEY = 'metaexpo.guest';
/** A guest token closer to its expiry than this (seconds) is replaced. */
const RENEW_BEFORE_S = 3600;

/**
 * @typedef {object} HallPass
 * @property {string} token for the join
 * @property {'account' | 'speaker' | 'guest'} kind signed in to the portal, a forum speaker, or a guest
 */

/**
 * @typedef {object} HallPassDeps
 * @property {(url: string, init?: RequestInit) => Promise<Response>} [fetchImpl]
 * @property {Storage | null} [storage] where the guest token is kept
 * @property {() => number} [now] unix seconds
 */

/**
 * @param {unknown} data
 * @returns {{token: string, expires_at: number} | null}
 */
function tokenOf(data) {
  if (!data || typeof data !== 'object') return null;
  const fields = /** @type {Record<string, unknown>} */ (data);
  const { token } = fields;
  const expires = fields.expires_at ?? fields.expires;
  if (typeof token !== 'string' || typeof expires !== 'number') return null;
  return { token, expires_at: expires };
}

/**
 * The token to join with, or null to join without one.
 * @param {HallPassDeps} [deps]
 * @returns {Promise<HallPass | null>}
 */
async function hallPass({ fetchImpl = (url, init) => fetch(url, init), storage = null, now = () => Date.now() / 1000 } = {}) {
  try {
    const account = await fetchImpl('/api/auth/token', { credentials: 'same-origin', cache: 'no-store' });
    if (account.ok) {
      const found = tokenOf(await account.json());
      if (found) return { token: found.token, kind: 'account' };
    }
  } catch {
    // not signed in, or the expo is unreachable: a guest token may still be kept
  }
  try {
    const speaker = await fetchImpl('/api/forums/speaker/token', { credentials: 'same-origin', cache: 'no-store' });
    if (speaker.ok) {
      const found = tokenOf(await speaker.json());
      if (found) return { token: found.token, kind: 'speaker' };
    }
  } catch {
    // not a speaker
  }
  try {
    const kept = tokenOf(JSON.parse(storage?.getItem(GUEST_KEY) ?? 'null'));
    if (kept && kept.expires_at - now() > RENEW_BEFORE_S) return { token: kept.token, kind: 'guest' };
  } catch {
    // a damaged entry: get a new token
  }
  try {
    const answer = await fetchImpl('/api/auth/guest', { method: 'POST', credentials: 'same-origin' });
    const fresh = answer.ok ? tokenOf(await answer.json()) : null;
    if (!fresh) return null;
    try {
      storage?.setItem(GUEST_KEY, JSON.stringify(fresh));
    } catch {
      // storage full or refused: the token still works for this visit
    }
    return { token: fresh.token, kind: 'guest' };
  } catch {
    return null;
  }
}

export { GUEST_KEY, hallPass };
