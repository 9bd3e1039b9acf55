/**
 * The token a visitor joins the hall with (docs/protocol.md: `join.token`).
 *
 * The server counts "once per visitor" (a vote, a question's rate, a raised
 * hand) by the token, and decides roles from it: so every visitor joins with
 * one. A speaker who came through their link (`?as=speaker`) gets a speaker
 * token from their link's cookie; staff and moderators who open the hall from
 * the console (`?as=staff`) get their account's token from the portal cookie;
 * everyone else a guest token (`POST /api/auth/guest`), kept in the browser
 * until shortly before it expires so a reload stays the same visitor. If no
 * token can be had, the visitor joins without one (they can still watch and
 * listen) and `null` says so.
 */

const GUEST_KEY = 'metaexpo.guest';
/** A stored guest token this close to its expiry is replaced. */
const MARGIN_S = 3600;

/**
 * @typedef {object} JoinToken
 * @property {string} token
 * @property {'speaker' | 'account' | 'guest'} kind
 * @property {number} expires unix seconds
 */

/**
 * @param {object} [opts]
 * @param {string | null} [opts.as] the page's `as` parameter: speaker, staff, moderator or none
 * @param {typeof fetch} [opts.fetchImpl]
 * @param {Storage | null} [opts.storage] where a guest token is kept
 * @param {() => number} [opts.now] unix seconds
 * @returns {Promise<JoinToken | null>}
 */
async function joinToken({ as = null, fetchImpl = globalThis.fetch, storage = null, now = () => Date.now() / 1000 } = {}) {
  /**
   * @param {string} url
   * @param {string} [method]
   * @returns {Promise<any>}
   */
  const call = async (url, method = 'GET') => {
    const res = await fetchImpl(url, { method, credentials: 'same-origin', headers: { Accept: 'application/json' } });
    return res.ok ? res.json() : null;
  };
  try {
    if (as === 'speaker') {
      const got = await call('/api/forums/speaker/token');
      if (got?.token) return { token: got.token, kind: 'speaker', expires: Number(got.expires) };
    } else if (as === 'staff' || as === 'moderator') {
      const got = await call('/api/auth/token');
      if (got?.token) return { token: got.token, kind: 'account', expires: Number(got.expires_at) };
    }
    const kept = readGuest(storage);
    if (kept && kept.expires - now() > MARGIN_S) return kept;
    const got = await call('/api/auth/guest', 'POST');
    if (!got?.token) return null;
    /** @type {JoinToken} */
    const fresh = { token: got.token, kind: 'guest', expires: Number(got.expires_at) };
    try {
      storage?.setItem(GUEST_KEY, JSON.stringify(fresh));
    } catch {
      // A full or forbidden storage: the token still works for this visit.
    }
    return fresh;
  } catch {
    return null;
  }
}

/**
 * @param {Storage | null} storage
 * @returns {JoinToken | null}
 */
function readGuest(storage) {
  try {
    const kept = JSON.parse(storage?.getItem(GUEST_KEY) ?? 'null');
    if (kept && typeof kept.token === 'string' && Number.isFinite(kept.expires)) {
      return { token: kept.token, kind: 'guest', expires: kept.expires };
    }
  } catch {
    // Unreadable: get a new one.
  }
  return null;
}

/**
 * Forget the stored guest token (the server refused it: a new secret, or it expired).
 * @param {Storage | null} storage
 */
function forgetGuest(storage) {
  try {
    storage?.removeItem(GUEST_KEY);
  } catch {
    // Nothing to forget.
  }
}

export { forgetGuest, joinToken };
