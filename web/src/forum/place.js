/**
 * Where things are in a forum hall, from its stage and area (the agenda's
 * `forum_halls`): which way the audience looks, where a speaker stands on
 * stage, where the stage's sound comes from, where a visitor who asks "take
 * me there" arrives, and where the entrance board, the slide screen and the
 * questions board stand. The built hall (scenebuild/architecture.py) puts the
 * screen wall behind the stage, facing the seats; these follow the same rules
 * so the client can place its boards even without the built model.
 *
 * Yaw follows the client's convention: 0 looks down −z, positive turns left.
 * A plane turned by `planeYaw` faces the direction (sin, 0, cos) of it.
 * Pure; unit-tested in test/forumplace.test.js.
 */

/** Screen size on the wall (the builder's): 7 m high, 16:9. */
const SCREEN_H = 7;
const SCREEN_W = (SCREEN_H * 16) / 9;
const EYE = 1.6;

/**
 * @typedef {{x: number[], z: number[], height?: number}} Rect
 * @typedef {{stage: Rect, area: {x: number[], z: number[]}}} HallShape
 *
 * @typedef {object} Plane a flat board: its centre, size and the way it faces
 * @property {number[]} centre [x, y, z]
 * @property {number} width
 * @property {number} height
 * @property {number} planeYaw rotation about y of a three.js PlaneGeometry (which faces +z)
 */

/** @param {number[]} r */
const mid = (r) => (r[0] + r[1]) / 2;

/**
 * The unit direction (x, z) from the stage towards the audience: along the axis where the
 * hall's area reaches furthest beyond the stage.
 * @param {HallShape} hall
 * @returns {number[]}
 */
function towardAudience(hall) {
  const dx = mid(hall.area.x) - mid(hall.stage.x);
  const dz = mid(hall.area.z) - mid(hall.stage.z);
  if (Math.abs(dx) >= Math.abs(dz)) return [Math.sign(dx) || 1, 0];
  return [0, Math.sign(dz) || 1];
}

/**
 * The camera yaw that looks along (dx, dz).
 * @param {number} dx
 * @param {number} dz
 */
function yawAlong(dx, dz) {
  return Math.atan2(-dx, -dz);
}

/**
 * The stage's edge on the audience's side and its far edge, along the audience axis.
 * @param {HallShape} hall
 */
function stageEdges(hall) {
  const [ax, az] = towardAudience(hall);
  const range = ax ? hall.stage.x : hall.stage.z;
  const sign = ax || az;
  return { front: sign > 0 ? range[1] : range[0], back: sign > 0 ? range[0] : range[1], sign, alongX: ax !== 0 };
}

/**
 * A point at `depth` metres from the stage's front edge (negative: onto the stage) and `across`
 * metres sideways from its middle.
 * @param {HallShape} hall
 * @param {number} depth
 * @param {number} across
 * @returns {number[]} [x, z]
 */
function fromFront(hall, depth, across) {
  const e = stageEdges(hall);
  const d = e.front + e.sign * depth;
  return e.alongX ? [d, mid(hall.stage.z) + across] : [mid(hall.stage.x) + across, d];
}

/**
 * Where a speaker stands: 2.5 m onto the stage, side by side, facing the audience.
 * @param {HallShape} hall
 * @param {number} index the speaker's place among those on stage
 * @param {number} count how many are on stage
 * @returns {{x: number, z: number, yaw: number}}
 */
function stageSpot(hall, index, count) {
  const [x, z] = fromFront(hall, -2.5, (index - (count - 1) / 2) * 1.6);
  const [ax, az] = towardAudience(hall);
  return { x, z, yaw: yawAlong(ax, az) };
}

/**
 * Where a visitor taken to the session arrives: in front of the first row, facing the stage,
 * `across` metres off the middle (spread people out).
 * @param {HallShape} hall
 * @param {number} across
 * @returns {{x: number, z: number, yaw: number}}
 */
function audienceSpot(hall, across = 0) {
  const [x, z] = fromFront(hall, 6, across);
  const [ax, az] = towardAudience(hall);
  return { x, z, yaw: yawAlong(-ax, -az) };
}

/**
 * Where the stage's sound comes from: above the stage's middle, at a speaker's mouth.
 * @param {HallShape} hall
 * @returns {number[]} [x, y, z]
 */
function soundSource(hall) {
  return [mid(hall.stage.x), (hall.stage.height ?? 0) + EYE, mid(hall.stage.z)];
}

/**
 * The slide screen on the wall behind the stage (as the builder places it).
 * @param {HallShape} hall
 * @returns {Plane}
 */
function screenPlane(hall) {
  const e = stageEdges(hall);
  const [ax, az] = towardAudience(hall);
  const back = e.back - e.sign * 0.45;
  const h = hall.stage.height ?? 0;
  const y = h + 0.6 + SCREEN_H / 2;
  const centre = e.alongX ? [back, y, mid(hall.stage.z)] : [mid(hall.stage.x), y, back];
  return { centre, width: SCREEN_W, height: SCREEN_H, planeYaw: Math.atan2(ax, az) };
}

/**
 * The questions board beside the screen, on the audience's right, a little in front of the wall.
 * @param {Plane} screen
 * @returns {Plane}
 */
function questionsPlane(screen) {
  const width = 5;
  const height = 6;
  // The screen faces f = (sin, cos) of planeYaw; the audience looks along −f, and its right
  // hand (that direction × up) points along (f.z, −f.x).
  const fx = Math.sin(screen.planeYaw);
  const fz = Math.cos(screen.planeYaw);
  const rx = fz;
  const rz = -fx;
  const side = screen.width / 2 + 0.6 + width / 2;
  const [cx, cy, cz] = screen.centre;
  return {
    centre: [cx + rx * side + fx * 0.1, cy - 0.5, cz + rz * side + fz * 0.1],
    width, height, planeYaw: screen.planeYaw,
  };
}

/**
 * The agenda board at the hall's entrance: the edge of its area opposite the stage, off the
 * middle so it does not block the way in, facing the visitors who arrive.
 * @param {HallShape} hall
 * @returns {Plane}
 */
function entrancePlane(hall) {
  const [ax, az] = towardAudience(hall);
  const width = 3.2;
  const height = 4;
  const y = 0.4 + height / 2;
  if (ax) {
    const edge = ax > 0 ? hall.area.x[1] - 1.5 : hall.area.x[0] + 1.5;
    return { centre: [edge, y, mid(hall.area.z) + 8], width, height, planeYaw: Math.atan2(ax, 0) };
  }
  const edge = az > 0 ? hall.area.z[1] - 1.5 : hall.area.z[0] + 1.5;
  return { centre: [mid(hall.area.x) + 8, y, edge], width, height, planeYaw: Math.atan2(0, az) };
}

/**
 * Whether floor point (x, z) is inside the hall's area.
 * @param {HallShape} hall
 * @param {number} x
 * @param {number} z
 */
function inside(hall, x, z) {
  return x >= hall.area.x[0] && x <= hall.area.x[1] && z >= hall.area.z[0] && z <= hall.area.z[1];
}

export { audienceSpot, entrancePlane, inside, questionsPlane, screenPlane, soundSource, stageSpot, towardAudience };
