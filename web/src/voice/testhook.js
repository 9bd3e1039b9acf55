/**
 * `window.__expoTest.voice`: the voice actions a browser test drives through
 * the client's own paths (the same calls the V key, the Hold-to-talk button,
 * the open-mic toggle and a person's menu make).
 */

/** @param {import('./voice.js').Voice} voice */
function voiceTestHooks(voice) {
  return {
    /** @param {string} [source] hold a talk control down */
    press(source = 'key') { voice.press(source); },
    /** @param {string} [source] */
    release(source = 'key') { voice.release(source); },
    /** @param {boolean} on */
    setOpen(on) { voice.setOpen(on); },
    /** @param {number} id @param {boolean} on */
    mute(id, on) { voice.hearing.setMuted(id, on); },
    /** @param {number} id @param {number} v */
    volume(id, v) { voice.hearing.setVolume(id, v); },
    /** @param {number} id @param {boolean} on */
    block(id, on) { voice.hearing.setBlocked(id, on); },
    /** @param {boolean} open */
    people(open) { voice.setPeopleOpen(open); },
  };
}

export { voiceTestHooks };
