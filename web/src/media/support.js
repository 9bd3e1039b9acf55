/**
 * What this browser can do for stage audio, and why not when it cannot.
 *
 * Speaking needs a secure page, getUserMedia and WebCodecs' AudioEncoder;
 * listening needs Web Audio and AudioDecoder. Each missing piece has its own
 * i18n key with a sentence the visitor can act on: a visitor is told, never
 * left in silence.
 */

/**
 * @typedef {object} AudioSupport
 * @property {string | null} speak why this browser cannot send its microphone (an i18n key), or null
 * @property {string | null} listen why it cannot play the stage (an i18n key), or null
 */

/**
 * @param {any} [scope] the page's global object (tests pass their own)
 * @returns {AudioSupport}
 */
function audioSupport(scope = globalThis) {
  const listen = typeof scope.AudioContext !== 'function' ? 'media.noWebAudio'
    : typeof scope.AudioDecoder !== 'function' ? 'media.noDecoder' : null;
  /** @type {string | null} */
  let speak = null;
  if (scope.isSecureContext === false) speak = 'media.insecure';
  else if (typeof scope.navigator?.mediaDevices?.getUserMedia !== 'function') speak = 'media.noMicApi';
  else if (typeof scope.AudioEncoder !== 'function') speak = 'media.noEncoder';
  return { speak, listen };
}

export { audioSupport };
