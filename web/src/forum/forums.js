/**
 * The forums in the client: one object that owns the forum state (store.js)
 * and wires it to the socket, the 2D panels, the 3D hall and stage audio.
 *
 *   socket ─ forum.* ─► store ─► panels (agenda, live, moderator tools, replay, notice)
 *                         └────► hall: slide screen, questions board, agenda board,
 *                                stage badges, the VR panel
 *   media chunks ─► StageAudio (jitter buffer, decoder, Web Audio) ─► the speakers
 *   visitor on stage, mic on ─► StageAudio microphone ─► AUDIO frames ─► socket
 *
 * Before the visitor joins, it fetches the agenda and the join token
 * (net/hallpass.js); the visit passes the welcome and every message on; the frame
 * loop calls `update` (badges, the audio listener, the VR panel, arriving in a
 * forum hall). Roles come from `/api/forums/sessions/<id>/roles` for visitors
 * who joined signed in (staff, moderators, speakers); everyone else is audience.
 */

import { Group, Quaternion, Vector3 } from 'three';
import { AgendaPanel } from './agendapanel.js';
import { Arrival } from './arrival.js';
import { ForumActions } from './actions.js';
import { byStart, when } from './agenda.js';
import { StageBadges } from './badges.js';
import { AgendaBoard } from './board.js';
import { LivePanel } from './livepanel.js';
import { LivePill } from './livepill.js';
import { StartNotice } from './notice.js';
import { audienceSpot, entrancePlane, inside, questionsPlane, screenPlane, soundSource, stageSpot } from './place.js';
import { QuestionsBoard } from './qaboard.js';
import { ReplayPanel } from './replay.js';
import { SlideScreen } from './screen.js';
import { SlideOverlay } from './slideoverlay.js';
import { ForumStore } from './store.js';
import { ForumVrPanel } from './vrpanel.js';
import { fetchJson } from '../app/api.js';
import { CaptureError } from '../media/capture.js';
import { StageAudio, Stream } from '../media/stageaudio.js';
import { Slot } from '../net/interp.js';

const AGENDA_RETRY_MS = 30000;
const PLACE_CHECK_MS = 250;
/** How long a microphone opened for a step on stage waits for the server's state. */
const MIC_PENDING_MS = 5000;

const _p = new Vector3();
const _f = new Vector3();
const _u = new Vector3();
const _q = new Quaternion();
const _pos = [0, 0, 0];
const _fwd = [0, 0, 0];
const _up = [0, 0, 0];

/**
 * @typedef {object} HallPieces one forum hall of the visitor's room, in 3D
 * @property {import('./agenda.js').ForumHallInfo} hall
 * @property {SlideScreen} screen
 * @property {QuestionsBoard} questions
 * @property {AgendaBoard} board
 */

class Forums {
  /**
   * @param {object} deps
   * @param {import('../app/state.js').AppState} deps.app
   * @param {import('../i18n/i18n.js').I18n} deps.i18n
   * @param {import('../app/travel.js').Travel} deps.travel
   * @param {import('three').Scene} deps.scene
   * @param {import('three').Camera} deps.camera
   * @param {URLSearchParams} deps.params the page's query: `forum` (a session to go to)
   * @param {import('../net/hallpass.js').HallPasses} deps.passes the page's hall pass (the join's token)
   * @param {HTMLElement} deps.toggle the toolbar's Forums button
   * @param {(stream: number, chunks: import('../media/batcher.js').Chunk[]) => boolean} deps.sendAudio
   *   one AUDIO frame to the server (false: not sent)
   */
  constructor({ app, i18n, travel, scene, camera, params, passes, toggle, sendAudio }) {
    this.app = app;
    this.i18n = i18n;
    this.travel = travel;
    this.camera = camera;
    this.passes = passes;
    // Stage audio leaves only while the server has this visitor on stage with the mic on: the
    // microphone opens first (so a refusal is said at once), and what it says before the
    // stage state arrives would only be refused (`not_on_stage`).
    /** @type {(stream: number, chunks: import('../media/batcher.js').Chunk[]) => boolean} */
    this.sendAudio = (stream, chunks) => this._mayTalk(stream) && sendAudio(stream, chunks);
    /** @type {string | null} the session the visitor is attending (the live panel's) */
    this.focus = params.get('forum');
    this.arrival = new Arrival(this.focus, {
      known: (sid) => Boolean(this.store.hallOf(sid)),
      go: (sid) => this.attend(sid),
    });
    this.store = new ForumStore();
    /** @type {import('../net/hallpass.js').HallPass | null} */
    this.token = null;
    const took = (/** @type {import('../net/hallpass.js').HallPass | null} */ t) => {
      if (t && t.token === this.token?.token) return; // the same pass, heard twice
      this.token = t;
      // The agenda may have come first: its roles wait for the token.
      if (this.store.agenda) this.fetchRoles();
    };
    passes.onPass(took);
    passes.current().then(took);
    this.agendaFailed = false;
    /** @type {string | null} why audio or the microphone does not work (a sentence) */
    this.problem = null;
    /** @type {'asking' | null} */
    this.micState = null;
    /** @type {{session: string, until: number} | null} a mic opened for the stage, awaiting the state */
    this.micPending = null;
    /** whether the open microphone is the stage's (this module opened it, and closes it) */
    this.micForStage = false;
    this.actions = new ForumActions({
      store: this.store,
      send: (msg) => Boolean(app.connection?.joined && app.connection.sendJson(msg)),
      hasToken: () => Boolean(this.token),
    });
    this.audio = new StageAudio({
      sendAudio: (stream, chunks) => this.sendAudio(stream, chunks),
      selfId: () => this.myId(),
      speakerHead: (id) => this._head(id),
      onProblem: (key, reason) => this._setProblem(key, reason),
      onChange: () => this._render(),
    });
    this.group = new Group();
    this.group.name = 'forums';
    scene.add(this.group);
    this.badges = new StageBadges({ i18n });
    this.group.add(this.badges.group);
    this.vr = new ForumVrPanel({ i18n, parent: scene, onAction: (id) => this._vrAction(id) });
    /** @type {HallPieces[]} */
    this.halls = [];
    /** @type {Set<string>} forum halls the visitor stands in */
    this.inHall = new Set();
    this.lastPlaceCheck = 0;

    this.agendaPanel = new AgendaPanel({
      i18n, store: this.store, toggle, failed: () => this.agendaFailed,
      onGo: (sid) => this.goTo(sid), onLive: (sid) => this.attend(sid),
      // The replay takes the agenda's place, as going to a session does.
      onReplay: (sid) => { this.agendaPanel.close(); this.replay.open(sid); },
    });
    this.live = new LivePanel({
      i18n, store: this.store, actions: this.actions, audio: this.audio,
      hooks: {
        session: () => this.session(),
        myId: () => this.myId(),
        step: () => this.step(),
        answer: (yes) => this.answer(yes),
        setMic: (on) => this.setMic(on),
        joinAudio: () => { this.unlockAudio(); },
        enlarge: () => this.overlay.open(this._slide()),
        problem: () => this.problem,
        micState: () => this.micState,
      },
    });
    this.replay = new ReplayPanel({ i18n, store: this.store });
    this.overlay = new SlideOverlay({ i18n });
    this.notice = new StartNotice({ i18n, store: this.store, onGo: (sid) => this.goTo(sid), isHere: (sid) => this._isHere(sid) });
    this.pill = new LivePill({ onOpen: () => this.live.open() });

    this.store.onChange((what) => {
      if (what === 'agenda-stale') this.loadAgenda();
      if (what === 'agenda') this.fetchRoles();
      if (what === 'roles') this._syncModerated();
      this._render();
    });
    i18n.onChange(() => this._render(true));
    window.addEventListener('keydown', (ev) => this._key(ev));
    setInterval(() => this._paintBoards(), 60000);
  }

  // --- life ---------------------------------------------------------------------------------

  /** Fetch the agenda (again); retried later if the server does not answer. */
  async loadAgenda() {
    try {
      this.store.setAgenda(await fetchJson('/api/forums'));
      this.agendaFailed = false;
    } catch {
      this.agendaFailed = true;
      this._render();
      setTimeout(() => this.loadAgenda(), AGENDA_RETRY_MS);
      return;
    }
    this.arrival.agendaChanged();
  }

  /** The visitor's roles in every session, for visitors signed in as an account or a speaker. */
  async fetchRoles() {
    const token = this.token;
    const sessions = this.store.agenda?.sessions ?? [];
    if (!token || token.kind === 'guest') return;
    await Promise.all(sessions.map(async (s) => {
      try {
        const res = await fetch(`/api/forums/sessions/${encodeURIComponent(s.id)}/roles`, {
          headers: { Authorization: `Bearer ${token.token}`, Accept: 'application/json' },
        });
        if (res.ok) this.store.setRoles(s.id, (await res.json()).roles ?? []);
      } catch {
        // Audience it is, until the next agenda.
      }
    }));
  }

  /** The hall is loaded (and the agenda known): build the forum halls of this room in 3D. */
  async hallReady() {
    if (!this.store.agenda) await this.loadAgenda();
    const agenda = this.store.agenda;
    if (!agenda || this.halls.length) return;
    for (const hall of agenda.forum_halls.filter((f) => f.hall === this.app.hallId)) {
      const screenAt = screenPlane(hall);
      this.halls.push({
        hall,
        screen: new SlideScreen({ hallRoot: this.app.hall?.root ?? null, forumId: hall.id, plane: screenAt, parent: this.group }),
        questions: new QuestionsBoard({ plane: questionsPlane(screenAt), parent: this.group, i18n: this.i18n }),
        board: new AgendaBoard({ plane: entrancePlane(hall), parent: this.group, i18n: this.i18n }),
      });
    }
    this._render(true);
  }

  /**
   * The socket's welcome (every (re)connection).
   * @param {any} msg
   */
  onWelcome(msg) {
    this.arrival.welcome(Boolean(msg.resumed));
    this.notice.start();
    this._syncModerated();
  }

  /**
   * A control message; true if it was the forums'.
   * @param {any} msg
   */
  onMessage(msg) {
    if (msg?.type === 'error' && msg.code === 'bad_token') this.passes.refused();
    return this.store.apply(msg);
  }

  /**
   * The media records of a pose frame (the speakers this visitor hears).
   * @param {{id: number, stream: number, seq: number, data: Uint8Array}[]} records
   */
  onMedia(records) {
    for (const r of records) this.audio.onMediaChunk(r.id, r.stream, r.seq, r.data);
  }

  /** The visitor left the hall. */
  leave() {
    this.audio.stopMic();
    this.notice.stop();
    this.live.close();
    this.agendaPanel.close();
  }

  /** Wake the audio (inside a click: the lobby's Enter, "Join audio", entering VR). */
  unlockAudio() {
    return this.audio.unlock();
  }

  /**
   * Once per frame.
   * @param {number} now
   * @param {boolean} presenting in VR
   */
  update(now, presenting) {
    this.badges.update(this.app.remote, this.camera);
    this.audio.setVr(presenting);
    if (this.audio.state === 'running') {
      this.camera.updateMatrixWorld();
      this.camera.getWorldPosition(_p);
      this.camera.getWorldDirection(_f);
      _u.set(0, 1, 0).applyQuaternion(this.camera.getWorldQuaternion(_q));
      _pos[0] = _p.x; _pos[1] = _p.y; _pos[2] = _p.z;
      _fwd[0] = _f.x; _fwd[1] = _f.y; _fwd[2] = _f.z;
      _up[0] = _u.x; _up[1] = _u.y; _up[2] = _u.z;
      this.audio.setListener(_pos, _fwd, _up);
    }
    if (now - this.lastPlaceCheck >= PLACE_CHECK_MS) {
      this.lastPlaceCheck = now;
      this._checkPlace(presenting);
    }
  }

  // --- what the visitor does ----------------------------------------------------------------

  /** The session the live panel shows: the attended one, a live one here, or one to run. */
  session() {
    const store = this.store;
    if (this.focus && store.session(this.focus)) return this.focus;
    const live = store.liveIn(this.app.hallId)[0];
    if (live) return live;
    const mine = byStart(store.agenda?.sessions ?? [])
      .find((s) => s.state === 'scheduled' && store.mayPresent(s.id) && this._inRoom(s.id));
    return mine?.id ?? null;
  }

  /** The visitor's avatar id. */
  myId() {
    return this.app.connection?.welcome?.id ?? -1;
  }

  /**
   * Go to a session's forum hall (in front of the seats, facing the stage).
   * @param {string} sid
   */
  goTo(sid) {
    const hall = this.store.hallOf(sid);
    if (!hall || hall.hall !== this.app.hallId) return;
    const spot = audienceSpot(hall, (Math.random() - 0.5) * 12);
    this.travel.teleportTo(spot.x, spot.z, spot.yaw);
    this.agendaPanel.close();
  }

  /**
   * Attend a session: go there and open its panel.
   * @param {string} sid
   */
  attend(sid) {
    this.focus = sid;
    this.goTo(sid);
    this.live.open({ focus: false });
    this.actions.sync(sid);
  }

  /** A speaker steps on stage: microphone first (so a refusal is said, not silent), then the stage. */
  async step() {
    const sid = this.session();
    const hall = sid ? this.store.hallOf(sid) : undefined;
    if (!sid || !hall) return;
    if (!(await this._openMic(sid))) return;
    this.actions.mic(sid, true);
    const n = this.store.live.get(sid)?.stage.length ?? 0;
    const spot = stageSpot(hall, n, n + 1);
    this.travel.teleportTo(spot.x, spot.z, spot.yaw);
  }

  /**
   * The visitor answers an invitation on stage.
   * @param {boolean} yes
   */
  async answer(yes) {
    const sid = this.session();
    if (!sid) return;
    if (!yes) {
      this.actions.accept(sid, false);
      return;
    }
    if (!(await this._openMic(sid))) return;
    this.actions.accept(sid, true);
    const hall = this.store.hallOf(sid);
    if (hall) {
      const n = this.store.live.get(sid)?.stage.length ?? 0;
      const spot = stageSpot(hall, n, n + 1);
      this.travel.teleportTo(spot.x, spot.z, spot.yaw);
    }
  }

  /**
   * The visitor's own microphone on stage.
   * @param {boolean} on
   */
  async setMic(on) {
    const sid = this.session();
    if (!sid) return;
    if (!on) {
      this.actions.mic(sid, false);
      this.audio.stopMic();
      return;
    }
    if (await this._openMic(sid)) this.actions.mic(sid, true);
  }

  // --- internals ------------------------------------------------------------------------------

  /**
   * Open the microphone for the stage; false (and the visitor told why) if it cannot.
   * @param {string} sid
   * @returns {Promise<boolean>}
   */
  async _openMic(sid) {
    this.micState = 'asking';
    this._setProblem(null);
    this._render();
    try {
      await this.audio.startMic(Stream.STAGE);
      this.micForStage = true;
      this.micPending = { session: sid, until: performance.now() + MIC_PENDING_MS };
      // If the server never puts the visitor on stage, the microphone closes again.
      setTimeout(() => this._render(), MIC_PENDING_MS + 50);
      return true;
    } catch (err) {
      if (err instanceof CaptureError) this._setProblem(err.key, err.message);
      else this._setProblem('media.micFailed', err instanceof Error ? err.message : String(err));
      return false;
    } finally {
      this.micState = null;
      this._render();
    }
  }

  /**
   * @param {string | null} key an i18n key, or null to clear
   * @param {string} [reason]
   */
  _setProblem(key, reason = '') {
    this.problem = key ? this.i18n.t(key, { reason }) : null;
    this._render();
  }

  /** Keep the microphone as the state says: open while on stage with the mic on, else closed. */
  _reconcileMic() {
    const me = this.myId();
    let want = false;
    for (const sid of this.store.liveIn(this.app.hallId)) {
      if (this.store.onStage(sid, me)?.mic) want = true;
    }
    const pending = this.micPending;
    if (want || (pending && performance.now() > pending.until)) this.micPending = null;
    if (want && !this.audio.speaking && !this.micState) {
      const sid = this.session();
      // On stage with the mic on but no microphone here (a reload): open it, or say why not.
      if (sid) this._openMic(sid).then((ok) => { if (!ok) this.actions.mic(sid, false); });
    } else if (!want && this.audio.speaking && this.micForStage && !this.micPending) {
      this.micForStage = false;
      this.audio.stopMic();
    }
  }

  /**
   * Whether the server lets this visitor send on `stream` now.
   * @param {number} stream
   */
  _mayTalk(stream) {
    if (stream !== Stream.STAGE) return false;
    const me = this.myId();
    return this.store.liveIn(this.app.hallId).some((sid) => this.store.onStage(sid, me)?.mic);
  }

  /** Moderators and staff ask for the queues of the sessions they run. */
  _syncModerated() {
    if (!this.app.connection?.joined) return;
    for (const s of this.store.agenda?.sessions ?? []) {
      if (this.store.mayModerate(s.id) && (s.state === 'live' || s.state === 'scheduled') && this._inRoom(s.id)) {
        this.actions.sync(s.id);
      }
    }
  }

  /** @param {string} sid */
  _inRoom(sid) {
    const hall = this.store.hallOf(sid);
    return !hall || hall.hall === this.app.hallId;
  }

  /** @param {string} sid whether the visitor is at that session already (its hall, or its panel) */
  _isHere(sid) {
    const hall = this.store.hallOf(sid);
    return Boolean((hall && this.inHall.has(hall.id)) || (this.live.isOpen && this.session() === sid));
  }

  /** The focused session's slide (live only). */
  _slide() {
    const sid = this.session();
    const live = sid ? this.store.live.get(sid) : undefined;
    return live?.state === 'live' ? live.slide : null;
  }

  /**
   * A VOICE speaker's head (where their voice comes from).
   * @param {number} id
   * @returns {number[] | null}
   */
  _head(id) {
    const a = this.app.remote?.byId.get(id);
    return a ? [a.pose[Slot.X], a.pose[Slot.Y], a.pose[Slot.Z]] : null;
  }

  /** @param {boolean} presenting */
  _checkPlace(presenting) {
    const feet = this.app.player.feet;
    for (const { hall } of this.halls) {
      const here = inside(hall, feet[0], feet[2]);
      const was = this.inHall.has(hall.id);
      if (here === was) continue;
      if (here) {
        this.inHall.add(hall.id);
        // Walking into a hall where a talk is on opens its panel (once per arrival).
        const live = this.store.liveIn(this.app.hallId).find((sid) => this.store.hallOf(sid)?.id === hall.id);
        if (live && !presenting && !this.live.isOpen) this.live.open({ focus: false });
      } else {
        this.inHall.delete(hall.id);
      }
    }
    this._showVr(presenting);
  }

  /** @param {boolean} presenting */
  _showVr(presenting) {
    const sid = this.session();
    const live = sid ? this.store.live.get(sid) : undefined;
    const hall = sid ? this.store.hallOf(sid) : undefined;
    const show = presenting && live?.state === 'live' && hall && this.inHall.has(hall.id);
    this.vr.show(show && sid ? this._vrView(sid) : null, this.camera);
  }

  /**
   * What the VR panel shows for a session.
   * @param {string} sid
   * @returns {import('./vrpanel.js').VrView}
   */
  _vrView(sid) {
    const { i18n, store } = this;
    const live = store.live.get(sid);
    const slide = live?.slide;
    const mine = store.onStage(sid, this.myId());
    /** @type {import('./vrpanel.js').VrView['actions']} */
    const actions = [];
    if (this.audio.blocked || this.audio.state === 'suspended') actions.push({ id: 'audio', label: i18n.t('forum.audio.join'), primary: true });
    if (mine) actions.push({ id: 'mic', label: i18n.t(mine.mic ? 'forum.mic.mute' : 'forum.mic.unmute'), primary: !mine.mic });
    else if (store.invites.has(sid)) {
      actions.push({ id: 'accept', label: i18n.t('forum.invite.accept'), primary: true }, { id: 'decline', label: i18n.t('forum.invite.decline') });
    } else {
      if ((store.roles.get(sid) ?? []).includes('speaker')) actions.push({ id: 'step', label: i18n.t('forum.speaker.step'), primary: true });
      actions.push({ id: 'hand', label: i18n.t(store.handUp.has(sid) ? 'forum.hand.lower' : 'forum.hand.raise') });
    }
    if (store.mayPresent(sid)) actions.push({ id: 'prev', label: '◀' }, { id: 'next', label: '▶', primary: true });
    const status = [
      slide ? i18n.t('forum.live.slide', { page: slide.page, count: slide.count }) : i18n.t('forum.live.noSlide'),
      store.invites.has(sid) ? i18n.t('forum.invite.title') : store.handUp.has(sid) ? i18n.t('forum.hand.up') : '',
      this.problem ?? '',
    ].filter(Boolean).join(' · ');
    return {
      title: i18n.pick(store.session(sid)?.title),
      status,
      questions: store.questionsFor(sid).filter((q) => q.state !== 'pending').slice(0, 3)
        .map((q) => ({ id: q.id, text: q.text, votes: q.votes, canVote: !q.mine && !q.voted })),
      actions,
    };
  }

  /** @param {string} id a VR panel button */
  _vrAction(id) {
    const sid = this.session();
    if (!sid) return;
    if (id === 'audio') this.unlockAudio();
    else if (id === 'hand') this.actions.hand(sid, !this.store.handUp.has(sid));
    else if (id === 'accept') this.answer(true);
    else if (id === 'decline') this.answer(false);
    else if (id === 'step') this.step();
    else if (id === 'mic') this.setMic(!this.store.onStage(sid, this.myId())?.mic);
    else if (id === 'prev') this.actions.slide(sid, 'previous');
    else if (id === 'next') this.actions.slide(sid, 'next');
    else if (id.startsWith('vote:')) this.actions.vote(sid, Number(id.slice(5)));
    this._render();
  }

  /**
   * Presentation clickers and the keyboard: PageDown / PageUp turn a presenter's slides.
   * @param {KeyboardEvent} ev
   */
  _key(ev) {
    if (ev.key !== 'PageDown' && ev.key !== 'PageUp') return;
    const t = ev.target;
    if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement) return;
    const sid = this.session();
    if (!sid || !this.store.mayPresent(sid) || this.store.live.get(sid)?.state !== 'live') return;
    this.actions.slide(sid, ev.key === 'PageDown' ? 'next' : 'previous');
    ev.preventDefault();
  }

  /**
   * Bring every view up to date with the store.
   * @param {boolean} [boards] repaint the boards as well (the language or the agenda changed)
   */
  _render(boards = false) {
    const { store, i18n } = this;
    if (this.live.isOpen) this.live.render();
    this.overlay.show(this._slide());
    const liveHere = store.liveIn(this.app.hallId);
    const first = liveHere[0] ? store.session(liveHere[0]) : undefined;
    this.pill.show(first && !this.live.isOpen ? `● ${i18n.t('forum.live.open', { title: i18n.pick(first.title) })}` : null);
    /** @type {{id: number, role: string}[]} */
    const onStage = [];
    for (const sid of liveHere) onStage.push(...(store.live.get(sid)?.stage ?? []));
    this.badges.set(onStage.filter((p) => p.id !== this.myId()));
    for (const pieces of this.halls) this._paintHall(pieces);
    if (boards) this._paintBoards();
    const stageHall = first ? store.hallOf(first.id) : this.halls[0]?.hall;
    if (stageHall) this.audio.setStage(soundSource(stageHall));
    this._reconcileMic();
  }

  /** @param {HallPieces} pieces */
  _paintHall(pieces) {
    const { store, i18n } = this;
    const sessions = byStart((store.agenda?.sessions ?? []).filter((s) => s.forum_hall === pieces.hall.id));
    const live = sessions.find((s) => s.state === 'live');
    const state = live ? store.live.get(live.id) : undefined;
    if (live && state?.slide) {
      if (pieces.screen.url !== state.slide.url) pieces.screen.show(state.slide, { title: '', subtitle: '' });
    } else {
      const next = live ?? sessions.find((s) => s.state === 'scheduled' && Date.parse(s.ends_at) > Date.now());
      const card = next
        ? { title: i18n.pick(next.title), subtitle: live ? i18n.t('forum.screen.waiting') : `${i18n.t('forum.screen.next')} · ${when(next, i18n.lang).day} ${when(next, i18n.lang).time}` }
        : { title: i18n.pick(pieces.hall.title), subtitle: i18n.t('forum.board.done') };
      const key = JSON.stringify(card);
      if (pieces.screen.url !== null || pieces.screen.cardKey !== key) {
        pieces.screen.cardKey = key;
        pieces.screen.show(null, card);
      }
    }
    const top = live ? store.top.get(live.id) ?? [] : null;
    const shownKey = JSON.stringify([top, i18n.lang]);
    if (pieces.questions.key !== shownKey) {
      pieces.questions.key = shownKey;
      pieces.questions.show(top);
    }
  }

  _paintBoards() {
    for (const pieces of this.halls) {
      const sessions = (this.store.agenda?.sessions ?? []).filter((s) => s.forum_hall === pieces.hall.id);
      pieces.board.paint(sessions, this.i18n.pick(pieces.hall.title), Date.now());
      pieces.questions.key = '';
      pieces.screen.cardKey = '';
      this._paintHall(pieces);
    }
  }

  // --- for the test hook ----------------------------------------------------------------------

  /** A plain view of the forum state (window.__expo.forum). */
  view() {
    const store = this.store;
    /** @type {Record<string, unknown>} */
    const live = {};
    for (const [sid, s] of store.live) live[sid] = { state: s.state, version: s.version, slide: s.slide, stage: s.stage, hands: s.hands, slow_mode_s: s.slow_mode_s };
    /** @type {Record<string, unknown>} */
    const halls = {};
    for (const p of this.halls) {
      halls[p.hall.id] = {
        screen: { url: p.screen.url, page: p.screen.page, painted: p.screen.painted, source: p.screen.source },
        questions: p.questions.shown, questionsVisible: p.questions.board.mesh.visible, board: p.board.shown, boardPainted: p.board.board.painted,
      };
    }
    const sid = this.session();
    return {
      token: this.token?.kind ?? null,
      agenda: (store.agenda?.sessions ?? []).map((s) => ({ id: s.id, state: s.state })),
      agendaFailed: this.agendaFailed,
      session: sid,
      live,
      questions: sid ? store.questionsFor(sid) : [],
      queue: Object.fromEntries(store.queue),
      hands: Object.fromEntries(store.hands),
      invites: [...store.invites],
      handUp: [...store.handUp],
      roles: Object.fromEntries(store.roles),
      refusal: store.refusal,
      halls,
      badges: this.badges.shown,
      inHall: [...this.inHall],
      panels: {
        agenda: this.agendaPanel.dialog.isOpen, live: this.live.isOpen, replay: this.replay.dialog.isOpen,
        overlay: this.overlay.isOpen, notice: this.notice.current,
      },
      vr: { visible: this.vr.visible, buttons: this.vr.buttons.map((b) => b.id), lastAction: this.vr.lastAction },
      audio: this.audio.stats,
      problem: this.problem,
      micState: this.micState,
    };
  }
}

export { Forums };
