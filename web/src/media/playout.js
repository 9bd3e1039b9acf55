/**
 * Whether this page plays its speakers on the audio thread (playoutworklet.js,
 * named by the page's `<meta name="playout-worklet">`): the module is added to
 * each AudioContext once, when the context is made, and a speaker's channel
 * (channel.js) uses it from then on. Where it cannot load (no AudioWorklet,
 * an unbuilt page, a failed fetch) channels schedule buffers from the main
 * thread as before, and say so in their stats (`playedIn`).
 */

/** @type {WeakMap<BaseAudioContext, {ready: boolean, loading: boolean}>} */
const loads = new WeakMap();

/**
 * Start loading the playout worklet into `ctx` (once; later calls do nothing).
 * @param {BaseAudioContext} ctx
 * @param {any} [scope] the page's globals
 * @returns {Promise<boolean>} whether it loaded
 */
function loadPlayout(ctx, scope = globalThis) {
  const known = loads.get(ctx);
  if (known) return Promise.resolve(known.ready);
  const state = { ready: false, loading: false };
  loads.set(ctx, state);
  const url = scope.document?.querySelector?.('meta[name="playout-worklet"]')?.getAttribute('content');
  if (!url || !ctx.audioWorklet || typeof scope.AudioWorkletNode !== 'function') return Promise.resolve(false);
  state.loading = true;
  return ctx.audioWorklet.addModule(url).then(
    () => { state.ready = true; state.loading = false; return true; },
    () => { state.loading = false; return false; },
  );
}

/**
 * @param {BaseAudioContext} ctx
 * @returns {boolean} whether the worklet is still loading into `ctx`: a speaker heard now would
 *   be played from the main thread for as long as it talks, so its chunks wait (are dropped) for
 *   the few milliseconds this takes
 */
function playoutLoading(ctx) {
  return loads.get(ctx)?.loading === true;
}

/**
 * @param {BaseAudioContext} ctx
 * @returns {boolean} whether channels of `ctx` can play on the audio thread now
 */
function playoutReady(ctx) {
  return loads.get(ctx)?.ready === true;
}

export { loadPlayout, playoutLoading, playoutReady };
