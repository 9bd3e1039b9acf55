/**
 * Why a microphone cannot be live, said to the visitor: `key` is an i18n
 * sentence they can act on (permission refused, no microphone, no encoder),
 * `message` what the browser said, for the curious.
 */

class CaptureError extends Error {
  /**
   * @param {string} key an i18n key for the visitor
   * @param {string} message
   */
  constructor(key, message) {
    super(message);
    this.key = key;
  }
}

export { CaptureError };
