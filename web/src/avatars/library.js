/**
 * The avatar models: the list from /api/avatars and their part geometries.
 *
 * Each GLB (avatars/README.md) has a root `avatar` with four part nodes,
 * `head`, `body`, `hand_left`, `hand_right`, each one mesh with POSITION,
 * NORMAL and COLOR_0 in the part's own space. Only those geometries are
 * kept: every avatar is drawn through one BatchedMesh and one material
 * (batch.js), never through the per-file material GLTFLoader makes.
 *
 * Loads are cached by URL, so asking twice costs one request.
 */

import { Mesh } from 'three';
import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';

/** @typedef {{id: string, name: import('../app/types.js').Texts, model: string, thumbnail?: string}} AvatarInfo */
/** @typedef {Record<string, import('three').BufferGeometry>} AvatarModel part name -> geometry */

const PARTS = Object.freeze(['head', 'body', 'hand_left', 'hand_right']);

class AvatarLibrary {
  /**
   * @param {{loader?: {loadAsync: (url: string) => Promise<{scene: import('three').Object3D}>},
   *          fetchJson?: (url: string) => Promise<any>}} [deps]
   */
  constructor({ loader = new GLTFLoader(), fetchJson = defaultFetchJson } = {}) {
    this.loader = loader;
    this.fetchJson = fetchJson;
    /** @type {Map<string, Promise<AvatarModel>>} */
    this.cache = new Map();
    /** @type {AvatarInfo[]} */
    this.list = [];
    /** @type {Map<string, AvatarInfo>} */
    this.byId = new Map();
  }

  /** Fetch /api/avatars: [{id, name: {zh, en}, model, thumbnail}]. */
  async loadList(url = '/api/avatars') {
    const data = await this.fetchJson(url);
    this.list = data.avatars ?? [];
    this.byId = new Map(this.list.map((a) => [a.id, a]));
    return this.list;
  }

  /**
   * The part geometries of one avatar model URL: {head, body, hand_left, hand_right}.
   * @param {string} url
   * @returns {Promise<AvatarModel>}
   */
  loadModel(url) {
    let entry = this.cache.get(url);
    if (!entry) {
      entry = this.loader.loadAsync(url).then((gltf) => extractParts(gltf.scene, url));
      this.cache.set(url, entry);
    }
    return entry;
  }

  /**
   * Every listed avatar's parts: Map id -> parts. Failures are reported, not thrown.
   * @param {(id: string, err: Error) => void} [onError]
   * @returns {Promise<Map<string, AvatarModel>>}
   */
  async loadAll(onError = () => {}) {
    /** @type {Map<string, AvatarModel>} */
    const out = new Map();
    await Promise.all(this.list.map(async (a) => {
      try {
        out.set(a.id, await this.loadModel(a.model));
      } catch (err) {
        onError(a.id, err instanceof Error ? err : new Error(String(err)));
      }
    }));
    return out;
  }
}

/**
 * @param {import('three').Object3D} scene
 * @param {string} url
 * @returns {AvatarModel}
 */
function extractParts(scene, url) {
  /** @type {Record<string, import('three').BufferGeometry>} */
  const parts = {};
  for (const name of PARTS) {
    const node = scene.getObjectByName(name);
    /** @type {import('three').Mesh | null} */
    let mesh = null;
    node?.traverse((o) => { if (!mesh && o instanceof Mesh) mesh = o; });
    if (!node || !mesh) throw new Error(`${url}: no mesh under node "${name}"`);
    /** @type {import('three').Mesh} */
    const found = mesh;
    const geometry = found.geometry.clone();
    // Keep exactly the attributes every avatar shares, so all fit one BatchedMesh.
    for (const key of Object.keys(geometry.attributes)) {
      if (!['position', 'normal', 'color'].includes(key)) geometry.deleteAttribute(key);
    }
    if (!geometry.attributes.color) throw new Error(`${url}: part "${name}" has no vertex colours`);
    // The part node may sit under the mesh's own transform; bake anything between
    // the part node and the mesh so the geometry is in the part's space.
    if (found !== node) {
      found.updateWorldMatrix(true, false);
      node.updateWorldMatrix(true, false);
      geometry.applyMatrix4(node.matrixWorld.clone().invert().multiply(found.matrixWorld));
    }
    parts[name] = geometry;
  }
  return parts;
}

/** @param {string} url */
async function defaultFetchJson(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

export { AvatarLibrary, PARTS };
