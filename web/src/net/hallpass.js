/**
 * The token a visit's `join` carries (docs/moderation.md, "Who is who"), one
 * per page: the join and the forums' roles use the same one.
 *
 * The page asks the expo once, on its own origin with its cookies
 * (`GET /api/auth/pass`): a browser signed in to the portal gets its
 * account's token (staff enter under their name with their badge), a forum
 * speaker signed in by their link gets a speaker token, and anyone else an
 * empty answer (204, not an error). Everyone else joins with a signed guest
 * token kept in the browser (`POST /api/auth/guest`), renewed when it is
 * about to expire, so that a moderator's ban sticks to this browser and a
 * reload stays the same visitor. If no token can be had, the visitor joins
 * without one (they can still watch and listen).
 */

/** localStorage key of the guest token. */
const GUEST_KEY = 'metaexpo.guest';
/** A token closer to its expiry than this (seconds) is replaced... */
const RENEW_BEFORE_S = 3600;
/** ...or than this share of its lifetime, where an expo issues short-lived tokens. */
const RENEW_SHARE = 0.25;

/**
 * @typedef {object} HallPass
 * @property {string} token for the join
 * @property {'account' | 'speaker' | 'guest'} kind signed in to the portal, a forum speaker, or a guest
 * @property {number} expires unix seconds
 * @property {number} renew unix seconds from which it is replaced (see `renewAt`)
 */

/**
 * @typedef {object} HallPassDeps
 * @property {string | null} [as] the page's `as` parameter: `speaker` asks for the speaker first
 * @property {(url: string, init?: RequestInit) => Promise<Response>} [fetchImpl]
 * @property {Storage | null} [storage] where the guest token is kept
 * @property {() => number} [now] unix seconds
 */

/**
 * @param {unknown} data
 * @returns {{token: string, expires: number} | null}
 */
function tokenOf(data) {
  if (!data || typeof data !== 'object') return null;
  const fields = /** @type {Record<string, unknown>} */ (data);
  const { token } = fields;
  const expires = fields.expires_at ?? fields.expires;
  if (typeof token !== 'string' || typeof expires !== 'number' || !Number.isFinite(expires)) return null;
  return { token, expires };
}

/**
 * When a token is to be replaced: an hour before it expires, or a quarter of its
 * lifetime before where that is shorter (an expo may issue tokens for less than an
 * hour, and such a token must still be kept and reused for most of its life).
 * @param {number} expires unix seconds
 * @param {number} received unix seconds when the expo issued it (or, unknown, now)
 */
function renewAt(expires, received) {
  return expires - Math.min(RENEW_BEFORE_S, Math.max(0, expires - received) * RENEW_SHARE);
}

/**
 * The token to join with, or null to join without one.
 * @param {HallPassDeps} [deps]
 * @returns {Promise<HallPass | null>}
 */
async function hallPass({ as = null, fetchImpl = (url, init) => fetch(url, init), storage = null, now = () => Date.now() / 1000 } = {}) {
  try {
    const url = as === 'speaker' ? '/api/auth/pass?as=speaker' : '/api/auth/pass';
    const answer = await fetchImpl(url, {
      credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' },
    });
    if (answer.status === 200) {
      const body = await answer.json();
      const found = tokenOf(body);
      if (found && (body.kind === 'account' || body.kind === 'speaker')) {
        return { ...found, kind: body.kind, renew: renewAt(found.expires, now()) };
      }
    }
  } catch {
    // the expo is unreachable: a kept guest token may still do
  }
  try {
    const entry = JSON.parse(storage?.getItem(GUEST_KEY) ?? 'null');
    const kept = tokenOf(entry);
    const received = typeof entry?.received_at === 'number' ? entry.received_at : null;
    // Kept before tokens recorded when they came: an hour's margin, as then.
    const renew = !kept ? 0 : received === null ? kept.expires - RENEW_BEFORE_S : renewAt(kept.expires, received);
    if (kept && now() < renew) return { ...kept, kind: 'guest', renew };
  } catch {
    // a damaged entry: get a new token
  }
  try {
    const answer = await fetchImpl('/api/auth/guest', { method: 'POST', credentials: 'same-origin' });
    const fresh = answer.ok ? tokenOf(await answer.json()) : null;
    if (!fresh) return null;
    try {
      storage?.setItem(GUEST_KEY, JSON.stringify({ token: fresh.token, expires_at: fresh.expires, received_at: now() }));
    } catch {
      // storage full or refused: the token still works for this visit
    }
    return { ...fresh, kind: 'guest', renew: renewAt(fresh.expires, now()) };
  } catch {
    return null;
  }
}

/**
 * Forget the kept guest token (the server refused it: a new secret, or a revocation).
 * @param {Storage | null} storage
 */
function forgetGuest(storage) {
  try {
    storage?.removeItem(GUEST_KEY);
  } catch {
    // nothing to forget
  }
}

/**
 * The page's pass, asked once and shared, so two parts of the page never
 * race for two guest tokens. Asked again on each entry to the hall (a
 * sign-in or sign-out in another tab counts then; a request already under
 * way is shared), when it nears its expiry, when none could be had, or
 * when the server refused it. Whoever holds a copy hears of a new one.
 */
class HallPasses {
  /** @param {HallPassDeps} [deps] */
  constructor(deps = {}) {
    this.deps = deps;
    this.now = deps.now ?? (() => Date.now() / 1000);
    /** @type {((pass: HallPass | null) => void)[]} */
    this.listeners = [];
    /** @type {Promise<HallPass | null> | null} the question under way */
    this.asking = null;
    /** @type {Promise<HallPass | null>} */
    this.ready = this.ask();
  }

  /** Ask the expo (or share the question under way). */
  ask() {
    if (this.asking) return this.asking;
    const asked = hallPass(this.deps).then((pass) => {
      if (this.asking === asked) this.asking = null;
      if (this.ready === asked) this.listeners.forEach((f) => f(pass));
      return pass;
    });
    this.asking = asked;
    this.ready = asked;
    return asked;
  }

  /** The pass to use now: the same one, unless there is none or it is about to expire. */
  async current() {
    const seen = this.ready;
    const pass = await seen;
    if (this.ready === seen && (!pass || this.now() >= pass.renew)) this.ask();
    return this.ready;
  }

  /** A fresh answer (entering the hall again): the visitor may have signed in or out since. */
  renew() {
    return this.ask();
  }

  /** The server refused the pass: forget a kept guest token and ask again. */
  refused() {
    forgetGuest(this.deps.storage ?? null);
    this.asking = null;
    this.ask();
  }

  /** @param {(pass: HallPass | null) => void} listener called with each new pass */
  onPass(listener) {
    this.listeners.push(listener);
  }
}

export { GUEST_KEY, HallPasses, forgetGuest, hallPass, renewAt };
