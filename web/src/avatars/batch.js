/**
 * Every avatar body part in the hall, in one draw call.
 *
 * One THREE.BatchedMesh holds the four part geometries of every avatar model
 * (avatars/README.md designed them for this: same attributes, one material
 * with vertex colours), and one instance per visible part. With the
 * WEBGL_multi_draw extension (all current desktop and Quest browsers) the
 * whole crowd is one draw call; per-instance colour carries the fade of
 * AWAY avatars, drawn with alpha hashing so they need no sorting and no
 * second pass.
 */

import { BatchedMesh, MeshStandardMaterial, Vector4 } from 'three';
import { PARTS } from './library.js';

const _fade = new Vector4();

class AvatarBatch {
  /**
   * @param {Map<string, object>} models id -> parts (from AvatarLibrary.loadAll)
   * @param {number} [maxAvatars=320]
   */
  constructor(models, maxAvatars = 320) {
    let vertices = 0;
    let indices = 0;
    for (const parts of models.values()) {
      for (const p of PARTS) {
        vertices += parts[p].attributes.position.count;
        indices += parts[p].index ? parts[p].index.count : parts[p].attributes.position.count;
      }
    }
    this.material = new MeshStandardMaterial({
      vertexColors: true, roughness: 0.8, metalness: 0, alphaHash: true,
    });
    this.material.name = 'avatars';
    this.mesh = new BatchedMesh(maxAvatars * PARTS.length, vertices, indices, this.material);
    this.mesh.name = 'avatars';
    // Avatars move every frame; the object-level bounds would go stale, so culling is
    // left to the per-instance pass BatchedMesh already does.
    this.mesh.frustumCulled = false;
    this.geometryIds = new Map(); // model id -> [head, body, hand_left, hand_right] geometry ids
    for (const [id, parts] of models) {
      this.geometryIds.set(id, PARTS.map((p) => this.mesh.addGeometry(parts[p])));
    }
    this.defaultModel = models.keys().next().value;
    this.capacity = maxAvatars;
    this.count = 0;
  }

  /** Reserve four instances for an avatar of `modelId`; returns [head, body, left, right] or null. */
  add(modelId) {
    if (this.count >= this.capacity) return null;
    const geoms = this.geometryIds.get(modelId) ?? this.geometryIds.get(this.defaultModel);
    const ids = geoms.map((g) => this.mesh.addInstance(g));
    this.count++;
    this.setFade(ids, 1);
    return ids;
  }

  /** Change the model of an avatar's instances. */
  setModel(ids, modelId) {
    const geoms = this.geometryIds.get(modelId);
    if (!geoms) return;
    for (let i = 0; i < 4; i++) this.mesh.setGeometryIdAt(ids[i], geoms[i]);
  }

  remove(ids) {
    for (let i = 0; i < ids.length; i++) this.mesh.deleteInstance(ids[i]);
    this.count--;
  }

  /** Part `i` (0 head, 1 body, 2 left hand, 3 right hand) of the avatar gets world `matrix`. */
  setMatrix(ids, i, matrix) {
    this.mesh.setMatrixAt(ids[i], matrix);
  }

  /** 1 = solid, lower = faded (AWAY). */
  setFade(ids, alpha) {
    _fade.set(1, 1, 1, alpha);
    for (let i = 0; i < ids.length; i++) this.mesh.setColorAt(ids[i], _fade);
  }

  setVisible(ids, visible) {
    for (let i = 0; i < ids.length; i++) this.mesh.setVisibleAt(ids[i], visible);
  }
}

export { AvatarBatch };
