/**
 * The other visitors: who is near, where they were, and where to draw them.
 *
 * Pose frames feed one interpolation buffer per avatar id (net/interp.js);
 * each rendered frame samples every buffer at the same past server time and
 * writes the four part matrices into the shared batch and the name tag above
 * the head. Names come from the welcome's roster and from `who` answers;
 * ids seen before their name are drawn with a default model and asked for
 * in batches (net/who.js). A KEYFRAME drops every avatar it does not list;
 * a DELTA's gone list removes avatars that left the view.
 *
 * Desktop avatars are posed from head position, yaw and pitch (the body
 * below the head, hands from the walk or idle animation); VR avatars from
 * the tracked head and hands (avatars/README.md). Either kind walks, turns
 * its body after its head and plays emotes (avatars/animate.js), all as
 * per-part matrices in the one batch: no draw call more.
 */

import { Euler, Matrix4, Quaternion, Vector3 } from 'three';
import { InterpBuffer, SampleState, Slot } from '../net/interp.js';
import { Motion, poseParts, startEmote, stepMotion } from './animate.js';

const AWAY = 0x04;
const EYE = 1.6;
const TAG_ABOVE = 0.42;
const FADED = 0.35;
const UP = new Vector3(0, 1, 0);

// Frame-loop scratch: no allocation per avatar per frame.
const _m = new Matrix4();
const _q = new Quaternion();
const _yawQ = new Quaternion();
const _p = new Vector3();
const _one = new Vector3(1, 1, 1);
const _sample = new Float64Array(Slot.SIZE);
const _parts = new Float64Array(15);
const _e = new Euler(0, 0, 0, 'YXZ');
const _body = new Vector3();
const _bodyQ = new Quaternion();
const _handQ = new Quaternion();
const _tracked = new Vector3();

class RemoteAvatar {
  constructor(id) {
    this.id = id;
    this.buffer = new InterpBuffer();
    this.name = '';
    this.model = '';
    this.kind = '';
    /** @type {string | null} staff, speaker (docs/protocol.md), or none */
    this.badge = null;
    this.named = false;
    this.parts = null; // batch instance ids
    this.tag = -1;
    this.fade = 1;
    this.state = SampleState.EMPTY;
    this.motion = new Motion();
    // Last rendered pose (world): head position + quaternion, hands, yaw, flags.
    this.pose = new Float64Array(Slot.SIZE);
  }
}

class RemoteAvatars {
  /**
   * @param {object} deps
   * @param {import('./batch.js').AvatarBatch} deps.batch
   * @param {import('./nametags.js').NameTags} deps.tags
   * @param {import('../net/who.js').WhoBatcher} deps.who
   * @param {(badge: string) => string} [deps.badgeLabel] the words on a badge, in the page's language
   */
  constructor({ batch, tags, who, badgeLabel = (badge) => badge }) {
    this.batch = batch;
    this.tags = tags;
    this.who = who;
    this.badgeLabel = badgeLabel;
    this.byId = new Map();
    this.list = []; // same avatars as byId, for allocation-free iteration
    this.names = new Map(); // id -> {name, avatar, kind}: survives leaving and re-entering view
    this.selfId = -1;
    this.seen = new Set();
    /** Server time (ms) of the last update, for the animation's time step. */
    this.lastT = NaN;
  }

  /**
   * Another visitor made a gesture (a server `emote` message); ignored for ids not drawn.
   * @param {number} id
   * @param {string} emote
   * @returns {boolean} whether it is shown
   */
  emote(id, emote) {
    const a = this.byId.get(id);
    return a ? startEmote(a.motion, emote) : false;
  }

  /** Repaint every tag's badge (the page's language changed). */
  relabel() {
    for (const a of this.list) {
      if (a.tag >= 0 && a.badge) this.tags.setName(a.tag, a.name, { kind: a.badge, label: this.badgeLabel(a.badge) });
    }
  }

  /** Forget everyone (a new connection to a possibly restarted server). */
  reset(selfId) {
    for (const a of this.list) this._release(a);
    this.byId.clear();
    this.list.length = 0;
    this.names.clear();
    this.who.reset();
    this.selfId = selfId;
  }

  /** A roster: entries [{id, name, avatar, kind}] joining, ids leaving the room. */
  onRoster(join = [], leave = []) {
    for (const e of join) {
      if (e.id === this.selfId) continue;
      const badge = e.badge === 'staff' || e.badge === 'speaker' ? e.badge : null;
      this.names.set(e.id, { name: String(e.name ?? ''), avatar: String(e.avatar ?? ''), kind: e.kind, badge });
      this.who.resolved(e.id);
      const a = this.byId.get(e.id);
      if (a) this._name(a);
    }
    for (const id of leave) {
      this.names.delete(id);
      this.who.resolved(id);
      this.remove(id);
    }
  }

  /** A decoded DELTA or KEYFRAME (codec.js) at server time `t`. */
  onPoseFrame(frame, now) {
    const keyframe = frame.type === 'KEYFRAME';
    if (keyframe) this.seen.clear();
    for (const rec of frame.desktop) {
      const a = this._ensure(rec.id, now);
      if (!a) continue;
      a.buffer.pushDesktop(frame.time_ms, rec);
      if (keyframe) this.seen.add(rec.id);
    }
    for (const rec of frame.vr) {
      const a = this._ensure(rec.id, now);
      if (!a) continue;
      a.buffer.pushVr(frame.time_ms, rec);
      if (keyframe) this.seen.add(rec.id);
    }
    for (const id of frame.gone) this.remove(id);
    if (keyframe) {
      for (let i = this.list.length - 1; i >= 0; i--) {
        if (!this.seen.has(this.list[i].id)) this.remove(this.list[i].id);
      }
    }
  }

  _ensure(id, now) {
    if (id === this.selfId) return null;
    let a = this.byId.get(id);
    if (a) return a;
    a = new RemoteAvatar(id);
    this.byId.set(id, a);
    this.list.push(a);
    this._name(a);
    if (!a.named) this.who.want(id, now);
    return a;
  }

  _name(a) {
    const info = this.names.get(a.id);
    const name = info?.name ?? '';
    const model = info?.avatar || this.batch.defaultModel;
    if (!a.parts) {
      a.parts = this.batch.add(model);
      a.model = model;
      a.fade = 1;
    } else if (model !== a.model) {
      this.batch.setModel(a.parts, model);
      a.model = model;
    }
    const badge = info?.badge ?? null;
    if (info && (!a.named || name !== a.name || badge !== a.badge)) {
      a.name = name;
      a.kind = info.kind ?? '';
      a.badge = badge;
      a.named = true;
      const pill = badge ? { kind: badge, label: this.badgeLabel(badge) } : null;
      if (a.tag < 0) a.tag = this.tags.add(name, pill);
      else this.tags.setName(a.tag, name, pill);
    }
  }

  remove(id) {
    const a = this.byId.get(id);
    if (!a) return;
    this._release(a);
    this.byId.delete(id);
    const i = this.list.indexOf(a);
    const last = this.list.pop();
    if (last !== a) this.list[i] = last;
  }

  _release(a) {
    if (a.parts) this.batch.remove(a.parts);
    if (a.tag >= 0) this.tags.remove(a.tag);
    a.parts = null;
    a.tag = -1;
  }

  /** Pose every avatar at server time `t` (ms). Allocation-free. */
  update(t) {
    const dt = Number.isFinite(this.lastT) ? Math.min(0.1, Math.max(0, (t - this.lastT) / 1000)) : 0;
    this.lastT = t;
    for (let i = 0; i < this.list.length; i++) {
      const a = this.list[i];
      const s = _sample;
      a.state = a.buffer.sample(t, s);
      if (a.state === SampleState.EMPTY || !a.parts) {
        if (a.parts) this.batch.setVisible(a.parts, false);
        continue;
      }
      this.batch.setVisible(a.parts, true);
      a.pose.set(s);
      const x = s[Slot.X];
      const y = s[Slot.Y];
      const z = s[Slot.Z];
      // Head: the tracked (or yaw/pitch) orientation at the eyes.
      _q.set(s[Slot.HQ], s[Slot.HQ + 1], s[Slot.HQ + 2], s[Slot.HQ + 3]);
      _m.compose(_p.set(x, y, z), _q, _one);
      this.batch.setMatrix(a.parts, 0, _m);
      // Body: under the head, turned after it, bobbing and swaying as it walks.
      const m = a.motion;
      stepMotion(m, x, z, s[Slot.YAW], dt);
      const p = poseParts(m, _parts);
      _yawQ.setFromAxisAngle(UP, m.bodyYaw);
      _body.set(x, y - EYE + p[0], z);
      _bodyQ.setFromEuler(_e.set(p[2], m.bodyYaw, p[1]));
      _m.compose(_body, _bodyQ, _one);
      this.batch.setMatrix(a.parts, 1, _m);
      // Hands: tracked in VR (an emote takes them over while it plays), else animated.
      // Where they are drawn is recorded in the pose for the test hook.
      const vr = s[Slot.VR] === 1;
      for (let hand = 0; hand < 2; hand++) {
        const o = hand ? 8 : 3;
        const slot = hand ? Slot.RP : Slot.LP;
        const qslot = hand ? Slot.RQ : Slot.LQ;
        _p.set(p[o], p[o + 1], p[o + 2]).applyQuaternion(_yawQ);
        _p.x += x; _p.y += y - EYE; _p.z += z;
        _handQ.setFromEuler(_e.set(p[o + 4], m.bodyYaw, p[o + 3]));
        if (vr) {
          _tracked.set(s[slot], s[slot + 1], s[slot + 2]);
          _q.set(s[qslot], s[qslot + 1], s[qslot + 2], s[qslot + 3]);
          _p.lerpVectors(_tracked, _p, p[13]);
          _handQ.slerpQuaternions(_q, _handQ, p[13]);
        }
        a.pose[slot] = _p.x; a.pose[slot + 1] = _p.y; a.pose[slot + 2] = _p.z;
        _handQ.toArray(a.pose, qslot);
        _m.compose(_p, _handQ, _one);
        this.batch.setMatrix(a.parts, 2 + hand, _m);
      }
      const away = (a.buffer.latestFlags & AWAY) !== 0;
      const fade = away ? FADED : 1;
      if (fade !== a.fade) {
        this.batch.setFade(a.parts, fade);
        a.fade = fade;
      }
      this.tags.place(a.tag, x, y + TAG_ABOVE, z, away ? 0.5 : 1);
    }
  }
}

export { RemoteAvatar, RemoteAvatars };
