/**
 * Which visitor a click on the view means: the one whose name tag is drawn
 * nearest the click, within a few pixels. Projecting the tags is cheaper
 * and kinder to small targets than casting a ray into instanced meshes,
 * and a name tag is what people aim at.
 */

import { Vector3 } from 'three';
import { SampleState, Slot } from '../net/interp.js';

/** Metres above the head where the tag sits (avatars/remote.js). */
const TAG_ABOVE = 0.42;
const _v = new Vector3();

/**
 * The avatar whose tag is nearest (`clientX`, `clientY`), if within `radius` pixels.
 * @param {import('./remote.js').RemoteAvatars | null | undefined} remote
 * @param {import('three').Camera} camera
 * @param {HTMLElement} canvas
 * @param {number} clientX
 * @param {number} clientY
 * @param {number} [radius] in CSS pixels
 * @returns {import('./remote.js').RemoteAvatar | null}
 */
function avatarAt(remote, camera, canvas, clientX, clientY, radius = 40) {
  if (!remote) return null;
  const rect = canvas.getBoundingClientRect();
  let best = null;
  let bestD = radius * radius;
  for (const a of remote.list) {
    if (a.state === SampleState.EMPTY || !a.named) continue;
    _v.set(a.pose[Slot.X], a.pose[Slot.Y] + TAG_ABOVE, a.pose[Slot.Z]).project(camera);
    if (_v.z < -1 || _v.z > 1) continue; // behind the camera or beyond the far plane
    const sx = rect.left + ((_v.x + 1) / 2) * rect.width;
    const sy = rect.top + ((1 - _v.y) / 2) * rect.height;
    const d = (sx - clientX) ** 2 + (sy - clientY) ** 2;
    if (d < bestD) {
      bestD = d;
      best = a;
    }
  }
  return best;
}

/**
 * Where an avatar's tag is drawn on the page (client coordinates), or null if off view.
 * @param {import('./remote.js').RemoteAvatar} a
 * @param {import('three').Camera} camera
 * @param {HTMLElement} canvas
 * @returns {{x: number, y: number} | null}
 */
function tagOnScreen(a, camera, canvas) {
  _v.set(a.pose[Slot.X], a.pose[Slot.Y] + TAG_ABOVE, a.pose[Slot.Z]).project(camera);
  if (_v.z < -1 || _v.z > 1) return null;
  const rect = canvas.getBoundingClientRect();
  return { x: rect.left + ((_v.x + 1) / 2) * rect.width, y: rect.top + ((1 - _v.y) / 2) * rect.height };
}

export { avatarAt, tagOnScreen };
