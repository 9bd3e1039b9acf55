/**
 * The navigation grid of a hall: which floor cells an avatar may stand on.
 *
 * The scene builder emits it beside the hall GLB (docs/scenes.md, "The
 * navigation grid"): cells of `cell` metres from `origin` [x0, z0], `width`
 * along x and `height` along z, one bit per cell (row-major, LSB first),
 * 1 = walkable. Obstacles are already grown by the avatar radius, so a
 * point (the avatar's centre) is either allowed or not; nothing here needs
 * to know the avatar's shape.
 *
 * Pure (no DOM, no three.js): movement (controls/walk.js), path finding
 * (world/pathfind.js) and VR teleport checks ask it; a booth switched live to
 * another template has its slot redrawn (`restampBooth`). Tested in
 * test/navgrid.test.js on grids built in the test.
 */

/** Thrown for a navigation grid file that does not follow the format. */
class NavGridError extends Error {}

/**
 * @param {string} b64
 * @returns {Uint8Array}
 */
function decodeBase64(b64) {
  let s;
  try {
    s = atob(b64);
  } catch {
    throw new NavGridError('navigation grid: bits is not valid base64');
  }
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

class NavGrid {
  /**
   * @param {{origin: number[], cell: number, width: number, height: number, radius?: number,
   *          hall?: string, booths?: Record<string, {template: string, position: number[],
   *          rotation_deg: number}>, templates?: Record<string, number[][][]>}} shape
   * @param {Uint8Array} bits W*H bits, row-major, LSB first; 1 = walkable
   */
  constructor({ origin, cell, width, height, radius = 0, hall = '', booths = {}, templates = {} }, bits) {
    this.x0 = origin[0];
    this.z0 = origin[1];
    this.cell = cell;
    this.width = width;
    this.height = height;
    this.radius = radius;
    this.hall = hall;
    this.bits = bits;
    /** @type {Record<string, {template: string, position: number[], rotation_deg: number}>} */
    this.booths = booths;
    /** @type {Record<string, number[][][]>} each template's footprints, in the booth's frame */
    this.templates = templates;
  }

  /**
   * Parse the scene builder's JSON (an object already decoded from the file).
   * @param {any} data
   * @returns {NavGrid}
   * @throws {NavGridError} naming what is wrong
   */
  static fromJson(data) {
    if (!data || typeof data !== 'object') throw new NavGridError('navigation grid: not a JSON object');
    if (data.version !== 1) throw new NavGridError(`navigation grid: version ${data.version}, expected 1`);
    const { origin, cell, width, height, bits } = data;
    const finite = (v) => typeof v === 'number' && Number.isFinite(v);
    if (!Array.isArray(origin) || origin.length !== 2 || !origin.every(finite)) {
      throw new NavGridError('navigation grid: origin must be [x0, z0]');
    }
    if (!finite(cell) || cell <= 0) throw new NavGridError('navigation grid: cell must be a positive number');
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new NavGridError('navigation grid: width and height must be positive integers');
    }
    if (typeof bits !== 'string') throw new NavGridError('navigation grid: bits must be a base64 string');
    const bytes = decodeBase64(bits);
    if (bytes.length < Math.ceil((width * height) / 8)) {
      throw new NavGridError(`navigation grid: ${bytes.length} bytes of bits for ${width} × ${height} cells`);
    }
    const object = (v) => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
    return new NavGrid({
      origin, cell, width, height, radius: data.radius ?? 0, hall: data.hall ?? '',
      booths: object(data.booths), templates: object(data.templates),
    }, bytes);
  }

  /** Column of world x (may be off the grid). */
  col(x) {
    return Math.floor((x - this.x0) / this.cell);
  }

  /** Row of world z (may be off the grid). */
  row(z) {
    return Math.floor((z - this.z0) / this.cell);
  }

  /** Whether cell (i, j) is walkable (cells off the grid are not). */
  open(i, j) {
    if (i < 0 || j < 0 || i >= this.width || j >= this.height) return false;
    const k = j * this.width + i;
    return ((this.bits[k >> 3] >> (k & 7)) & 1) === 1;
  }

  /** Set cell (i, j) walkable or not (cells off the grid are left alone). */
  setOpen(i, j, walkable) {
    if (i < 0 || j < 0 || i >= this.width || j >= this.height) return;
    const k = j * this.width + i;
    if (walkable) this.bits[k >> 3] |= 1 << (k & 7);
    else this.bits[k >> 3] &= ~(1 << (k & 7));
  }

  /**
   * Redraw booth `id`'s slot for `template` after a live template change (docs/scenes.md,
   * "Booths that change live"): the cells within `radius` of the footprints of the template
   * it showed open up, those within `radius` of the new template's are blocked. Booth
   * footprints are rectangles turned by quarter turns, so the distance is exact. Returns
   * whether anything was redrawn (false for an unknown booth or template, or no change).
   * @param {string} id
   * @param {string} template
   */
  restampBooth(id, template) {
    const booth = this.booths[id];
    const now = this.templates[template];
    if (!booth || !Array.isArray(now) || booth.template === template) return false;
    const rects = (footprints) => (footprints ?? []).map((quad) => {
      const a = (booth.rotation_deg * Math.PI) / 180;
      // Quarter turns exactly, as the builder turns them (three.js rotation.y).
      const c = Math.round(Math.cos(a) * 1e12) / 1e12;
      const s = Math.round(Math.sin(a) * 1e12) / 1e12;
      const xs = quad.map(([x, z]) => booth.position[0] + c * x + s * z);
      const zs = quad.map(([x, z]) => booth.position[1] - s * x + c * z);
      return [Math.min(...xs), Math.min(...zs), Math.max(...xs), Math.max(...zs)];
    });
    const before = rects(this.templates[booth.template]);
    const after = rects(now);
    const all = [...before, ...after];
    if (!all.length) return false;
    const half = this.cell / 2;
    const near = (list, cx, cz) => list.some(([x0, z0, x1, z1]) => {
      const dx = Math.max(0, Math.abs(cx - (x0 + x1) / 2) - half - (x1 - x0) / 2);
      const dz = Math.max(0, Math.abs(cz - (z0 + z1) / 2) - half - (z1 - z0) / 2);
      return Math.hypot(dx, dz) < this.radius - 1e-9;
    });
    const reach = this.radius + this.cell;
    const i0 = this.col(Math.min(...all.map((r) => r[0])) - reach);
    const i1 = this.col(Math.max(...all.map((r) => r[2])) + reach);
    const j0 = this.row(Math.min(...all.map((r) => r[1])) - reach);
    const j1 = this.row(Math.max(...all.map((r) => r[3])) + reach);
    for (let j = j0; j <= j1; j++) {
      for (let i = i0; i <= i1; i++) {
        const cx = this.cx(i);
        const cz = this.cz(j);
        if (near(after, cx, cz)) this.setOpen(i, j, false);
        else if (near(before, cx, cz)) this.setOpen(i, j, true);
      }
    }
    booth.template = template;
    return true;
  }

  /** Whether an avatar may stand with its centre at (x, z). */
  walkable(x, z) {
    return this.open(this.col(x), this.row(z));
  }

  /** World x of the centre of column i. */
  cx(i) {
    return this.x0 + (i + 0.5) * this.cell;
  }

  /** World z of the centre of row j. */
  cz(j) {
    return this.z0 + (j + 0.5) * this.cell;
  }

  /**
   * Whether the straight segment (ax, az) → (bx, bz) stays on walkable cells: every cell
   * the segment passes through (a supercover walk, corners included) must be open.
   */
  lineClear(ax, az, bx, bz) {
    let i = this.col(ax);
    let j = this.row(az);
    const i1 = this.col(bx);
    const j1 = this.row(bz);
    if (!this.open(i, j)) return false;
    const dx = (bx - ax) / this.cell;
    const dz = (bz - az) / this.cell;
    const si = dx > 0 ? 1 : -1;
    const sj = dz > 0 ? 1 : -1;
    const fx = (ax - this.x0) / this.cell;
    const fz = (az - this.z0) / this.cell;
    // Parameter t (0..1 along the segment) at which the next column / row boundary is crossed.
    let tx = dx === 0 ? Infinity : ((si > 0 ? Math.floor(fx) + 1 : Math.floor(fx)) - fx) / dx;
    let tz = dz === 0 ? Infinity : ((sj > 0 ? Math.floor(fz) + 1 : Math.floor(fz)) - fz) / dz;
    const stepX = dx === 0 ? Infinity : Math.abs(1 / dx);
    const stepZ = dz === 0 ? Infinity : Math.abs(1 / dz);
    let guard = Math.abs(i1 - i) + Math.abs(j1 - j) + 2;
    while ((i !== i1 || j !== j1) && guard-- > 0) {
      if (Math.abs(tx - tz) < 1e-12) {
        // Through a corner: both side cells must be open too, or the line would cut it.
        if (!this.open(i + si, j) || !this.open(i, j + sj)) return false;
        i += si;
        j += sj;
        tx += stepX;
        tz += stepZ;
      } else if (tx < tz) {
        i += si;
        tx += stepX;
      } else {
        j += sj;
        tz += stepZ;
      }
      if (!this.open(i, j)) return false;
    }
    return true;
  }

  /**
   * The walkable cell centre nearest to (x, z) within `maxDist` metres, into `out` [x, z];
   * null if there is none. An open cell under the point returns the point itself.
   * @param {number} x
   * @param {number} z
   * @param {number} [maxDist=8]
   * @param {number[]} [out]
   * @returns {number[] | null}
   */
  nearestWalkable(x, z, maxDist = 8, out = [0, 0]) {
    if (this.walkable(x, z)) {
      out[0] = x;
      out[1] = z;
      return out;
    }
    const ci = this.col(x);
    const cj = this.row(z);
    const rings = Math.ceil(maxDist / this.cell);
    let best = Infinity;
    for (let r = 1; r <= rings; r++) {
      // Once a hit is known, rings further out than it cannot hold a nearer cell.
      if ((r - 1) * this.cell > Math.sqrt(best)) break;
      for (let dj = -r; dj <= r; dj++) {
        for (let di = -r; di <= r; di++) {
          if (Math.max(Math.abs(di), Math.abs(dj)) !== r || !this.open(ci + di, cj + dj)) continue;
          const px = this.cx(ci + di);
          const pz = this.cz(cj + dj);
          const d = (px - x) ** 2 + (pz - z) ** 2;
          if (d < best && d <= maxDist * maxDist) {
            best = d;
            out[0] = px;
            out[1] = pz;
          }
        }
      }
    }
    return best < Infinity ? out : null;
  }
}

export { NavGrid, NavGridError };
