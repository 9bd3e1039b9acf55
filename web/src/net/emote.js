/**
 * Emotes on the wire (docs/protocol.md, "Emotes"): the message a client sends
 * to make its avatar wave, clap or give a thumbs-up, and the reading of the
 * server's `emote` message, which names the avatar that did. Anything that
 * does not read as an emote is ignored (null), never an error: a newer server
 * may know gestures this client does not.
 *
 * Pure; tested against docs/protocol-vectors/control_messages.json.
 */

/** The gestures, in the order the controls list them. */
const EMOTES = Object.freeze(['wave', 'clap', 'thumbs_up']);

/** Least time between two emotes the server accepts from one visitor (ms). */
const EMOTE_INTERVAL_MS = 1000;

/**
 * The client's `emote` message.
 * @param {string} emote one of EMOTES
 * @returns {{type: 'emote', emote: string}}
 */
function emoteMessage(emote) {
  if (!EMOTES.includes(emote)) throw new RangeError(`unknown emote ${emote}`);
  return { type: 'emote', emote };
}

/**
 * The avatar id and gesture of a server `emote` message, or null if it is not one this
 * client can show.
 * @param {any} msg a parsed control message
 * @returns {{id: number, emote: string} | null}
 */
function readEmote(msg) {
  if (!msg || msg.type !== 'emote') return null;
  const { id, emote } = msg;
  if (!Number.isInteger(id) || id < 0 || id > 0xffffff) return null;
  if (typeof emote !== 'string' || !EMOTES.includes(emote)) return null;
  return { id, emote };
}

export { EMOTE_INTERVAL_MS, emoteMessage, EMOTES, readEmote };
