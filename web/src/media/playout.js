/**
 * Whether this page plays its speakers on the audio thread (playoutworklet.js,
 * named by the page's `<meta name="playout-worklet">`): the module is added to
 * each AudioContext once, when the context is made, and a speaker's channel
 * (channel.js) uses it from then on. Where it cannot load (no AudioWorklet,
 * an unbuilt page, a failed fetch) channels schedule buffers from the main
 * thread as before, and say so in their stats (`playedIn`).
 */

/** @type {WeakMap<BaseAudioContext, 'loading' | 'ready' | 'none'>} how far each context got */
const loads = new WeakMap();

/**
 * Start loading the playout worklet into `ctx` (once; later calls do nothing).
 * @param {BaseAudioContext} ctx
 * @param {any} [scope] the page's globals
 */
function loadPlayout(ctx, scope = globalThis) {
  if (loads.has(ctx)) return;
  const url = scope.document?.querySelector?.('meta[name="playout-worklet"]')?.getAttribute('content');
  if (!url || !ctx.audioWorklet || typeof scope.AudioWorkletNode !== 'function') {
    loads.set(ctx, 'none');
    return;
  }
  loads.set(ctx, 'loading');
  ctx.audioWorklet.addModule(url).then(
    () => loads.set(ctx, 'ready'),
    () => loads.set(ctx, 'none'),
  );
}

/**
 * @param {BaseAudioContext} ctx
 * @returns {boolean} whether the worklet is still loading into `ctx`: a speaker starting now
 *   would play from the main thread for as long as they talk, so their channel waits (channel.js)
 */
function playoutLoading(ctx) {
  return loads.get(ctx) === 'loading';
}

/**
 * @param {BaseAudioContext} ctx
 * @returns {boolean} whether channels of `ctx` can play on the audio thread now
 */
function playoutReady(ctx) {
  return loads.get(ctx) === 'ready';
}

export { loadPlayout, playoutLoading, playoutReady };
