/**
 * The forums' part of `window.__expoTest` (only with `?test` in the URL): the
 * few actions the browser tests need that a click cannot give them — an
 * in-page audio loop (microphone → Opus → jitter buffer → decoder → speakers,
 * no server), the screen's painted pixels, where a VR panel button is.
 * Everything else the tests do through the panels' own buttons.
 */

import { Stream } from '../media/stageaudio.js';

/** The avatar id the in-page loop plays its chunks as (no real avatar has it: generation 0). */
const LOOP_ID = 0xfffe;

/**
 * @param {import('./forums.js').Forums} forums
 */
function forumTestHooks(forums) {
  const wire = forums.sendAudio;
  return {
    /**
     * Send the microphone's chunks straight back into this page's own playback (or, with
     * false, to the server again).
     * @param {boolean} on
     */
    loopback(on) {
      forums.sendAudio = on
        ? (stream, chunks) => {
          for (const c of chunks) forums.audio.onMediaChunk(LOOP_ID, stream, c.seq, c.data);
          return true;
        }
        : wire;
    },
    /** Open the microphone for the stage stream; resolves to null or the refusal's i18n key. */
    async startMic() {
      try {
        await forums.audio.startMic(Stream.STAGE);
        return null;
      } catch (err) {
        return err instanceof Error ? /** @type {any} */ (err).key ?? err.message : String(err);
      }
    },
    stopMic() {
      forums.audio.stopMic();
    },
    unlockAudio() {
      return forums.unlockAudio();
    },
    /** The level of what the page plays now (after mixing). */
    outputLevel() {
      return forums.audio.outputLevel();
    },
    /**
     * What the slide screen of a forum hall has painted.
     * @param {string} forumId
     */
    screenInk(forumId) {
      return forums.halls.find((p) => p.hall.id === forumId)?.screen.ink() ?? null;
    },
    /**
     * Where a VR panel button is in the world (a test aims a controller at it).
     * @param {string} id
     */
    vrButtonPoint(id) {
      return forums.vr.buttonPoint(id);
    },
    /** @param {string} sid go to the session's hall and open its panel */
    attend(sid) {
      forums.attend(sid);
    },
  };
}

export { forumTestHooks };
