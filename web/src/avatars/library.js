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

import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';

const PARTS = Object.freeze(['head', 'body', 'hand_left', 'hand_right']);

class AvatarLibrary {
  /** @param {object} [deps] { loader, fetchJson } */
  constructor({ loader = new GLTFLoader(), fetchJson = defaultFetchJson } = {}) {
    this.loader = loader;
    this.fetchJson = fetchJson;
    this.cache = new Map(); // url -> Promise<{parts}>
    this.list = [];
    this.byId = new Map();
  }

  /** Fetch /api/avatars: [{id, name: {zh, en}, model, thumbnail}]. */
  async loadList(url = '/api/avatars') {
    const data = await this.fetchJson(url);
    this.list = data.avatars ?? [];
    this.byId = new Map(this.list.map((a) => [a.id, a]));
    return this.list;
  }

  /** The part geometries of one avatar model URL: {head, body, hand_left, hand_right}. */
  loadModel(url) {
    let entry = this.cache.get(url);
    if (!entry) {
      entry = this.loader.loadAsync(url).then((gltf) => extractParts(gltf.scene, url));
      this.cache.set(url, entry);
    }
    return entry;
  }

  /** Every listed avatar's parts: Map id -> parts. Failures are reported, not thrown. */
  async loadAll(onError = () => {}) {
    const out = new Map();
    await Promise.all(this.list.map(async (a) => {
      try {
        out.set(a.id, await this.loadModel(a.model));
      } catch (err) {
        onError(a.id, err);
      }
    }));
    return out;
  }
}

function extractParts(scene, url) {
  const parts = {};
  for (const name of PARTS) {
    const node = scene.getObjectByName(name);
    let mesh = null;
    node?.traverse((o) => { if (!mesh && o.isMesh) mesh = o; });
    if (!mesh) throw new Error(`${url}: no mesh under node "${name}"`);
    const geometry = mesh.geometry.clone();
    // Keep exactly the attributes every avatar shares, so all fit one BatchedMesh.
    for (const key of Object.keys(geometry.attributes)) {
      if (!['position', 'normal', 'color'].includes(key)) geometry.deleteAttribute(key);
    }
    if (!geometry.attributes.color) throw new Error(`${url}: part "${name}" has no vertex colours`);
    // The part node may sit under the mesh's own transform; bake anything between
    // the part node and the mesh so the geometry is in the part's space.
    if (mesh !== node) {
      mesh.updateWorldMatrix(true, false);
      node.updateWorldMatrix(true, false);
      geometry.applyMatrix4(node.matrixWorld.clone().invert().multiply(mesh.matrixWorld));
    }
    parts[name] = geometry;
  }
  return parts;
}

async function defaultFetchJson(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

export { AvatarLibrary, PARTS };
