/**
 * Proximity voice in the client (issue 11): talk to the people near you and
 * hear them from where they stand.
 *
 *   V key / Hold-to-talk / left grip in VR / open mic ─► TalkState (ptt.js)
 *        └─► VoiceMic (talking.js): mic ─► Opus ─► silence gate ─► VOICE frames ─► socket
 *   pose frames' VOICE records ─► VoiceHearing (hearing.js): per speaker jitter buffer,
 *        decoder, HRTF panner at their mouth, their volume/mute ─► speakers
 *   every frame: the ears follow the camera (the headset in VR), rings on speaking heads,
 *        the place (booth talk zone, live forum hall) and the always-visible mic indicator
 *
 * The server decides who hears whom (voice radius, nearest speakers, zones);
 * the client shows it and keeps per-person choices (mute, volume, block) to
 * itself. The microphone is off until the visitor asks, and is released a
 * few seconds after they stop talking (ptt.js).
 */

import { Quaternion, Vector3 } from 'three';
import { CaptureError } from '../media/capture.js';
import { MediaStream } from '../net/codec.js';
import { Slot } from '../net/interp.js';
import { VoiceBar } from './bar.js';
import { VoiceHearing } from './hearing.js';
import { PeoplePanel } from './people.js';
import { TalkState } from './ptt.js';
import { SpeakingRings } from './rings.js';
import { VoiceMic } from './talking.js';
import { placeAt } from './zones.js';

/** The push-to-talk key (by position: the same key on every layout). */
const TALK_KEY = 'KeyV';
/** The xr-standard gamepad button that talks in VR: the left controller's grip (squeeze). */
const VR_TALK_BUTTON = 1;
const PLACE_CHECK_MS = 250;
const PEOPLE_PAINT_MS = 300;

const _p = new Vector3();
const _q = new Quaternion();
const _pos = [0, 0, 0];
const _quat = [0, 0, 0, 1];

/**
 * @param {EventTarget | null} target
 * @returns {boolean} whether a key went into a text field (it is typing, not talking)
 */
function typing(target) {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable;
}

/**
 * @typedef {object} VoiceDeps
 * @property {import('../app/state.js').AppState} app
 * @property {import('../i18n/i18n.js').I18n} i18n
 * @property {import('three').Camera} camera the listener's head (posed from the headset in VR)
 * @property {import('three').Scene} scene
 * @property {HTMLElement} dock where the voice bar goes (the HUD's bottom dock, first in it)
 * @property {import('../media/stageaudio.js').StageAudio} stage the page's audio (its context, its unlock)
 * @property {() => [number, number, number, number][]} liveForums audience areas of forum halls
 *   live now, (x0, x1, z0, z1)
 * @property {(stream: number, chunks: import('../media/batcher.js').Chunk[]) => boolean} sendAudio
 * @property {any} [scope] the page's globals
 */

class Voice {
  /** @param {VoiceDeps} deps */
  constructor({ app, i18n, camera, scene, dock, stage, liveForums, sendAudio, scope = globalThis }) {
    this.app = app;
    this.i18n = i18n;
    this.camera = camera;
    this.stage = stage;
    this.liveForums = liveForums;
    this.radius = 12;
    this.talk = new TalkState();
    this.hearing = new VoiceHearing({ context: () => stage.context(), head: (id) => this._head(id) });
    this.mic = new VoiceMic({
      send: (chunks) => sendAudio(MediaStream.VOICE, chunks),
      sending: () => this.talk.sending,
      onProblem: (key, reason) => this._problem(key, reason),
      scope,
    });
    /** @type {{key: string, reason: string} | null} why the microphone does not work */
    this.problem = null;
    this.starting = false;
    /** @type {import('./zones.js').Place} */
    this.place = { kind: 'open', key: null, zone: -1 };
    this.lastPlaceCheck = -Infinity;
    /** staff's quiet places (the server's `voice.places`) */
    /** @type {{hall: boolean, zones: [number, number, number, number][]}} */
    this.quiet = { hall: false, zones: [] };
    this.lastPeoplePaint = -Infinity;
    this.joined = false;
    this.rings = new SpeakingRings();
    scene.add(this.rings.group);
    this.bar = new VoiceBar({
      i18n, parent: dock,
      hooks: {
        setOpen: (on) => this.setOpen(on),
        hold: (down) => (down ? this.press('button') : this.release('button')),
        people: () => this.setPeopleOpen(!this.people.isOpen),
      },
    });
    this.people = new PeoplePanel({
      i18n,
      hooks: {
        mute: (id, on) => this.hearing.setMuted(id, on),
        volume: (id, v) => this.hearing.setVolume(id, v),
        block: (id, on) => this.hearing.setBlocked(id, on),
        close: () => this.setPeopleOpen(false),
      },
    });
    window.addEventListener('keydown', (ev) => {
      if (ev.code !== TALK_KEY || ev.repeat || typing(ev.target) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
      if (!this.joined) return;
      this.press('key');
    });
    window.addEventListener('keyup', (ev) => {
      if (ev.code === TALK_KEY) this.release('key');
    });
    window.addEventListener('blur', () => this.talk.releaseAll(performance.now()));
    // Sound needs a click in most browsers: any click on the page wakes it if voices wait.
    window.addEventListener('pointerdown', () => {
      if (this.hearing.silenced && this.stage.state !== 'running') this.stage.unlock();
    });
  }

  // --- the socket ----------------------------------------------------------------------------

  /** @param {any} msg the welcome (every (re)connection) */
  onWelcome(msg) {
    this.joined = true;
    this.radius = Number(msg.limits?.voice_radius ?? this.radius);
    this.hearing.setRadius(this.radius);
    if (!msg.resumed) this.hearing.close(); // a fresh id space: yesterday's speakers are gone
    this.quiet = { hall: false, zones: [] }; // the server says again if any place is quiet
  }

  /** @param {any} msg a control message */
  onMessage(msg) {
    if (msg?.type === 'error' && this.talk.noteRefusal(String(msg.code), performance.now())) this._paint();
    if (msg?.type === 'voice.places') {
      this.quiet.hall = Boolean(msg.quiet_hall);
      this.quiet.zones = Object.values(msg.quiet_zones ?? {}).filter((r) => Array.isArray(r) && r.length === 4);
      this.lastPlaceCheck = -Infinity; // show it at the next frame
    }
  }

  /** @param {{id: number, stream: number, seq: number, data: Uint8Array}[]} records a frame's media */
  onMedia(records) {
    for (const r of records) if (r.stream === MediaStream.VOICE) this.hearing.onChunk(r.id, r.seq, r.data);
  }

  /** The visitor left the hall: the microphone is released, voices forgotten. */
  leave() {
    this.joined = false;
    this.talk.setOpen(false, -Infinity);
    this.talk.releaseAll(-Infinity);
    this.mic.stop();
    this.hearing.close();
    this.setPeopleOpen(false);
    this._paint();
  }

  // --- what the visitor does -----------------------------------------------------------------

  /** @param {string} source a talk control went down */
  press(source) {
    this.problem = null;
    this.talk.press(source);
    this._syncMic(performance.now());
    this._paint();
  }

  /** @param {string} source a talk control came up */
  release(source) {
    this.talk.release(source, performance.now());
    this.mic.refreshSending();
    this._paint();
  }

  /** @param {boolean} on the open-mic toggle */
  setOpen(on) {
    if (on) this.problem = null;
    this.talk.setOpen(on, performance.now());
    this._syncMic(performance.now());
    this._paint();
  }

  /** @param {boolean} open */
  setPeopleOpen(open) {
    this.people.setOpen(open);
    this.bar.setPeopleOpen(open);
    if (open) this._paintPeople(performance.now(), true);
  }

  /** @param {number} id whether this visitor blocked `id` (their chat is hidden too) */
  isBlocked(id) {
    return this.hearing.blocked.has(id);
  }

  /**
   * Once per frame.
   * @param {number} now
   * @param {boolean} presenting in VR
   */
  update(now, presenting) {
    if (presenting) {
      const pad = this.app.xr?.hands?.left?.source?.gamepad;
      const held = Boolean(pad?.buttons?.[VR_TALK_BUTTON]?.pressed);
      if (held && !this.talk.held.has('vr')) this.press('vr');
      else if (!held && this.talk.held.has('vr')) this.release('vr');
    } else if (this.talk.held.has('vr')) {
      this.release('vr');
    }
    this.camera.updateMatrixWorld();
    this.camera.getWorldPosition(_p);
    this.camera.getWorldQuaternion(_q);
    _pos[0] = _p.x; _pos[1] = _p.y; _pos[2] = _p.z;
    _quat[0] = _q.x; _quat[1] = _q.y; _quat[2] = _q.z; _quat[3] = _q.w;
    this.hearing.follow(_pos, _quat);
    this.rings.update(this._speaking(now), now);
    if (now - this.lastPlaceCheck >= PLACE_CHECK_MS) {
      this.lastPlaceCheck = now;
      const feet = this.app.player.feet;
      this.place = placeAt(feet[0], feet[2], {
        booths: this._boothZones(), liveForums: this.liveForums(), quiet: this.quiet.zones, quietHall: this.quiet.hall,
      });
      const onStage = this.stage.speaking;
      this.talk.setOffHere(this.place.kind === 'off' || onStage ? (this.place.key ?? 'voice.zone.forum') : null);
    }
    this._syncMic(now);
    this._paint();
    this._paintPeople(now, false);
  }

  /** What the tests and the curious read (window.__expo.voice). */
  view() {
    const now = performance.now();
    return {
      indicator: this.talk.indicator(now), open: this.talk.open, held: [...this.talk.held],
      sending: this.talk.sending, blockedBy: this.talk.blockedBy(now), place: this.place,
      problem: this.problem, radius: this.radius, mic: this.mic.stats, hearing: this.hearing.stats,
      level: this.hearing.outputLevel(), rings: [...this.rings.shown], message: this.bar.view.message,
      people: this.people.isOpen ? [...this.people.rows.keys()] : null,
    };
  }

  // --- internals ------------------------------------------------------------------------------

  /** Capture the microphone when talking is wanted, release it when not. @param {number} now */
  _syncMic(now) {
    const want = this.talk.wantsMic(now) && !this.problem && this.joined;
    if (want && !this.mic.open && !this.starting) this._startMic();
    else if (!want && this.mic.open) this.mic.stop();
    this.talk.captured = this.mic.open && !this.starting;
    this.mic.refreshSending();
  }

  async _startMic() {
    this.starting = true;
    this.talk.asking = true;
    this._paint();
    try {
      await this.mic.start();
    } catch (err) {
      if (err instanceof CaptureError) this._problem(err.key, err.message);
      else this._problem('media.micFailed', err instanceof Error ? err.message : String(err));
    } finally {
      this.starting = false;
      this.talk.asking = false;
      this.talk.captured = this.mic.open;
      this._paint();
    }
  }

  /**
   * @param {string} key
   * @param {string} [reason]
   */
  _problem(key, reason = '') {
    this.problem = { key, reason };
    this.talk.setOpen(false, -Infinity);
    this.talk.releaseAll(-Infinity);
    this.mic.stop();
    this._paint();
  }

  _paint() {
    const now = performance.now();
    const talk = this.talk;
    /** @type {string | null} */
    let message = null;
    if (this.problem) message = this.problem.key;
    else if (talk.asking) message = 'voice.asking';
    else if (talk.talking && talk.blockedBy(now)) message = talk.blockedBy(now);
    else if (this.hearing.silenced && this.stage.state !== 'running') message = 'voice.needClick';
    else if (this.place.key) message = this.place.key;
    this.bar.show({
      indicator: talk.indicator(now), open: talk.open, message, vars: { metres: Math.round(this.radius) },
      reason: this.problem?.reason ?? null,
    });
  }

  /**
   * @param {number} now
   * @param {boolean} force
   */
  _paintPeople(now, force) {
    if (!this.people.isOpen || (!force && now - this.lastPeoplePaint < PEOPLE_PAINT_MS)) return;
    this.lastPeoplePaint = now;
    const remote = this.app.remote;
    const h = this.hearing;
    /** @type {import('./people.js').Person[]} */
    const people = [];
    for (const a of remote?.list ?? []) {
      const d = Math.hypot(a.pose[Slot.X] - _pos[0], a.pose[Slot.Z] - _pos[2]);
      if (d > this.radius) continue;
      people.push({
        id: a.id, name: a.name, distance: d, speaking: h.speaking(a.id, now), muted: h.muted.has(a.id),
        blocked: h.blocked.has(a.id), volume: h.volumeOf(a.id),
      });
    }
    people.sort((a, b) => a.distance - b.distance);
    this.people.show(people);
  }

  /** @param {number} now @returns {{id: number, head: ArrayLike<number>, muted: boolean}[]} */
  _speaking(now) {
    const out = [];
    for (const id of this.hearing.voices.keys()) {
      if (!this.hearing.speaking(id, now)) continue;
      const head = this._head(id);
      if (head) out.push({ id, head, muted: this.hearing.muted.has(id) });
    }
    return out;
  }

  /** @param {number} id @returns {number[] | null} */
  _head(id) {
    const a = this.app.remote?.byId.get(id);
    return a ? [a.pose[Slot.X], a.pose[Slot.Y], a.pose[Slot.Z]] : null;
  }

  /** @returns {[number, number, number, number][]} */
  _boothZones() {
    const room = /** @type {any} */ (this.app.rooms?.find((r) => r.id === this.app.hallId));
    return room?.voice_zones ?? [];
  }
}

export { Voice };
