/**
 * Places that shape sound, as the visitor's client knows them
 * (docs/protocol.md, "Media"): a booth voice zone (from the room's
 * `voice_zones`: inside, people hear each other and the exhibitor's staff,
 * not the aisle), a forum hall while a session is live there (audience
 * voice is off; the stage is heard), and staff's quiet places (the server's
 * `voice.places`: named areas, or the whole hall). A moderator's mute is
 * known only to the server: the client learns it when its voice is refused
 * (ptt.js). The server is the judge of who hears whom; this is what the
 * visitor is shown.
 *
 * Pure; unit-tested in test/voicezones.test.js.
 */

/** @typedef {[number, number, number, number]} Rect x0, x1, z0, z1 (x0 ≤ x < x1, z0 ≤ z < z1) */

/**
 * @typedef {object} Place where the visitor stands, for their voice
 * @property {'open' | 'private' | 'off'} kind
 * @property {string | null} key an i18n key saying so (null in the open hall)
 * @property {number} zone the booth voice zone's index (-1 outside)
 */

/**
 * @param {Rect} r
 * @param {number} x
 * @param {number} z
 */
function within(r, x, z) {
  return x >= r[0] && x < r[1] && z >= r[2] && z < r[3];
}

/**
 * The place at floor point (x, z).
 * @param {number} x
 * @param {number} z
 * @param {{booths: Rect[], liveForums: Rect[], quiet?: Rect[], quietHall?: boolean}} zones booth
 *   voice zones, the audience areas of forum halls where a session is live now, and staff's
 *   quiet areas or quiet hall
 * @returns {Place}
 */
function placeAt(x, z, { booths, liveForums, quiet = [], quietHall = false }) {
  if (liveForums.some((r) => within(r, x, z))) return { kind: 'off', key: 'voice.zone.forum', zone: -1 };
  if (quietHall || quiet.some((r) => within(r, x, z))) return { kind: 'off', key: 'voice.zone.quiet', zone: -1 };
  const zone = booths.findIndex((r) => within(r, x, z));
  if (zone >= 0) return { kind: 'private', key: 'voice.zone.booth', zone };
  return { kind: 'open', key: null, zone: -1 };
}

export { placeAt, within };
