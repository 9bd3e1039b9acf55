/**
 * What is under a point of the screen (or a controller's ray): a booth, the
 * walkable floor, or nothing. A hit walks up the node tree to the first
 * ancestor with userData.booth_id (a booth's sign or roof counts as the
 * booth); otherwise only meshes flagged walkable are walked to, so walls
 * and seats never become destinations.
 */

import { Raycaster, Vector2 } from 'three';
import { boothOf } from './hall.js';

const _ndc = new Vector2();
const _hits = [];

/**
 * @typedef {object} PickResult what is under the pointer (one shared object, overwritten by each pick)
 * @property {'booth' | 'floor' | null} kind a booth, walkable floor, or nothing to do there
 * @property {string | null} id the booth's id
 * @property {number[]} point where the floor was hit
 * @property {number} distance
 */

class Picker {
  constructor() {
    this.raycaster = new Raycaster();
    this.raycaster.far = 150;
    /** @type {import('./hall.js').Hall | null} */
    this.hall = null;
    /** @type {PickResult} */
    this.result = { kind: null, id: null, point: [0, 0, 0], distance: 0 };
  }

  /** @param {import('./hall.js').Hall} hall */
  setHall(hall) {
    this.hall = hall;
  }

  /**
   * Pick at client coordinates over `canvas` seen by `camera`. Returns the shared result object.
   * @param {number} clientX
   * @param {number} clientY
   * @param {HTMLCanvasElement} canvas
   * @param {import('three').Camera} camera
   * @returns {PickResult}
   */
  atScreen(clientX, clientY, canvas, camera) {
    const r = canvas.getBoundingClientRect();
    _ndc.set(((clientX - r.left) / r.width) * 2 - 1, -((clientY - r.top) / r.height) * 2 + 1);
    this.raycaster.setFromCamera(_ndc, camera);
    return this.withRay(this.raycaster);
  }

  /**
   * Pick along `raycaster`'s ray.
   * @param {import('three').Raycaster} raycaster
   * @returns {PickResult}
   */
  withRay(raycaster) {
    const res = this.result;
    res.kind = null;
    res.id = null;
    if (!this.hall) return res;
    _hits.length = 0;
    raycaster.intersectObject(this.hall.root, true, _hits);
    for (const hit of _hits) {
      if (!hit.object.visible) continue;
      const booth = boothOf(hit.object);
      res.distance = hit.distance;
      if (booth) {
        res.kind = 'booth';
        res.id = booth;
        return res;
      }
      if (hit.object.userData?.walkable === true && (!hit.face || hit.face.normal.y > 0.3)) {
        res.kind = 'floor';
        res.point[0] = hit.point.x;
        res.point[1] = hit.point.y;
        res.point[2] = hit.point.z;
        return res;
      }
      if (hit.object.userData?.sign) continue; // a sign in front of a wall is not an obstacle to see
      return res; // a wall or a seat: nothing to do there
    }
    return res;
  }
}

export { Picker };
