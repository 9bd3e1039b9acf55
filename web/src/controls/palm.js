/**
 * Whether a hand's palm is turned towards the face: the gesture that shows the wrist menu
 * (ui/vrmenu.js), read from the controller's grip space and the head, once a frame.
 *
 * WebXR's grip space has +X out of the back of the right hand and out of the palm of the
 * left one, so the left palm looks along +X, the right along -X. The palm "faces" the head
 * when that direction is within 40 degrees of the line to the head; once facing, it stays
 * so until the angle passes 60 degrees, so a hand held near the limit does not flicker the
 * menu on and off.
 */

const OPEN_COS = Math.cos((40 * Math.PI) / 180);
const STAY_COS = Math.cos((60 * Math.PI) / 180);

/**
 * @param {{elements: ArrayLike<number>}} grip the grip space's world matrix (column-major 4x4)
 * @param {{x: number, y: number, z: number}} head the head's world position
 * @param {boolean} wasFacing what the last frame said (the hysteresis)
 * @param {'left' | 'right'} [hand]
 * @returns {boolean}
 */
function palmFacesHead(grip, head, wasFacing, hand = 'left') {
  const e = grip.elements;
  const side = hand === 'left' ? 1 : -1;
  const nx = side * e[0];
  const ny = side * e[1];
  const nz = side * e[2];
  const tx = head.x - e[12];
  const ty = head.y - e[13];
  const tz = head.z - e[14];
  const n = Math.hypot(nx, ny, nz);
  const t = Math.hypot(tx, ty, tz);
  if (n < 1e-9 || t < 1e-9) return false;
  const cos = (nx * tx + ny * ty + nz * tz) / (n * t);
  return cos > (wasFacing ? STAY_COS : OPEN_COS);
}

export { palmFacesHead };
