/**
 * Where each voice comes from and where the listener's ears are, for Web
 * Audio's PannerNode and AudioListener (issue 11: "each voice comes from the
 * speaker's head, with distance roll-off, following the head in VR").
 *
 * A voice sounds from the speaker's mouth: the head position of its pose
 * (protocol.md: a pose's position is the eyes) a little lower. The listener
 * is the visitor's camera: in VR, three.js poses the camera from the viewer
 * pose every XR frame, so the ears follow the headset. Its axes come from the
 * camera's world quaternion: forward is −z, up is +y (three.js convention).
 *
 * Distance: HRTF panning and the inverse law from 1 m, so a voice at 2 m is
 * half as loud as one at 1 m and one at the edge of the voice radius (12 m by
 * default) is a murmur; the server stops routing beyond the radius.
 *
 * Pure (AudioParams are passed in); unit-tested in test/voiceplacement.test.js.
 */

/** How far below the eyes the mouth is (m). */
const MOUTH_BELOW_EYES = 0.1;

/**
 * PannerNode settings for proximity voice.
 * @param {number} radius the server's voice radius (welcome `limits.voice_radius`)
 * @returns {PannerOptions}
 */
function voicePannerOptions(radius) {
  return {
    panningModel: 'HRTF', distanceModel: 'inverse', refDistance: 1, rolloffFactor: 1,
    maxDistance: Math.max(1, radius), coneInnerAngle: 360, coneOuterAngle: 360, coneOuterGain: 1,
  };
}

/**
 * The gain the inverse distance law gives a voice at `distance` (what the panner applies).
 * @param {number} distance metres
 * @param {PannerOptions} o
 */
function distanceGain(distance, o) {
  const ref = o.refDistance ?? 1;
  const d = Math.min(Math.max(distance, ref), o.maxDistance ?? 10000);
  return ref / (ref + (o.rolloffFactor ?? 1) * (d - ref));
}

/**
 * Where a speaker's voice comes from: their mouth, below the head position of their pose.
 * @param {ArrayLike<number>} head the head (eyes) position, world metres
 * @param {number[]} [out]
 * @returns {number[]}
 */
function mouthOf(head, out = [0, 0, 0]) {
  out[0] = head[0];
  out[1] = head[1] - MOUTH_BELOW_EYES;
  out[2] = head[2];
  return out;
}

/**
 * Rotate vector `v` by unit quaternion `q` (x, y, z, w).
 * @param {ArrayLike<number>} q
 * @param {number} vx
 * @param {number} vy
 * @param {number} vz
 * @param {number[]} out
 * @returns {number[]}
 */
function rotate(q, vx, vy, vz, out) {
  const [x, y, z, w] = [q[0], q[1], q[2], q[3]];
  // t = 2 q.xyz × v; v' = v + w t + q.xyz × t
  const tx = 2 * (y * vz - z * vy);
  const ty = 2 * (z * vx - x * vz);
  const tz = 2 * (x * vy - y * vx);
  out[0] = vx + w * tx + (y * tz - z * ty);
  out[1] = vy + w * ty + (z * tx - x * tz);
  out[2] = vz + w * tz + (x * ty - y * tx);
  return out;
}

/**
 * @typedef {object} Ears the listener: position and the forward and up axes
 * @property {number[]} position
 * @property {number[]} forward
 * @property {number[]} up
 */

/**
 * The listener's ears from the camera's world position and quaternion.
 * @param {ArrayLike<number>} position
 * @param {ArrayLike<number>} quaternion x, y, z, w
 * @param {Ears} [out]
 * @returns {Ears}
 */
function earsOf(position, quaternion, out = { position: [0, 0, 0], forward: [0, 0, -1], up: [0, 1, 0] }) {
  out.position[0] = position[0];
  out.position[1] = position[1];
  out.position[2] = position[2];
  rotate(quaternion, 0, 0, -1, out.forward);
  rotate(quaternion, 0, 1, 0, out.up);
  return out;
}

/**
 * @typedef {{setValueAtTime(value: number, time: number): unknown}} Param the part of an
 *   AudioParam used here
 */

/**
 * Put a panner at `p` from context time `t`.
 * @param {{positionX: Param, positionY: Param, positionZ: Param}} panner
 * @param {ArrayLike<number>} p
 * @param {number} t
 */
function placePanner(panner, p, t) {
  panner.positionX.setValueAtTime(p[0], t);
  panner.positionY.setValueAtTime(p[1], t);
  panner.positionZ.setValueAtTime(p[2], t);
}

/**
 * Put the listener's ears where `ears` says, from context time `t`.
 * @param {{positionX?: Param, positionY: Param, positionZ: Param, forwardX: Param, forwardY: Param,
 *   forwardZ: Param, upX: Param, upY: Param, upZ: Param}} listener
 * @param {Ears} ears
 * @param {number} t
 */
function placeListener(listener, ears, t) {
  if (!listener.positionX) return; // a browser with only the deprecated setPosition: left alone
  const { position: p, forward: f, up: u } = ears;
  listener.positionX.setValueAtTime(p[0], t);
  listener.positionY.setValueAtTime(p[1], t);
  listener.positionZ.setValueAtTime(p[2], t);
  listener.forwardX.setValueAtTime(f[0], t);
  listener.forwardY.setValueAtTime(f[1], t);
  listener.forwardZ.setValueAtTime(f[2], t);
  listener.upX.setValueAtTime(u[0], t);
  listener.upY.setValueAtTime(u[1], t);
  listener.upZ.setValueAtTime(u[2], t);
}

export { distanceGain, earsOf, MOUTH_BELOW_EYES, mouthOf, placeListener, placePanner, rotate, voicePannerOptions };
