// Synthetic navigation grids for the node tests (a helper, not a test: node --test runs every
// file under test/). Drawn as text: '.' walkable, '#' not; row 0 is the smallest z (north), one
// character per cell of `cell` metres from `origin`.
import { NavGrid } from '../src/world/navgrid.js';

/**
 * @param {string[]} rows
 * @param {{origin?: number[], cell?: number}} [opts]
 */
export function gridFromRows(rows, { origin = [0, 0], cell = 1 } = {}) {
  const height = rows.length;
  const width = rows[0].length;
  const bytes = new Uint8Array(Math.ceil((width * height) / 8));
  rows.forEach((row, j) => {
    [...row].forEach((ch, i) => {
      if (ch !== '#') {
        const k = j * width + i;
        bytes[k >> 3] |= 1 << (k & 7);
      }
    });
  });
  return NavGrid.fromJson({
    version: 1, hall: 'test', origin, cell, width, height, radius: 0.3,
    bits: Buffer.from(bytes).toString('base64'),
  });
}
