/**
 * The frame: one function that moves the client forward by one rendered frame,
 * in VR and out of it. The order is fixed:
 *
 *   1. local movement: keyboard / joystick / click-to-walk, or VR sticks
 *   2. send the local pose (rate-limited, only on change) and batched `who`s
 *   3. pose every remote avatar at "server now − 100 ms" (interpolation), then
 *      what follows them (the forums' stage badges, the audio listener)
 *   4. hover highlight; minimap and people count (a few times a second)
 *   5. render
 *
 * Socket messages never touch the scene: they land in the remote avatars'
 * interpolation buffers, the crowd layer and the UI, which the frame reads.
 * Scratch arrays live at module scope, so the frame allocates nothing of its own.
 */

import { Matrix4, Quaternion, Vector3 } from 'three';
import { followRoute, GLIDE_SPEED } from '../controls/walk.js';
import { encodeDesktopPose, encodeVrPose } from '../net/codec.js';

/** Render remote avatars this far in the past on the server's timeline (ms). */
const INTERP_DELAY_MS = 100;
const GROUND_PROBE_MS = 150;
const PEOPLE_EVERY_MS = 500;
/** How fast a walker turns to face the way (rad/s). */
const TURN_RATE = 5;

const _deskPose = new Float64Array(6);
const _head = [0, 0, 0];
const _lp = [0, 0, 0];
const _rp = [0, 0, 0];
const _hq = [0, 0, 0, 1];
const _lq = [0, 0, 0, 1];
const _rq = [0, 0, 0, 1];
const _others = new Float32Array(2 * 4096);
const _me = { x: 0, z: 0, yaw: 0 };
const _handMatrix = new Matrix4();
const _handPos = new Vector3();
const _handQuat = new Quaternion();
const _one = new Vector3(1, 1, 1);

/**
 * @typedef {object} FrameParts what the frame reads and moves (built once by main.js)
 * @property {import('./state.js').AppState} app
 * @property {import('three').WebGLRenderer} renderer
 * @property {import('three').Scene} scene
 * @property {import('three').PerspectiveCamera} camera
 * @property {import('three').Group} rig
 * @property {HTMLCanvasElement} canvas
 * @property {import('../controls/player.js').Player} player
 * @property {import('../controls/xr.js').XrControls} xr
 * @property {import('../controls/desktop.js').KeyboardInput} keyboard
 * @property {import('../controls/touch.js').Joystick} joystick
 * @property {import('./travel.js').Travel} travel
 * @property {import('../net/posegate.js').PoseGate} gate
 * @property {import('../net/who.js').WhoBatcher} who
 * @property {import('../avatars/nametags.js').NameTags} tags
 * @property {import('../avatars/crowd.js').CrowdLayer} crowd
 * @property {import('../world/picking.js').Picker} picker
 * @property {import('../world/highlight.js').BoothHighlight} highlight
 * @property {import('../ui/minimap.js').Minimap} minimap
 * @property {import('../ui/vrmenu.js').VrMenu} [vrmenu] the menu inside VR
 * @property {import('../i18n/i18n.js').I18n} i18n
 * @property {import('./types.js').Prefs} prefs
 * @property {HTMLElement} tip the hover tip
 * @property {HTMLElement} people the people count
 * @property {{x: number, y: number, on: boolean, dirty: boolean}} hover the pointer over the view
 */

class Frame {
  /** @param {FrameParts} parts */
  constructor(parts) {
    this.parts = parts;
    /** @type {import('../avatars/remote.js').RemoteAvatars | null} once the avatar models loaded */
    this.remote = null;
    /** @type {import('../avatars/batch.js').AvatarBatch | null} */
    this.batch = null;
    /** @type {number[] | null} the visitor's own avatar in the batch (its hands show in VR) */
    this.myHands = null;
    this.last = performance.now();
    this.lastProbe = 0;
    this.lastPeople = 0;
    /** @type {((now: number, presenting: boolean) => void)[]} other parts moved once a frame (forums) */
    this.updaters = [];
  }

  /** One frame (renderer.setAnimationLoop calls it). */
  render() {
    const { app, xr, player, who, tags, hover, highlight, prefs, renderer, scene, camera, vrmenu } = this.parts;
    const now = performance.now();
    const dt = Math.min(0.1, (now - this.last) / 1000);
    this.last = now;
    const presenting = xr.presenting;

    // 1. local movement
    const moved = this.move(now, dt, presenting);
    player.moving = moved;

    // 2. send
    const conn = app.connection;
    if (conn?.joined) {
      this.sendPose(now, conn, presenting, moved);
      const ids = who.take(now);
      if (ids) conn.sendJson({ type: 'who', ids });
    }

    // 3. remote avatars (and, in VR, the visitor's own hands)
    const remote = this.remote;
    if (remote && conn) remote.update(conn.serverNow() - INTERP_DELAY_MS);
    if (this.batch && this.myHands && presenting) poseOwnHands(this.batch, this.myHands, app.lastVrPose);
    tags.update(now);
    for (const update of this.updaters) update(now, presenting);

    // 4. hover, minimap
    if (hover.dirty && !presenting) this.showHover();
    highlight.update(now, prefs.reducedMotion);
    if (conn && (!presenting || vrmenu?.visible)) this.showMap(now);
    if (presenting) vrmenu?.tick(now);

    // 5. render
    renderer.render(scene, camera);
    app.drawCalls = renderer.info.render.calls;
    app.triangles = renderer.info.render.triangles;
    app.frames++;
    if (app.timing.firstFrameMs === null && app.hallReady) app.timing.firstFrameMs = performance.now();
  }

  /**
   * @param {number} now
   * @param {number} dt seconds since the last frame
   * @param {boolean} presenting in VR
   * @returns {boolean} whether the visitor moved
   */
  move(now, dt, presenting) {
    const { app, xr, keyboard, joystick, player, travel, rig, camera } = this.parts;
    if (presenting) return xr.update(dt, app.bounds);
    const grid = app.navgrid;
    let moved = keyboard.update(player, dt, app.bounds, grid);
    if (joystick.update(player, dt, app.bounds, grid)) moved = true;
    if (player.route) {
      const x = player.feet[0];
      const z = player.feet[2];
      const going = followRoute(player.feet, player.route, GLIDE_SPEED, dt, app.bounds, 0.5, grid);
      if (player.feet[0] !== x || player.feet[2] !== z) {
        moved = true;
        // Face the way you walk, as people do (turning, not snapping, unless motion is reduced).
        turnTowards(player, Math.atan2(-(player.feet[0] - x), -(player.feet[2] - z)), dt, this.parts.prefs);
      }
      if (!going) {
        player.route = null;
        if (player.routeYaw !== null) player.yaw = player.routeYaw;
        player.routeYaw = null;
      }
    }
    if (moved && now - this.lastProbe > GROUND_PROBE_MS) {
      // Follow the floor (a stage is higher) a few times a second, not every frame.
      this.lastProbe = now;
      player.feet[1] = travel.groundAt(player.feet[0], player.feet[1], player.feet[2]);
    }
    player.applyToRig(rig, camera, false);
    return moved;
  }

  /**
   * @param {number} now
   * @param {import('../net/connection.js').Connection} conn
   * @param {boolean} presenting
   * @param {boolean} moved
   */
  sendPose(now, conn, presenting, moved) {
    const { xr, gate, player, app } = this.parts;
    const vrPose = app.lastVrPose;
    if (presenting) {
      xr.pose(vrPose, moved);
      if (!gate.offer(now, vrPose, 22)) return;
      for (let i = 0; i < 3; i++) { _head[i] = vrPose[i]; _lp[i] = vrPose[7 + i]; _rp[i] = vrPose[14 + i]; }
      for (let i = 0; i < 4; i++) { _hq[i] = vrPose[3 + i]; _lq[i] = vrPose[10 + i]; _rq[i] = vrPose[17 + i]; }
      conn.sendBinary(encodeVrPose(_head, _hq, _lp, _lq, _rp, _rq, vrPose[21]));
      return;
    }
    player.desktopPose(_deskPose);
    if (!gate.offer(now, _deskPose, 6)) return;
    _head[0] = _deskPose[0]; _head[1] = _deskPose[1]; _head[2] = _deskPose[2];
    conn.sendBinary(encodeDesktopPose(_head, _deskPose[3], _deskPose[4], _deskPose[5]));
  }

  showHover() {
    const { hover, picker, canvas, camera, highlight, app, tip, i18n } = this.parts;
    hover.dirty = false;
    const hit = hover.on ? picker.atScreen(hover.x, hover.y, canvas, camera) : null;
    const id = hit?.kind === 'booth' ? hit.id : null;
    highlight.show(id, app.hall);
    canvas.style.cursor = id ? 'pointer' : hit?.kind === 'floor' ? 'crosshair' : '';
    const booth = id ? app.catalog?.booths?.find((b) => b.id === id) : null;
    tip.hidden = !booth;
    if (!booth) return;
    const name = i18n.pick(booth.exhibitor.name);
    if (tip.textContent !== name) tip.textContent = name;
    tip.style.left = `${hover.x}px`;
    tip.style.top = `${hover.y}px`;
  }

  /** @param {number} now */
  showMap(now) {
    const { crowd, player, minimap, app, i18n, people } = this.parts;
    const remote = this.remote;
    let n = 0;
    if (remote) {
      for (let i = 0; i < remote.list.length && n < 2048; i++, n++) {
        _others[2 * n] = remote.list[i].pose[1];
        _others[2 * n + 1] = remote.list[i].pose[3];
      }
    }
    for (let i = 0; i < crowd.count && n < 4096; i++, n++) {
      _others[2 * n] = crowd.positions[3 * i];
      _others[2 * n + 1] = crowd.positions[3 * i + 2];
    }
    _me.x = player.feet[0];
    _me.z = player.feet[2];
    _me.yaw = player.yaw;
    minimap.draw(now, _me, _others, n);
    if (now - this.lastPeople < PEOPLE_EVERY_MS) return;
    this.lastPeople = now;
    const near = remote?.list.length ?? 0;
    const key = window.innerWidth <= 700 ? 'hud.peopleShort' : 'hud.people';
    const text = app.connection?.joined ? i18n.t(key, { near, total: near + crowd.count + 1 }) : '';
    if (people.textContent !== text) people.textContent = text;
    people.hidden = !text;
  }
}

/**
 * Turn the player towards `yaw` at a walker's pace (at once with reduced motion).
 * @param {import('../controls/player.js').Player} player
 * @param {number} yaw
 * @param {number} dt
 * @param {import('./types.js').Prefs} prefs
 */
function turnTowards(player, yaw, dt, prefs) {
  const diff = Math.atan2(Math.sin(yaw - player.yaw), Math.cos(yaw - player.yaw));
  const most = prefs.reducedMotion ? Math.PI : TURN_RATE * dt;
  player.yaw += Math.max(-most, Math.min(most, diff));
}

/**
 * Put the visitor's own avatar hands (VR) at the tracked grips; head and body stay hidden.
 * @param {import('../avatars/batch.js').AvatarBatch} batch
 * @param {number[]} ids the instance ids of the visitor's own avatar in the batch
 * @param {Float64Array} pose the VR pose (head, left hand, right hand; see controls/xr.js)
 */
function poseOwnHands(batch, ids, pose) {
  for (let hand = 0; hand < 2; hand++) {
    const o = 7 + 7 * hand;
    _handPos.set(pose[o], pose[o + 1], pose[o + 2]);
    _handQuat.set(pose[o + 3], pose[o + 4], pose[o + 5], pose[o + 6]);
    batch.setMatrix(ids, 2 + hand, _handMatrix.compose(_handPos, _handQuat, _one));
    batch.mesh.setVisibleAt(ids[2 + hand], true);
  }
}

export { Frame };
