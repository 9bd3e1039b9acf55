/**
 * The service's JSON: rooms, catalog, scenes, avatars. One helper, so every
 * request fails the same way (an Error naming the URL and status) and
 * optional endpoints can be asked for without a try/catch at each call.
 */

/**
 * @param {string} url
 * @param {{optional?: boolean, fetchImpl?: typeof fetch}} [options] optional: null instead of an error
 * @returns {Promise<any>} the parsed JSON (its shape is the endpoint's: see app/types.js)
 */
async function fetchJson(url, { optional = false, fetchImpl = globalThis.fetch } = {}) {
  let res;
  try {
    res = await fetchImpl(url, { headers: { Accept: 'application/json' } });
  } catch (err) {
    if (optional) return null;
    throw new Error(`${url}: ${err instanceof Error ? err.message : err}`, { cause: err });
  }
  if (!res.ok) {
    if (optional) return null;
    throw new Error(`${url}: HTTP ${res.status}`);
  }
  return res.json();
}

export { fetchJson };
