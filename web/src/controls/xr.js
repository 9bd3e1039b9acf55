/**
 * WebXR: the Enter-VR button, controllers, teleport, snap turn and the VR pose.
 *
 * The button is ours (bilingual) and degrades visibly like three's VRButton:
 * it says why VR is unavailable (no WebXR, not HTTPS, no headset) instead of
 * vanishing. In a session:
 *   - trigger on a booth (the controller's ray) opens its 3D info panel; on
 *     the panel it closes it; anywhere else it aims a teleport arc that
 *     lands only on walkable floor, and releasing the trigger goes there
 *     (pushing the right stick forward aims the same arc);
 *   - the right stick flicked left/right turns by the snap angle (comfort
 *     setting); the left stick walks, unless "teleport only" is set;
 *   - the VR menu (ui/vrmenu.js: zones, map, chat with quick phrases,
 *     settings, gestures) is worn on the left wrist: it shows while the left
 *     palm is turned to the face (controls/palm.js, checked every frame), and
 *     the left controller's X button opens or closes it (not the grip: holding
 *     the left grip is the talk button, voice/voice.js); while it is open, the
 *     right controller's trigger on it presses what the ray points at;
 *   - head and both grips give the VR_POSE the protocol sends.
 * Controller models are the visitor's own avatar hands (no download from a
 * CDN: the service must work offline).
 */

import {
  BufferAttribute, BufferGeometry, Line, LineBasicMaterial, Matrix4, Mesh, MeshBasicMaterial, Quaternion,
  Raycaster, RingGeometry, Vector3,
} from 'three';
import { crossFloor, sampleArc } from './arc.js';
import { palmFacesHead } from './palm.js';
import { walkStep, WALK_SPEED } from './walk.js';

const ARC_POINTS = 48;
const STICK_DEADZONE = 0.25;
const SNAP_ARM = 0.7;
const MOVING = 0x01;
/** The left controller's xr-standard button that opens or closes the VR menu: X (Quest). */
const MENU_BUTTON = 4;
const REST_LEFT = new Vector3(-0.25, -0.55, -0.3);
const REST_RIGHT = new Vector3(0.25, -0.55, -0.3);

// Scratch, module scope: the XR frame allocates nothing for the arc and the pose.
const _origin = new Vector3();
const _dir = new Vector3();
const _v = new Vector3();
const _q = new Quaternion();
const _m = new Matrix4();
const _o3 = [0, 0, 0];
const _d3 = [0, 0, 0];
const _hit = [0, 0, 0];
const _hits = [];

/**
 * @typedef {object} XrHooks what the XR controls ask of the rest of the client
 * @property {() => import('three').Object3D[]} walkables floor meshes a teleport may land on
 * @property {() => import('../world/navgrid.js').NavGrid | null} [grid] the hall's navigation grid:
 *   a landing must be on one of its walkable cells (never inside a wall or a booth's counter)
 * @property {(raycaster: Raycaster) => string | null} pickBooth the booth the ray points at
 * @property {() => import('../ui/panel3d.js').Panel3D | null} [panel] the 3D booth panel
 * @property {() => import('../ui/vrmenu.js').VrMenu | null} [menu] the VR menu
 * @property {() => void} [onMenu] the left X button was pressed: open or close the menu
 * @property {(grip: import('three').Object3D | null) => void} [onLeftGrip] the left controller's
 *   grip space (the menu is worn on it), or null when that controller is gone
 * @property {(facing: boolean) => void} [onPalm] the left palm turned to the face, or away
 * @property {() => void} [onClosePanel]
 * @property {(x: number, y: number, z: number, yaw: number) => void} onTeleport the head jumped
 * @property {(id: string) => void} onSelectBooth
 * @property {(active: boolean) => void} [onSession] a VR session started or ended
 * @property {(raycaster: Raycaster) => boolean} [claimSelect] another panel takes the trigger pull
 *   (the forum's VR panel); true: nothing else happens
 */

/**
 * @typedef {object} Hand one tracked controller
 * @property {import('three').XRTargetRaySpace} controller
 * @property {import('three').XRGripSpace} grip
 * @property {XRInputSource | null} source
 * @property {Line} ray
 * @property {'left' | 'right' | null} hand
 */

/**
 * The teleport arc, its landing reticle and the controllers' pointer rays.
 * @param {import('three').Scene} scene
 */
function buildVisuals(scene) {
  const arcGeom = new BufferGeometry();
  const arcPoints = new Float32Array(ARC_POINTS * 3);
  const arcAttr = new BufferAttribute(arcPoints, 3);
  arcGeom.setAttribute('position', arcAttr);
  const arc = new Line(arcGeom, new LineBasicMaterial({ color: 0x4fc3f7 }));
  arc.frustumCulled = false;
  arc.visible = false;
  arc.name = 'teleport-arc';
  scene.add(arc);
  const reticle = new Mesh(
    new RingGeometry(0.22, 0.3, 32).rotateX(-Math.PI / 2),
    new MeshBasicMaterial({ color: 0x4fc3f7 }),
  );
  reticle.visible = false;
  reticle.name = 'teleport-reticle';
  scene.add(reticle);
  const rayGeometry = new BufferGeometry().setFromPoints([new Vector3(0, 0, 0), new Vector3(0, 0, -1)]);
  const rayMaterial = new LineBasicMaterial({ color: 0xffffff, transparent: true, opacity: 0.6 });
  return { arcPoints, arcAttr, arc, reticle, rayGeometry, rayMaterial };
}

class XrControls {
  /**
   * @param {object} deps
   * @param {import('three').WebGLRenderer} deps.renderer
   * @param {import('three').Group} deps.rig
   * @param {import('three').Camera} deps.camera
   * @param {import('three').Scene} deps.scene
   * @param {HTMLButtonElement} deps.button
   * @param {import('../i18n/i18n.js').I18n} deps.i18n
   * @param {import('../app/types.js').Prefs} deps.prefs live prefs (snapTurnDeg, teleportOnly)
   * @param {import('./player.js').Player} deps.player
   * @param {XrHooks} deps.hooks what the controls ask of the rest of the client
   * @param {XRSystem | undefined} [deps.xr] the WebXR entry point (tests inject IWER's)
   */
  constructor({ renderer, rig, camera, scene, button, i18n, prefs, player, hooks, xr = navigator.xr }) {
    this.renderer = renderer;
    this.rig = rig;
    this.camera = camera;
    this.button = button;
    this.i18n = i18n;
    this.prefs = prefs;
    this.player = player;
    this.hooks = hooks;
    this.xr = xr;
    this.supported = false;
    /** @type {string | null} why VR cannot start (an i18n key), or null */
    this.reason = 'vr.unsupported';
    /** @type {XRSession | null} */
    this.session = null;
    this.raycaster = new Raycaster();
    this.raycaster.far = 40;
    /** @type {{left: Hand | null, right: Hand | null}} */
    this.hands = { left: null, right: null };
    /** @type {'left' | 'right' | null} the hand whose teleport arc is shown */
    this.aiming = null;
    this.landing = new Vector3();
    /** Whether the arc came down on the floor, and whether one may stand there. */
    this.landingHit = false;
    this.landingOk = false;
    this.snapArmed = true;
    this.stickAim = false;
    /** Whether the left palm is turned to the face (the wrist menu shows). */
    this.palmUp = false;
    /** Whether the menu button was down on the last frame (a press is its down edge). */
    this.menuButtonDown = false;
    /** @type {string | null} why the last session could not start */
    this.error = null;
    const visuals = buildVisuals(scene);
    this.arcPoints = visuals.arcPoints;
    this.arcAttr = visuals.arcAttr;
    this.arc = visuals.arc;
    this.reticle = visuals.reticle;
    this.rayGeometry = visuals.rayGeometry;
    this.rayMaterial = visuals.rayMaterial;
    for (let i = 0; i < 2; i++) this._setupController(i);
    button.addEventListener('click', () => this.toggle());
    i18n.onChange(() => this._label());
    this.detect();
    xr?.addEventListener?.('devicechange', () => this.detect());
  }

  get presenting() {
    return this.renderer.xr.isPresenting;
  }

  /** Check whether immersive VR can start here, and label the button. */
  async detect() {
    if (!this.xr) {
      this.supported = false;
      this.reason = globalThis.isSecureContext === false ? 'vr.insecure' : 'vr.unsupported';
    } else {
      try {
        this.supported = await this.xr.isSessionSupported('immersive-vr');
        this.reason = this.supported ? null : 'vr.unsupported';
      } catch {
        this.supported = false;
        this.reason = 'vr.unsupported';
      }
    }
    this._label();
    return this.supported;
  }

  _label() {
    const b = this.button;
    if (this.session) {
      b.textContent = this.i18n.t('vr.exit');
      b.disabled = false;
    } else if (this.supported) {
      b.textContent = this.error ? this.i18n.t('vr.failed', { reason: this.error }) : this.i18n.t('vr.enter');
      b.disabled = false;
    } else {
      b.textContent = this.i18n.t(this.reason ?? 'vr.unsupported');
      b.disabled = true;
    }
    b.dataset.state = this.session ? 'presenting' : this.supported ? 'ready' : 'unavailable';
  }

  async toggle() {
    if (this.session) {
      await this.session.end();
      return;
    }
    if (!this.supported || !this.xr) return;
    try {
      const session = await this.xr.requestSession('immersive-vr', {
        optionalFeatures: ['local-floor', 'bounded-floor', 'hand-tracking'],
      });
      this.error = null;
      session.addEventListener('end', () => this._onEnd());
      await this.renderer.xr.setSession(session);
      this.session = session;
      this._label();
      this.hooks.onSession?.(true);
    } catch (err) {
      this.error = String(err instanceof Error ? err.message : err).slice(0, 80);
      this._label();
    }
  }

  _onEnd() {
    this.session = null;
    this.aiming = null;
    this.arc.visible = false;
    this.reticle.visible = false;
    this._setPalm(false);
    this._label();
    this.hooks.onSession?.(false);
  }

  _setupController(i) {
    const xr = this.renderer.xr;
    const controller = xr.getController(i);
    const grip = xr.getControllerGrip(i);
    const ray = new Line(this.rayGeometry, this.rayMaterial);
    ray.scale.z = 3;
    ray.name = 'ray';
    controller.add(ray);
    this.rig.add(controller);
    this.rig.add(grip);
    /** @type {Hand} */
    const entry = { controller, grip, source: null, ray, hand: null };
    controller.addEventListener('connected', (ev) => {
      entry.source = ev.data;
      const hand = ev.data?.handedness === 'left' ? 'left' : 'right';
      entry.hand = hand;
      this.hands[hand] = entry;
      ray.visible = ev.data?.targetRayMode === 'tracked-pointer';
      if (hand === 'left') this.hooks.onLeftGrip?.(grip);
    });
    controller.addEventListener('disconnected', () => {
      if (entry.hand && this.hands[entry.hand] === entry) {
        this.hands[entry.hand] = null;
        if (entry.hand === 'left') {
          this._setPalm(false);
          this.hooks.onLeftGrip?.(null);
        }
      }
      entry.source = null;
    });
    controller.addEventListener('selectstart', () => this._selectStart(entry));
    controller.addEventListener('selectend', () => this._selectEnd(entry));
  }

  _rayFrom(controller) {
    controller.updateWorldMatrix(true, false);
    _m.identity().extractRotation(controller.matrixWorld);
    this.raycaster.ray.origin.setFromMatrixPosition(controller.matrixWorld);
    this.raycaster.ray.direction.set(0, 0, -1).applyMatrix4(_m);
    return this.raycaster;
  }

  _selectStart(entry) {
    const hand = entry.hand ?? 'right';
    const raycaster = this._rayFrom(entry.controller);
    if (this.hooks.claimSelect?.(raycaster)) return;
    const menu = this.hooks.menu?.();
    // The hand that wears the menu does not press it (its ray starts under the card).
    if (menu?.visible && !(hand === 'left' && menu.wrist)) {
      _hits.length = 0;
      menu.mesh.raycast(raycaster, _hits);
      // A trigger on the menu presses its button and does nothing else.
      if (_hits.length) {
        if (_hits[0].uv) menu.press(_hits[0].uv);
        return;
      }
    }
    const panel = this.hooks.panel?.();
    if (panel?.visible) {
      _hits.length = 0;
      panel.mesh.raycast(raycaster, _hits);
      // A trigger anywhere closes the panel; on it, that is all it does.
      this.hooks.onClosePanel?.();
      if (_hits.length) return;
    }
    const booth = this.hooks.pickBooth(raycaster);
    if (booth) {
      this.hooks.onSelectBooth(booth);
      return;
    }
    this.aiming = hand;
  }

  _selectEnd(entry) {
    if (this.aiming !== (entry.hand ?? 'right')) return;
    this._finishAim();
  }

  _finishAim() {
    this.aiming = null;
    this.arc.visible = false;
    this.reticle.visible = false;
    if (!this.landingOk) return;
    this.teleportTo(this.landing.x, this.landing.y, this.landing.z);
  }

  /** Move the rig so the head stands above (x, y, z) on the floor; tells the server. */
  teleportTo(x, y, z) {
    this.camera.getWorldPosition(_v);
    const dx = x - _v.x;
    const dz = z - _v.z;
    this.player.feet[0] += dx;
    this.player.feet[2] += dz;
    this.player.feet[1] = y;
    this.player.route = null;
    this.player.applyToRig(this.rig, this.camera, true);
    this.rig.updateMatrixWorld(true);
    this.camera.getWorldPosition(_v);
    this.hooks.onTeleport(_v.x, _v.y, _v.z, this.player.yaw);
  }

  /** Turn the visitor by `angle` about their head, not the play area's centre. */
  snapTurn(angle) {
    this.camera.getWorldPosition(_v);
    const hx = _v.x;
    const hz = _v.z;
    const rx = this.player.feet[0] - hx;
    const rz = this.player.feet[2] - hz;
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    this.player.feet[0] = hx + c * rx + s * rz;
    this.player.feet[2] = hz - s * rx + c * rz;
    this.player.yaw += angle;
    this.player.applyToRig(this.rig, this.camera, true);
  }

  /** Per XR frame: sticks, the arc. Returns true if the visitor moved by stick. */
  update(dt, bounds) {
    if (!this.presenting) return false;
    let moved = false;
    const right = this.hands.right?.source?.gamepad;
    const left = this.hands.left?.source?.gamepad;
    if (right && right.axes.length >= 4) {
      const x = right.axes[2];
      const y = right.axes[3];
      if (Math.abs(x) > SNAP_ARM && this.snapArmed) {
        this.snapTurn(-Math.sign(x) * (this.prefs.snapTurnDeg * Math.PI) / 180);
        this.snapArmed = false;
      } else if (Math.abs(x) < STICK_DEADZONE) {
        this.snapArmed = true;
      }
      if (y < -SNAP_ARM && !this.aiming) {
        this.aiming = 'right';
        this.stickAim = true;
      } else if (this.stickAim && y > -STICK_DEADZONE) {
        this.stickAim = false;
        this._finishAim();
      }
    }
    if (left && left.axes.length >= 4 && !this.prefs.teleportOnly) {
      const x = left.axes[2];
      const y = left.axes[3];
      if (Math.hypot(x, y) > STICK_DEADZONE) {
        // Walk where the head looks, not where the rig faces.
        this.camera.getWorldDirection(_dir);
        const yaw = Math.atan2(-_dir.x, -_dir.z);
        moved = walkStep(this.player.feet, yaw, -y, x, WALK_SPEED, dt, bounds, 0.5, this.hooks.grid?.() ?? null);
        this.player.applyToRig(this.rig, this.camera, true);
      }
    }
    if (this.aiming) this._updateArc();
    this._watchPalm();
    this._watchMenuButton();
    return moved;
  }

  /** Once a frame: is the left palm turned to the face? Tells the hooks when that changes. */
  _watchPalm() {
    const left = this.hands.left;
    let facing = false;
    if (left?.source && left.grip.visible) {
      left.grip.updateWorldMatrix(true, false);
      this.camera.getWorldPosition(_v);
      facing = palmFacesHead(left.grip.matrixWorld, _v, this.palmUp, 'left');
    }
    this._setPalm(facing);
  }

  /** Once a frame: a press of the left X button opens or closes the menu. */
  _watchMenuButton() {
    const pad = this.hands.left?.source?.gamepad;
    const down = Boolean(pad?.buttons?.[MENU_BUTTON]?.pressed);
    if (down && !this.menuButtonDown) this.hooks.onMenu?.();
    this.menuButtonDown = down;
  }

  _setPalm(facing) {
    if (facing === this.palmUp) return;
    this.palmUp = facing;
    this.hooks.onPalm?.(facing);
  }

  _updateArc() {
    const entry = this.aiming ? this.hands[this.aiming] : null;
    if (!entry) {
      this.aiming = null;
      this.arc.visible = false;
      return;
    }
    const raycaster = this._rayFrom(entry.controller);
    const o = raycaster.ray.origin;
    const d = raycaster.ray.direction;
    _o3[0] = o.x; _o3[1] = o.y; _o3[2] = o.z;
    _d3[0] = d.x; _d3[1] = d.y; _d3[2] = d.z;
    const floorY = this.player.feet[1];
    const n = sampleArc(_o3, _d3, this.arcPoints, { floorY });
    this.landingOk = false;
    this.landingHit = false;
    let end = n;
    const walkables = this.hooks.walkables();
    for (let i = 0; i < n - 1; i++) {
      _origin.fromArray(this.arcPoints, 3 * i);
      _v.fromArray(this.arcPoints, 3 * i + 3);
      _dir.subVectors(_v, _origin);
      const len = _dir.length();
      if (len < 1e-6) continue;
      raycaster.set(_origin, _dir.multiplyScalar(1 / len));
      raycaster.far = len;
      _hits.length = 0;
      raycaster.intersectObjects(walkables, false, _hits);
      if (_hits.length && _hits[0].face && _hits[0].face.normal.y > 0.5) {
        this.landing.copy(_hits[0].point);
        this.landingHit = true;
        // The floor mesh runs under walls and booths: only the grid knows where one may stand.
        const grid = this.hooks.grid?.();
        this.landingOk = !grid || grid.walkable(this.landing.x, this.landing.z);
        end = i + 2;
        this.arcPoints[3 * i + 3] = this.landing.x;
        this.arcPoints[3 * i + 4] = this.landing.y;
        this.arcPoints[3 * i + 5] = this.landing.z;
        break;
      }
      if (!walkables.length && crossFloor(this.arcPoints, i, floorY, _hit)) {
        this.landing.fromArray(_hit);
        this.landingHit = true;
        const grid = this.hooks.grid?.();
        this.landingOk = !grid || grid.walkable(this.landing.x, this.landing.z);
        end = i + 2;
        break;
      }
    }
    raycaster.far = 40;
    this.arc.geometry.setDrawRange(0, end);
    this.arcAttr.needsUpdate = true;
    this.arc.material.color.setHex(this.landingOk ? 0x4fc3f7 : 0xef5350);
    this.arc.visible = true;
    this.reticle.visible = this.landingOk;
    if (this.landingOk) this.reticle.position.copy(this.landing).y += 0.02;
  }

  /**
   * The VR pose into `out` (22 numbers: head xyz, head quaternion, left hand xyz + quaternion,
   * right hand xyz + quaternion, flags). Hands without tracking rest beside the head.
   */
  pose(out, moving) {
    this.camera.updateWorldMatrix(true, false);
    this.camera.matrixWorld.decompose(_v, _q, _origin);
    out[0] = _v.x; out[1] = _v.y; out[2] = _v.z;
    out[3] = _q.x; out[4] = _q.y; out[5] = _q.z; out[6] = _q.w;
    this._handPose(this.hands.left, REST_LEFT, out, 7);
    this._handPose(this.hands.right, REST_RIGHT, out, 14);
    out[21] = moving ? MOVING : 0;
    return out;
  }

  _handPose(entry, rest, out, o) {
    const grip = entry?.grip;
    if (grip && entry.source && grip.visible !== false) {
      grip.updateWorldMatrix(true, false);
      grip.matrixWorld.decompose(_v, _q, _origin);
    } else {
      // Not tracked: beside the head, turned with it.
      this.camera.matrixWorld.decompose(_dir, _q, _origin);
      _v.copy(rest).applyQuaternion(_q).add(_dir);
    }
    out[o] = _v.x; out[o + 1] = _v.y; out[o + 2] = _v.z;
    out[o + 3] = _q.x; out[o + 4] = _q.y; out[o + 5] = _q.z; out[o + 6] = _q.w;
  }
}

export { XrControls };
