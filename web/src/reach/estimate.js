/**
 * How a live count reads on a dashboard: exact counts as they are, estimates
 * (unique visitors counted across nodes with Redis HyperLogLog, within the
 * bound docs/analytics.md gives) marked "≈", so nobody reads one as exact.
 */

/**
 * @param {number} n the count
 * @param {boolean} approximate the API's `live.approximate`
 * @returns {string}
 */
function countText(n, approximate) {
  return approximate ? `≈ ${n}` : String(n);
}

export { countText };
