/**
 * The hall: the built GLB from /api/scenes, indexed for the rest of the client.
 *
 * The scene builder's contract (docs/scenes.md): root node `hall`; nodes
 * with userData.booth_id (booths), userData.zone_id (zones), walkable meshes
 * with userData.walkable === true (the only targets for click-to-walk and
 * teleport), and sign meshes with userData.sign = {kind, id, rect, aspect, height_m}
 * (or, merged, userData.signs = [...]) sharing one material named "signs" that
 * signs.js paints.
 *
 * If the GLB cannot be had (no scene built, a network error), a plain floor
 * from the hall's bounds is built instead, so the visitor can still meet
 * people; the caller tells them so.
 *
 * The loader is injected (tests, or a loader with a shared cache).
 */

import { Color, Group, Mesh, MeshStandardMaterial, PlaneGeometry } from 'three';
import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';


/**
 * @typedef {object} Sign a sign mesh and where on the shared signs texture it is painted
 * @property {import('three').Mesh} mesh
 * @property {string} kind
 * @property {string} id
 * @property {number[]} rect u0, v0, u1, v1 on the signs texture
 * @property {number} [aspect]
 * @property {number} [height_m] the sign's physical height in metres
 */

/**
 * @typedef {object} Hall the hall, indexed
 * @property {import('three').Object3D} root
 * @property {import('three').Object3D} [hallNode] the GLB's `hall` node
 * @property {Map<string, import('three').Object3D>} booths by booth id
 * @property {Map<string, import('three').Object3D>} zones by zone id
 * @property {import('three').Mesh[]} walkables
 * @property {Sign[]} signs
 * @property {import('three').Material | null} signsMaterial
 */

/**
 * Index a loaded hall root: booths, zones, walkables, signs and the signs material.
 * @param {import('three').Object3D} root
 * @returns {Hall}
 */
function indexHall(root) {
  /** @type {Map<string, import('three').Object3D>} */
  const booths = new Map();
  /** @type {Map<string, import('three').Object3D>} */
  const zones = new Map();
  /** @type {import('three').Mesh[]} */
  const walkables = [];
  /** @type {Sign[]} */
  const signs = [];
  /** @type {import('three').Material | null} */
  let signsMaterial = null;
  root.updateMatrixWorld(true);
  root.traverse((obj) => {
    const ud = obj.userData || {};
    if (typeof ud.booth_id === 'string' && !booths.has(ud.booth_id)) booths.set(ud.booth_id, obj);
    if (typeof ud.zone_id === 'string' && ud.booth_id === undefined && !zones.has(ud.zone_id)) {
      zones.set(ud.zone_id, obj);
    }
    if (!(obj instanceof Mesh)) return;
    if (ud.walkable === true) walkables.push(obj);
    const mats = Array.isArray(obj.material) ? obj.material : [obj.material];
    for (const m of mats) if (m && m.name === 'signs') signsMaterial = m;
    const sign = ud.sign ?? obj.parent?.userData?.sign;
    if (sign && Array.isArray(sign.rect) && sign.rect.length === 4) signs.push({ mesh: obj, ...sign });
    // Signs that never change shape (zones, gateways, the info wall, …) share one merged mesh.
    for (const merged of Array.isArray(ud.signs) ? ud.signs : []) {
      if (Array.isArray(merged?.rect) && merged.rect.length === 4) signs.push({ mesh: obj, ...merged });
    }
  });
  return { root, booths, zones, walkables, signs, signsMaterial };
}

/**
 * The booth id of a raycast hit: the first ancestor (or itself) with userData.booth_id.
 * @param {import('three').Object3D} obj
 * @returns {string | null}
 */
function boothOf(obj) {
  /** @type {import('three').Object3D | null} */
  let o = obj;
  for (; o; o = o.parent) {
    if (typeof o.userData?.booth_id === 'string') return o.userData.booth_id;
  }
  return null;
}

/**
 * A plain floor for a hall's bounds, tinted per zone when the catalog is known.
 * @param {import('../app/types.js').Bounds} bounds
 * @param {import('../app/types.js').Catalog | null} catalog
 * @returns {Hall}
 */
function fallbackHall(bounds, catalog) {
  const root = new Group();
  root.name = 'hall';
  const [x0, , z0] = bounds.min;
  const [x1, , z1] = bounds.max;
  const floor = new Mesh(
    new PlaneGeometry(x1 - x0, z1 - z0),
    new MeshStandardMaterial({ color: 0xc9cfd6, roughness: 0.9 }),
  );
  floor.rotation.x = -Math.PI / 2;
  floor.position.set((x0 + x1) / 2, 0, (z0 + z1) / 2);
  floor.userData.walkable = true;
  floor.name = 'floor';
  root.add(floor);
  for (const zone of catalog?.zones ?? []) {
    const { x, z } = zone.area;
    const tile = new Mesh(
      new PlaneGeometry(x[1] - x[0], z[1] - z[0]),
      new MeshStandardMaterial({ color: new Color(zone.colour).lerp(new Color(0xffffff), 0.6) }),
    );
    tile.rotation.x = -Math.PI / 2;
    tile.position.set((x[0] + x[1]) / 2, 0.01, (z[0] + z[1]) / 2);
    tile.userData = { walkable: true, zone_id: zone.id };
    root.add(tile);
  }
  return indexHall(root);
}

/**
 * Load the hall GLB at `url` and index it.
 * @param {string} url
 * @param {{loader?: {loadAsync: (url: string) => Promise<{scene: import('three').Object3D}>}}} [deps]
 *   a GLTFLoader (or anything with loadAsync)
 * @returns {Promise<Hall>}
 */
async function loadHall(url, { loader = new GLTFLoader() } = {}) {
  const gltf = await loader.loadAsync(url);
  const root = gltf.scene.getObjectByName('hall') ?? gltf.scene;
  gltf.scene.name = 'hall-scene';
  const index = indexHall(gltf.scene);
  index.root = gltf.scene;
  index.hallNode = root;
  return index;
}

export { boothOf, fallbackHall, indexHall, loadHall };
