/**
 * Booths that change while visitors are in the hall (docs/accounts.md, "What
 * goes live"): an approved exhibitor revision arrives as a `booth` message on
 * the socket (and every booth of /api/catalog carries its live revision at
 * load). The booth's geometry is replaced in place, under the booth node of
 * the hall, so picking (userData.booth_id on an ancestor) keeps working:
 *
 *   - `model` set: the fitted GLB (metres, y up, front +z, on y = 0, centred)
 *     is loaded (cached by URL, cloned per use) and put under the booth
 *     node; the template geometry is set aside (kept, to restore later);
 *   - `model` null: the template is drawn, borrowing the geometry of a booth
 *     of that template (the same zone if possible, so its colours match).
 *
 * A template booth also shows the revision's brand (branding.js): its colours, the
 * poster on its screen (a slideshow with the screen images, slideshow.js), the logo by its
 * sign.
 *
 * Revisions only grow: an older message (from another node, late) is
 * ignored. `states` is what window.__expo.booths shows:
 * {revision, model, template, loaded, brand: {colours, logo, poster, slides?, slide?}}.
 */

import { BufferGeometry } from 'three';
import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';
import { BoothBranding } from './branding.js';

const EMPTY = new BufferGeometry();
const LIVE_FIELDS = ['revision', 'model', 'template', 'colours', 'exhibitor', 'links', 'logo', 'poster', 'screens'];

class BoothSwapper {
  /**
   * @param {object} [deps]
   * @param {{loadAsync: (url: string) => Promise<{scene: import('three').Object3D}>}} [deps.loader]
   * @param {(boothId: string) => void} [deps.onChange] a booth's texts or shape changed
   * @param {BoothBranding} [deps.branding] puts an exhibitor's brand on a template booth
   */
  constructor({ loader = new GLTFLoader(), onChange = () => {}, branding = new BoothBranding() } = {}) {
    this.loader = loader;
    this.branding = branding;
    this.onChange = onChange;
    this.hall = null;
    this.catalog = null;
    this.hallId = null;
    this.cache = new Map(); // model url -> Promise<gltf scene>
    this.states = {}; // booth id -> {revision, model, template, loaded}
    this.pending = []; // messages that came before the hall
  }

  /** The hall to change, and the catalog whose booth entries follow the live state. */
  attach(hall, catalog, hallId) {
    this.hall = hall;
    this.catalog = catalog;
    this.hallId = hallId;
    for (const booth of catalog?.booths ?? []) {
      if (booth.hall !== hallId) continue;
      const node = hall.booths.get(booth.id);
      this.states[booth.id] = {
        revision: booth.revision ?? 0, model: null, template: node?.userData?.template ?? booth.template,
        loaded: true,
      };
      const branded = (booth.revision ?? 0) > 0;
      if (branded || booth.model || (node && booth.template && booth.template !== node.userData.template)) {
        this.apply({ ...booth, revision: booth.revision ?? 0 }, { force: true });
      }
    }
    const early = this.pending;
    this.pending = [];
    for (const payload of early) this.apply(payload);
  }

  /**
   * Apply a booth payload (a `booth` message, or a catalog entry). Returns a promise that
   * settles when the geometry is in the scene (or was refused/failed).
   */
  apply(payload, { force = false } = {}) {
    const id = payload?.id;
    if (typeof id !== 'string') return Promise.resolve(false);
    if (!this.hall) {
      this.pending.push(payload);
      return Promise.resolve(false);
    }
    if (payload.hall && payload.hall !== this.hallId) return Promise.resolve(false);
    const known = this.states[id];
    const revision = Number(payload.revision ?? 0);
    if (known && !force && revision <= known.revision) return Promise.resolve(false);
    const state = { revision, model: payload.model ?? null, template: payload.template ?? known?.template, loaded: false };
    this.states[id] = state;
    const entry = this.catalog?.booths?.find((b) => b.id === id);
    if (entry) for (const k of LIVE_FIELDS) if (k in payload) entry[k] = payload[k];
    const node = this.hall?.booths.get(id);
    if (!node) {
      state.loaded = true;
      this.onChange(id);
      return Promise.resolve(true);
    }
    this.branding.clear(node);
    const done = state.model
      ? this._showModel(node, state)
      : Promise.resolve(this._showTemplate(node, state)).then(() => this._brand(node, state, payload));
    return done.then(() => {
      if (this.states[id] === state) state.loaded = true;
      this.onChange(id);
      return true;
    }, (err) => {
      state.error = String(err?.message ?? err);
      this.onChange(id);
      return false;
    });
  }

  /** An approved revision's brand on the template booth (revision 0 is the catalog's own). */
  async _brand(node, state, payload) {
    if (!state.revision) return;
    state.brand = await this.branding.apply(node, payload, () => this.states[node.userData.booth_id] === state);
  }

  _modelScene(url) {
    let p = this.cache.get(url);
    if (!p) {
      p = this.loader.loadAsync(url).then((gltf) => gltf.scene);
      this.cache.set(url, p);
      p.catch(() => this.cache.delete(url));
    }
    return p;
  }

  async _showModel(node, state) {
    const scene = await this._modelScene(state.model);
    if (this.states[node.userData.booth_id] !== state) return; // a newer revision won meanwhile
    this._clear(node);
    this._setAside(node);
    const model = scene.clone();
    model.name = 'booth-model';
    model.userData.boothModel = true;
    node.add(model);
    node.updateMatrixWorld(true);
  }

  _showTemplate(node, state) {
    this._clear(node);
    const original = node.userData.templateGeometry ?? node.geometry;
    if (!state.template || state.template === node.userData.template) {
      if (node.isMesh && node.userData.templateGeometry) node.geometry = node.userData.templateGeometry;
      return;
    }
    // Borrow the shape of a booth with that template, from the same zone if there is one.
    let donor = null;
    for (const other of this.hall.booths.values()) {
      if (other.userData.template !== state.template || !other.isMesh) continue;
      const geometry = other.userData.templateGeometry ?? other.geometry;
      if (!donor || other.userData.zone_id === node.userData.zone_id) donor = geometry;
      if (other.userData.zone_id === node.userData.zone_id) break;
    }
    if (node.isMesh) {
      node.userData.templateGeometry = original;
      node.geometry = donor ?? original;
    }
  }

  _setAside(node) {
    if (!node.isMesh) return;
    node.userData.templateGeometry ??= node.geometry;
    node.geometry = EMPTY;
  }

  _clear(node) {
    for (const child of [...node.children]) {
      if (child.userData?.boothModel) node.remove(child);
    }
  }
}

export { BoothSwapper };
