/**
 * The VR menu: what a headset has instead of the HTML overlays, which do
 * not exist inside an immersive session. It is worn on the left wrist, as
 * in Quest apps: a card of about 0.3 m attached to the left controller's
 * grip space (so it follows the hand), lying just above the fist and
 * parallel to the palm. It shows
 *   - while the visitor turns the left palm towards their face
 *     (controls/palm.js compares the grip's orientation with the head), and
 *   - after a press of the left controller's X button, which toggles it (for
 *     headsets or poses where the palm turn is not detected; not the grip,
 *     which is the talk button); a press while the palm shows it hides it
 *     until the palm turns away.
 * Without a tracked left controller it floats in front of the head instead.
 * The right controller's ray and trigger press its buttons. Four tabs:
 *   - Zones: the directory's destinations, a press teleports there;
 *   - Map: the minimap, drawn large, a press teleports to that spot;
 *   - Chat: the latest lines, and quick phrases a press sends;
 *   - Settings: snap-turn angle, teleport-only, language.
 * A row of gestures (wave, clap, thumbs-up) is under every tab.
 *
 * It is a canvas texture on one plane (one draw call); the buttons are
 * rectangles in canvas pixels, hit by the ray's UV. Painting happens on a
 * change (a tab, a new chat line, the map every half second), never per frame.
 * Text size: the canvas is 1024 px over 0.3 m, so the smallest text (26 px,
 * the gestures' names) is 7.6 mm tall, about 1.1 degrees at the 0.4 m a wrist
 * is read from; chat lines (32 px) about 1.3 degrees.
 */

import {
  CanvasTexture, Matrix4, Mesh, MeshBasicMaterial, PlaneGeometry, Quaternion, SRGBColorSpace, Vector3,
} from 'three';
import { ensureFont, font } from '../world/fonts.js';
import { context2d } from './dom.js';
import { WristSwitch } from './wristswitch.js';

const SIZE_M = 0.3;
/** Floating in front of the head (no left controller): as large to the eye as on the wrist. */
const FLOAT_AHEAD_M = 0.6;
const FLOAT_SCALE = 1.5;
/**
 * On the wrist, in the left grip's space (WebXR: +X out of the left palm, -Z towards the
 * thumb, +Y towards the wrist): the card's centre 5 cm off the palm, 14 cm above the fist
 * (thumb side) and 6 cm towards the wrist, so it sits over the wrist and leaves the hand
 * in view; its face turned the way the palm faces, its top the thumb's way.
 */
const WRIST_AT = new Vector3(0.05, 0.06, -0.14);
const WRIST_TURN = new Quaternion().setFromRotationMatrix(
  new Matrix4().makeBasis(new Vector3(0, -1, 0), new Vector3(0, 0, -1), new Vector3(1, 0, 0)),
);
/** How far in front of a button `buttonAt` puts a pointer that aims at it. */
const AIM_FROM_M = 0.3;
const PX = 1024;
const TABS = /** @type {const} */ (['directory', 'map', 'chat', 'settings']);
const PHRASES = ['vrmenu.phraseHello', 'vrmenu.phraseThanks', 'vrmenu.phraseWhere', 'vrmenu.phraseBye'];
const GESTURES = [['wave', '👋'], ['clap', '👏'], ['thumbs_up', '👍']];
const SNAP_CHOICES = [30, 45, 60, 90];
const MAP_BOX = { x: 172, y: 130, w: 680, h: 680 };
const MAP_EVERY_MS = 500;
const INK = '#13212e';
const ACCENT = '#0b6e99';
const _head = new Vector3();
const _fwd = new Vector3();
const _local = new Vector3();
const _normal = new Vector3();
const _q = new Quaternion();
const _spaceQ = new Quaternion();

/**
 * @typedef {object} Button a pressable rectangle of the menu's canvas
 * @property {string} id
 * @property {number} x
 * @property {number} y
 * @property {number} w
 * @property {number} h
 * @property {(px: number, py: number) => void} run called with the press's canvas coordinates
 */

/**
 * @typedef {object} VrMenuActions what the menu does, given by main.js
 * @property {() => {id: string, label: string, x: number, z: number, yaw: number}[]} destinations
 * @property {(x: number, z: number, yaw: number | null) => void} teleport yaw null keeps the heading
 * @property {() => {canvas: HTMLCanvasElement, toWorld: (px: number, py: number) => number[] | null}} map
 * @property {() => string[]} chatLines the latest chat lines, oldest first
 * @property {(text: string) => boolean} say sends a chat line
 * @property {(emote: string) => void} emote
 * @property {import('../app/types.js').Prefs} prefs live preferences
 * @property {() => void} savePrefs
 * @property {() => void} switchLanguage
 */

class VrMenu {
  /**
   * @param {object} deps
   * @param {import('../i18n/i18n.js').I18n} deps.i18n
   * @param {VrMenuActions} deps.actions
   * @param {Document} [deps.doc]
   */
  constructor({ i18n, actions, doc = document }) {
    this.i18n = i18n;
    this.actions = actions;
    this.canvas = doc.createElement('canvas');
    this.canvas.width = PX;
    this.canvas.height = PX;
    this.texture = new CanvasTexture(this.canvas);
    this.texture.colorSpace = SRGBColorSpace;
    this.mesh = new Mesh(
      new PlaneGeometry(SIZE_M, SIZE_M),
      new MeshBasicMaterial({ map: this.texture, depthTest: false, transparent: false }),
    );
    this.mesh.name = 'vr-menu';
    this.mesh.renderOrder = 21;
    this.mesh.visible = false;
    /** @type {typeof TABS[number]} */
    this.tab = 'directory';
    /** @type {Button[]} */
    this.buttons = [];
    this.lastMap = -Infinity;
    /** @type {string | null} the last button pressed (for the tests) */
    this.lastPressed = null;
    /** Whether emoji draw here (fonts.js chooseEmojiFont); if not, gestures show their names. */
    this.emoji = true;
    /** @type {import('three').Object3D | null} the left grip the menu is worn on, if tracked */
    this.wrist = null;
    /** @type {import('three').Object3D | null} where the menu floats without a wrist (the scene) */
    this.home = null;
    /** Whether it should show: the palm's turn and the menu button's presses. */
    this.switch = new WristSwitch();
    i18n.onChange(() => this.repaint());
  }

  get visible() {
    return this.mesh.visible;
  }

  /**
   * Wear the menu on `grip` (the left controller's grip space; it follows the hand from
   * then on), or take it off (null: the controller is gone) and float it in front of the head.
   * @param {import('three').Object3D | null} grip
   */
  wear(grip) {
    if (grip) {
      if (!this.wrist) this.home = this.mesh.parent;
      grip.add(this.mesh);
      this.mesh.position.copy(WRIST_AT);
      this.mesh.quaternion.copy(WRIST_TURN);
      this.mesh.scale.setScalar(1);
      this.wrist = grip;
      return;
    }
    if (!this.wrist) return;
    this.wrist = null;
    this.switch.palm(false);
    this.close();
    this.home?.add(this.mesh);
  }

  /**
   * The left palm turned towards the face (true) or away (false): show or hide the menu.
   * @param {boolean} facing
   * @param {import('three').Camera} camera
   */
  palm(facing, camera) {
    this.switch.palm(facing);
    this._sync(camera);
  }

  /** The menu button was pressed: hide the menu if it shows, else show it until the next press. */
  toggle(camera) {
    this.switch.toggle();
    this._sync(camera);
  }

  /** Show or hide as the menu button and the palm say. */
  _sync(camera) {
    const want = this.switch.shows;
    if (want && !this.visible) this.open(camera);
    else if (!want && this.visible) this.mesh.visible = false;
  }

  /**
   * Show the menu: on the wrist if worn, else 0.6 m ahead of the head, a little below the
   * eyes, facing the visitor.
   */
  async open(camera) {
    if (!this.wrist) {
      camera.getWorldPosition(_head);
      camera.getWorldDirection(_fwd);
      _fwd.y = 0;
      if (_fwd.lengthSq() < 1e-6) _fwd.set(0, 0, -1);
      _fwd.normalize();
      this.mesh.scale.setScalar(FLOAT_SCALE);
      this.mesh.position.copy(_head).addScaledVector(_fwd, FLOAT_AHEAD_M);
      this.mesh.position.y = _head.y - 0.15;
      this.mesh.lookAt(_head.x, this.mesh.position.y, _head.z);
    }
    this.mesh.visible = true;
    this.repaint();
    // Glyphs for the labels (Chinese, emoji) arrive asynchronously: paint again once here.
    await ensureFont(this._texts().join(''));
    if (this.visible) this.repaint();
  }

  /** Hide the menu (the ✕ button, a place chosen, the session's end). */
  close() {
    this.switch.close();
    this.mesh.visible = false;
  }

  /** Per frame while open: the map tab follows the visitor, twice a second. */
  tick(now) {
    if (this.visible && this.tab === 'map' && now - this.lastMap >= MAP_EVERY_MS) this.repaint(now);
  }

  /** Chat changed: show the new lines if the chat tab is open. */
  chatChanged() {
    if (this.visible && this.tab === 'chat') this.repaint();
  }

  /**
   * A trigger pressed on the menu at texture coordinates `uv` (three's, v up).
   * @param {{x: number, y: number}} uv
   * @returns {string | null} the id of the button pressed
   */
  press(uv) {
    const px = uv.x * PX;
    const py = (1 - uv.y) * PX;
    const b = this.buttons.find((c) => px >= c.x && px <= c.x + c.w && py >= c.y && py <= c.y + c.h);
    if (!b) return null;
    this.lastPressed = b.id;
    b.run(px, py);
    if (this.visible) this.repaint();
    return b.id;
  }

  /**
   * Where a button's centre is, in `space`'s local coordinates (the XR rig: what a
   * controller's pose is given in), and a pose that aims a controller's ray at it: `from`,
   * 0.3 m in front of the card, turned as the card is (a ray's -Z then meets it square on).
   * Null if the menu has no such button now.
   * @param {string} id
   * @param {import('three').Object3D} space
   * @returns {{at: number[], from: number[], quaternion: number[]} | null}
   */
  buttonAt(id, space) {
    const b = this.buttons.find((c) => c.id === id);
    if (!b || !this.visible) return null;
    const u = (b.x + b.w / 2) / PX - 0.5;
    const v = 0.5 - (b.y + b.h / 2) / PX;
    this.mesh.updateWorldMatrix(true, false);
    space.updateWorldMatrix(true, false);
    _local.set(u * SIZE_M, v * SIZE_M, 0).applyMatrix4(this.mesh.matrixWorld);
    this.mesh.getWorldQuaternion(_q);
    space.getWorldQuaternion(_spaceQ);
    _q.premultiply(_spaceQ.invert());
    _normal.set(0, 0, 1).applyQuaternion(_q);
    const at = space.worldToLocal(_local);
    return {
      at: at.toArray(),
      from: at.clone().addScaledVector(_normal, AIM_FROM_M).toArray(),
      quaternion: _q.toArray(),
    };
  }

  /** Every text the menu may show now (to load its glyphs). */
  _texts() {
    const t = (k) => this.i18n.t(k);
    return [
      ...TABS.map((k) => t(`vrmenu.${k}`)), ...PHRASES.map(t), ...GESTURES.map((g) => g[1]),
      ...this.actions.destinations().map((d) => d.label), ...this.actions.chatLines(),
      t('vrmenu.teleportOnlyOn'), t('vrmenu.teleportOnlyOff'), t('vrmenu.snapTurn'), t('lang.switch'),
      t('vrmenu.mapHint'), t('vrmenu.noChat'), ...GESTURES.map((x) => t(`emote.${x[0]}`)),
    ];
  }

  /** Paint the current tab and collect its buttons. */
  repaint(now = performance.now()) {
    if (!this.visible) return;
    const g = context2d(this.canvas);
    const t = (/** @type {string} */ k, /** @type {Record<string, unknown>} */ v = {}) => this.i18n.t(k, v);
    this.buttons = [];
    g.fillStyle = '#f7fafc';
    g.fillRect(0, 0, PX, PX);
    g.fillStyle = INK;
    g.fillRect(0, 0, PX, 112);
    // Tabs and the close button.
    TABS.forEach((tab, i) => {
      this._button(g, `tab:${tab}`, 16 + i * 216, 14, 204, 84, t(`vrmenu.${tab}`), {
        on: this.tab === tab, dark: true, run: () => { this.tab = tab; },
      });
    });
    this._button(g, 'close', 892, 14, 116, 84, '✕', { dark: true, run: () => this.close() });
    if (this.tab === 'directory') this._paintDirectory(g);
    else if (this.tab === 'map') this._paintMap(g, now);
    else if (this.tab === 'chat') this._paintChat(g);
    else this._paintSettings(g);
    // Gestures, under every tab.
    g.fillStyle = '#e3ebf1';
    g.fillRect(0, 872, PX, PX - 872);
    GESTURES.forEach(([emote, glyph], i) => {
      const name = t(`emote.${emote}`);
      this._button(g, `emote:${emote}`, 232 + i * 196, 888, 172, 116, this.emoji ? glyph : name, {
        size: this.emoji ? 64 : 32, run: () => this.actions.emote(emote), label: this.emoji ? name : undefined,
      });
    });
    this.texture.needsUpdate = true;
  }

  _paintDirectory(g) {
    const dests = this.actions.destinations().slice(0, 16);
    dests.forEach((d, i) => {
      const col = i % 2;
      const row = Math.floor(i / 2);
      this._button(g, `go:${d.id}`, 24 + col * 496, 132 + row * 90, 480, 78, d.label, {
        size: 34, run: () => { this.actions.teleport(d.x, d.z, d.yaw); this.close(); },
      });
    });
  }

  _paintMap(g, now) {
    this.lastMap = now;
    const { canvas, toWorld } = this.actions.map();
    g.fillStyle = '#cfd8df';
    g.fillRect(MAP_BOX.x, MAP_BOX.y, MAP_BOX.w, MAP_BOX.h);
    g.imageSmoothingEnabled = true;
    g.drawImage(canvas, MAP_BOX.x, MAP_BOX.y, MAP_BOX.w, MAP_BOX.h);
    g.strokeStyle = INK;
    g.lineWidth = 4;
    g.strokeRect(MAP_BOX.x, MAP_BOX.y, MAP_BOX.w, MAP_BOX.h);
    g.font = font(30, 400);
    g.fillStyle = INK;
    g.textBaseline = 'middle';
    g.textAlign = 'center';
    g.fillText(this.i18n.t('vrmenu.mapHint'), PX / 2, 842);
    g.textAlign = 'left';
    this.buttons.push({
      id: 'map', ...MAP_BOX,
      run: (px, py) => {
        const sx = ((px - MAP_BOX.x) / MAP_BOX.w) * canvas.width;
        const sy = ((py - MAP_BOX.y) / MAP_BOX.h) * canvas.height;
        const at = toWorld(sx, sy);
        if (at) { this.actions.teleport(at[0], at[1], null); this.close(); }
      },
    });
  }

  _paintChat(g) {
    const lines = this.actions.chatLines().slice(-8);
    g.fillStyle = '#ffffff';
    g.fillRect(24, 128, PX - 48, 480);
    g.font = font(32, 400);
    g.fillStyle = INK;
    g.textBaseline = 'top';
    lines.forEach((line, i) => g.fillText(clip(g, line, PX - 80), 40, 140 + i * 58));
    if (!lines.length) {
      g.fillStyle = '#41505e';
      g.fillText(this.i18n.t('vrmenu.noChat'), 40, 140);
    }
    PHRASES.forEach((key, i) => {
      const col = i % 2;
      const row = Math.floor(i / 2);
      this._button(g, `say:${i}`, 24 + col * 496, 628 + row * 116, 480, 100, this.i18n.t(key), {
        size: 36, run: () => this.actions.say(this.i18n.t(key)),
      });
    });
  }

  _paintSettings(g) {
    const { prefs } = this.actions;
    const t = (/** @type {string} */ k, /** @type {Record<string, unknown>} */ v = {}) => this.i18n.t(k, v);
    const row = (i, id, label, run) => this._button(g, id, 24, 140 + i * 130, PX - 48, 110, label, { size: 38, run });
    row(0, 'snap', t('vrmenu.snapTurn', { n: prefs.snapTurnDeg }), () => {
      const next = SNAP_CHOICES[(SNAP_CHOICES.indexOf(prefs.snapTurnDeg) + 1) % SNAP_CHOICES.length];
      prefs.snapTurnDeg = next;
      this.actions.savePrefs();
    });
    row(1, 'teleport-only', t(prefs.teleportOnly ? 'vrmenu.teleportOnlyOn' : 'vrmenu.teleportOnlyOff'), () => {
      prefs.teleportOnly = !prefs.teleportOnly;
      this.actions.savePrefs();
    });
    row(2, 'language', t('lang.switch'), () => this.actions.switchLanguage());
  }

  /**
   * Paint a button and remember where it is.
   * @param {CanvasRenderingContext2D} g
   * @param {string} id
   * @param {number} x
   * @param {number} y
   * @param {number} w
   * @param {number} h
   * @param {string} text
   * @param {{run: (px: number, py: number) => void, on?: boolean, dark?: boolean, size?: number, label?: string}} opts
   */
  _button(g, id, x, y, w, h, text, { run, on = false, dark = false, size = 38, label }) {
    g.fillStyle = on ? '#d3e8f2' : dark ? '#243a4f' : '#ffffff';
    g.strokeStyle = on ? '#ffffff' : dark ? '#5b7890' : ACCENT;
    g.lineWidth = 3;
    g.beginPath();
    g.roundRect(x, y, w, h, 14);
    g.fill();
    g.stroke();
    g.fillStyle = on ? INK : dark ? '#ffffff' : INK;
    g.font = font(size, 700);
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    g.fillText(clip(g, text, w - 20), x + w / 2, y + h / 2 + (label ? -12 : 2));
    if (label) {
      g.font = font(26, 400);
      g.fillText(label, x + w / 2, y + h - 18);
    }
    g.textAlign = 'left';
    this.buttons.push({ id, x, y, w, h, run });
  }
}

/**
 * `text` cut with an ellipsis to fit `width` pixels in the current font.
 * @param {CanvasRenderingContext2D} g
 * @param {string} text
 * @param {number} width
 */
function clip(g, text, width) {
  if (g.measureText(text).width <= width) return text;
  let s = text;
  while (s.length > 1 && g.measureText(`${s}…`).width > width) s = s.slice(0, -1);
  return `${s}…`;
}

export { VrMenu };
