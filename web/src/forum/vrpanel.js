/**
 * The forum inside VR: a small floating panel (HTML does not exist inside an
 * immersive session) with the session's title, the slide number, the top
 * questions, and buttons: raise / lower one's hand, go on stage when invited,
 * one's microphone, previous / next slide for presenters, upvote a question.
 * Point the controller's ray at a button and pull the trigger
 * (controls/xr.js asks `claimSelect` first).
 *
 * It shows while a session is live and the visitor is in its forum hall, and
 * stands a little to the left of where they look; it moves back into view
 * when they teleport away from it.
 */

import { Vector2, Vector3 } from 'three';
import { CanvasBoard, textBlock } from './canvasboard.js';
import { buttonAt, layoutButtons } from './vrbuttons.js';
import { cleanText } from '../ui/sanitize.js';
import { ensureFont, font } from '../world/fonts.js';

const W_M = 0.9;
const H_M = 0.62;
const PX = 1024;
const _head = new Vector3();
const _fwd = new Vector3();
const _uv = new Vector2();
/** @type {import('three').Intersection[]} */
const _hits = [];

/**
 * @typedef {object} VrView what the panel shows (built by the forum controller)
 * @property {string} title
 * @property {string} status
 * @property {{id: number, text: string, votes: number, canVote: boolean}[]} questions
 * @property {{id: string, label: string, primary?: boolean}[]} actions
 */

class ForumVrPanel {
  /**
   * @param {object} deps
   * @param {import('../i18n/i18n.js').I18n} deps.i18n
   * @param {import('three').Object3D} deps.parent
   * @param {(id: string) => void} deps.onAction a button was pulled ("vote:<id>" for a question)
   */
  constructor({ i18n, parent, onAction }) {
    this.i18n = i18n;
    this.onAction = onAction;
    this.board = new CanvasBoard({ width: W_M, height: H_M, px: PX, name: 'forum-vr-panel' });
    const material = /** @type {import('three').MeshBasicMaterial} */ (this.board.mesh.material);
    material.transparent = true;
    material.depthTest = false;
    this.board.mesh.renderOrder = 21;
    this.board.show(false);
    parent.add(this.board.mesh);
    /** @type {import('./vrbuttons.js').PanelButton[]} */
    this.buttons = [];
    this.key = '';
    /** @type {string | null} the last button pulled (tests) */
    this.lastAction = null;
  }

  get visible() {
    return this.board.mesh.visible;
  }

  /**
   * Show `view` (or hide with null), placed in front of the camera if it is not in reach.
   * @param {VrView | null} view
   * @param {import('three').Camera} camera
   */
  async show(view, camera) {
    if (!view) {
      this.board.show(false);
      this.key = '';
      return;
    }
    camera.getWorldPosition(_head);
    if (!this.visible || this.board.mesh.position.distanceTo(_head) > 2.5) this._place(camera);
    const key = JSON.stringify([view, this.i18n.lang]);
    if (key === this.key) {
      this.board.show(true);
      return;
    }
    this.key = key;
    await ensureFont(view.title + view.status + view.questions.map((q) => q.text).join('') + view.actions.map((a) => a.label).join(''));
    if (key !== this.key) return;
    this._paint(view);
    this.board.show(true);
  }

  /**
   * A trigger pull: if the ray hits the panel, press the button there and claim the pull.
   * @param {import('three').Raycaster} raycaster
   * @returns {boolean} whether the panel took it (no teleport, no booth)
   */
  claimSelect(raycaster) {
    if (!this.visible) return false;
    _hits.length = 0;
    this.board.mesh.raycast(raycaster, _hits);
    const uv = _hits[0]?.uv;
    if (!uv) return false;
    _uv.copy(uv);
    const hit = buttonAt(this.buttons, _uv.x, _uv.y, this.board.canvas.width, this.board.canvas.height);
    if (hit) {
      this.lastAction = hit.id;
      this.onAction(hit.id);
    }
    return true;
  }

  /**
   * Where a button's middle is in the world (tests aim a controller at it).
   * @param {string} id
   * @returns {number[] | null}
   */
  buttonPoint(id) {
    const b = this.buttons.find((x) => x.id === id);
    if (!b) return null;
    const c = this.board.canvas;
    const local = new Vector3(((b.x + b.w / 2) / c.width - 0.5) * W_M, (0.5 - (b.y + b.h / 2) / c.height) * H_M, 0);
    this.board.mesh.updateMatrixWorld(true);
    return local.applyMatrix4(this.board.mesh.matrixWorld).toArray();
  }

  /** @param {import('three').Camera} camera */
  _place(camera) {
    camera.getWorldPosition(_head);
    camera.getWorldDirection(_fwd);
    _fwd.y = 0;
    if (_fwd.lengthSq() < 1e-6) _fwd.set(0, 0, -1);
    _fwd.normalize();
    // Ahead and a little to the left, below the eyes: the view of the stage stays free.
    const left = new Vector3(_fwd.z, 0, -_fwd.x);
    const m = this.board.mesh;
    m.position.copy(_head).addScaledVector(_fwd, 1.1).addScaledVector(left, 0.45);
    m.position.y = _head.y - 0.3;
    m.lookAt(_head.x, m.position.y, _head.z);
    m.updateMatrixWorld(true);
  }

  /** @param {VrView} view */
  _paint(view) {
    const W = this.board.canvas.width;
    const H = this.board.canvas.height;
    /** @type {{id: string, label: string, w: number, primary?: boolean}[]} */
    const specs = view.actions.map((a) => ({ ...a, w: a.id === 'prev' || a.id === 'next' ? 230 : 460 }));
    this.buttons = layoutButtons(specs, { x0: 40, y0: 150, width: W - 80, h: 92, gap: 20 });
    const qTop = (this.buttons.length ? Math.max(...this.buttons.map((b) => b.y + b.h)) : 150) + 30;
    let y = qTop;
    for (const q of view.questions.slice(0, 3)) {
      if (y > H - 110) break;
      if (q.canVote) this.buttons.push({ id: `vote:${q.id}`, label: `▲ ${q.votes}`, x: 40, y, w: 150, h: 72 });
      y += 92;
    }
    this.board.paint((g) => {
      g.fillStyle = 'rgba(250, 252, 255, 0.96)';
      g.beginPath();
      g.roundRect(0, 0, W, H, 32);
      g.fill();
      g.fillStyle = '#e53935';
      g.fillRect(0, 0, W, 12);
      textBlock(g, view.title, { x: 40, y: 30, width: W - 80, size: 44, weight: 700, colour: '#13212e', maxLines: 1 });
      textBlock(g, view.status, { x: 40, y: 90, width: W - 80, size: 32, colour: '#41505e', maxLines: 1 });
      for (const b of this.buttons) {
        g.fillStyle = b.primary ? '#0b6e99' : '#e6eef4';
        g.beginPath();
        g.roundRect(b.x, b.y, b.w, b.h, b.h / 2);
        g.fill();
        g.fillStyle = b.primary ? '#ffffff' : '#13212e';
        g.font = font(36, 700);
        g.textAlign = 'center';
        g.textBaseline = 'middle';
        g.fillText(b.label, b.x + b.w / 2, b.y + b.h / 2 + 2, b.w - 20);
        g.textAlign = 'left';
      }
      let qy = qTop;
      for (const q of view.questions.slice(0, 3)) {
        if (qy > H - 110) break;
        if (!q.canVote) {
          g.font = font(34, 700);
          g.fillStyle = '#0b6e99';
          g.textBaseline = 'middle';
          g.fillText(`▲ ${q.votes}`, 52, qy + 36);
        }
        textBlock(g, cleanText(q.text, 300), { x: 210, y: qy + 4, width: W - 250, size: 30, colour: '#13212e', maxLines: 2 });
        qy += 92;
      }
      g.font = font(26, 400);
      g.fillStyle = '#41505e';
      g.textBaseline = 'alphabetic';
      g.fillText(this.i18n.t('forum.vr.hint'), 40, H - 28);
    });
  }
}

export { ForumVrPanel };
