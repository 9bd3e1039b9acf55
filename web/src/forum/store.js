/**
 * Everything the client knows about the forums, in one owner: the agenda
 * (`GET /api/forums`), each session's live state (`forum.state`), the top
 * questions, and what concerns this visitor: their questions, their votes,
 * their raised hand, an invitation on stage, their roles. Moderators also
 * get the question queue and the hand queue.
 *
 * Socket messages go in through `apply(msg)`; the visitor's own actions
 * (actions.js) note what they did through `noteVote` and friends; the views
 * read the store and are told of changes through `onChange`. A stale
 * `forum.state` (an older `version`, possible across nodes) is ignored.
 *
 * Pure (no DOM, no socket). Unit-tested in test/forumstore.test.js.
 */

/**
 * @typedef {import('./agenda.js').Agenda} Agenda
 * @typedef {import('./agenda.js').ForumSession} ForumSession
 *
 * @typedef {object} Slide
 * @property {string} deck
 * @property {number} page
 * @property {number} count
 * @property {string} url
 *
 * @typedef {object} OnStage
 * @property {number} id avatar id
 * @property {string} name
 * @property {'speaker' | 'guest'} role
 * @property {boolean} mic
 *
 * @typedef {object} LiveState a `forum.state` message
 * @property {string} session
 * @property {number} version
 * @property {string} state
 * @property {Slide | null} slide
 * @property {OnStage[]} stage
 * @property {number} hands
 * @property {number} slow_mode_s
 *
 * @typedef {object} Question
 * @property {number} id
 * @property {string} text
 * @property {string | null} name null when asked anonymously
 * @property {number} votes
 * @property {boolean} pinned
 * @property {boolean} answered
 * @property {string} [state] pending, approved, hidden (moderators, and the asker's own)
 * @property {string} [at]
 *
 * @typedef {{id: number, name: string, at_ms: number}} Hand
 * @typedef {{hands: Hand[], invited: Hand[]}} HandQueue
 */

class ForumStore {
  constructor() {
    /** @type {Agenda | null} */
    this.agenda = null;
    this.agendaStale = false;
    /** @type {Map<string, LiveState>} */
    this.live = new Map();
    /** @type {Map<string, Question[]>} */
    this.top = new Map();
    /** @type {Map<string, Question[]>} every question, for moderators */
    this.queue = new Map();
    /** @type {Map<string, HandQueue>} for moderators */
    this.hands = new Map();
    /** @type {Map<number, Question & {session: string}>} the visitor's own questions */
    this.mine = new Map();
    /** @type {Set<number>} questions the visitor upvoted */
    this.votes = new Set();
    /** @type {Set<string>} sessions where the visitor's hand is up */
    this.handUp = new Set();
    /** @type {Set<string>} sessions whose moderators invited the visitor on stage */
    this.invites = new Set();
    /** @type {Map<string, string[]>} the visitor's roles per session (signed-in visitors) */
    this.roles = new Map();
    /** @type {{code: string, message: string} | null} the last refusal */
    this.refusal = null;
    /** Grows with every change (views re-render when it moved). */
    this.version = 0;
    /** @type {Set<(what: string) => void>} */
    this.listeners = new Set();
  }

  /**
   * @param {(what: string) => void} fn told what changed: agenda, state, questions, queue, hands,
   *   mine, invite, roles, refusal
   * @returns {() => void} stops telling
   */
  onChange(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** @param {string} what */
  changed(what) {
    this.version++;
    for (const fn of this.listeners) fn(what);
  }

  /** @param {Agenda} agenda a fresh `GET /api/forums` */
  setAgenda(agenda) {
    this.agenda = agenda;
    this.agendaStale = false;
    // A live state newer than the agenda wins (the agenda may have been read a moment ago).
    for (const s of agenda.sessions) {
      const live = this.live.get(s.id);
      if (live) s.state = live.state;
    }
    this.changed('agenda');
  }

  /**
   * A message from the sync socket; returns whether it was a forum message.
   * @param {any} msg
   * @returns {boolean}
   */
  apply(msg) {
    switch (msg?.type) {
      case 'forum.state': return this._state(msg);
      case 'forum.questions':
        this.top.set(msg.session, Array.isArray(msg.top) ? msg.top : []);
        this._syncMine(msg.session);
        this.changed('questions');
        return true;
      case 'forum.queue':
        this.queue.set(msg.session, Array.isArray(msg.questions) ? msg.questions : []);
        this.changed('queue');
        return true;
      case 'forum.hands':
        this.hands.set(msg.session, { hands: msg.hands ?? [], invited: msg.invited ?? [] });
        this.changed('hands');
        return true;
      case 'forum.asked':
        if (msg.question?.id) this.mine.set(msg.question.id, { ...msg.question, session: msg.session });
        this.changed('mine');
        return true;
      case 'forum.invite':
        this.invites.add(msg.session);
        this.handUp.delete(msg.session);
        this.changed('invite');
        return true;
      case 'forum.agenda':
        this.agendaStale = true;
        this.changed('agenda-stale');
        return true;
      case 'error':
        if (typeof msg.code === 'string' && (msg.code.startsWith('forum_') || /forum|question|hand/i.test(msg.message ?? ''))) {
          this.refusal = { code: msg.code, message: String(msg.message ?? '') };
          // A refused hand is not up (the refusal does not say which session: none is).
          if (/hand/i.test(this.refusal.message)) this.handUp.clear();
          this.changed('refusal');
          return true;
        }
        return false;
      default:
        return false;
    }
  }

  /**
   * @param {LiveState} msg
   * @returns {boolean}
   */
  _state(msg) {
    const known = this.live.get(msg.session);
    if (known && known.version >= msg.version) return true;
    this.live.set(msg.session, msg);
    const s = this.session(msg.session);
    if (s) s.state = msg.state;
    if (msg.state !== 'live') {
      this.handUp.delete(msg.session);
      this.invites.delete(msg.session);
    }
    this.changed('state');
    return true;
  }

  /** Questions of the visitor that the audience now sees take their public form. @param {string} session */
  _syncMine(session) {
    for (const q of this.top.get(session) ?? []) {
      const own = this.mine.get(q.id);
      if (own) this.mine.set(q.id, { ...own, ...q, state: 'approved' });
    }
  }

  // --- what the visitor did (actions.js) ------------------------------------------------------

  /** @param {number} question */
  noteVote(question) {
    this.votes.add(question);
    this.changed('mine');
  }

  /**
   * @param {string} session
   * @param {boolean} up
   */
  noteHand(session, up) {
    if (up) this.handUp.add(session);
    else this.handUp.delete(session);
    this.changed('mine');
  }

  /** @param {string} session the invitation was answered */
  noteAnswered(session) {
    this.invites.delete(session);
    this.changed('invite');
  }

  /**
   * @param {string} session
   * @param {string[]} roles
   */
  setRoles(session, roles) {
    this.roles.set(session, roles);
    this.changed('roles');
  }

  clearRefusal() {
    if (!this.refusal) return;
    this.refusal = null;
    this.changed('refusal');
  }

  // --- reading ---------------------------------------------------------------------------------

  /**
   * @param {string} id
   * @returns {ForumSession | undefined}
   */
  session(id) {
    return this.agenda?.sessions.find((s) => s.id === id);
  }

  /**
   * The forum hall of a session.
   * @param {string} id
   */
  hallOf(id) {
    const s = this.session(id);
    return s ? this.agenda?.forum_halls.find((f) => f.id === s.forum_hall) : undefined;
  }

  /**
   * The live sessions of a room (the hall the visitor is in).
   * @param {string} room
   * @returns {string[]} session ids
   */
  liveIn(room) {
    const out = [];
    for (const [id, st] of this.live) {
      if (st.state !== 'live') continue;
      const hall = this.hallOf(id);
      if (!hall || hall.hall === room) out.push(id);
    }
    return out;
  }

  /**
   * Whether the visitor may run the session (go live, moderate, invite): staff or moderator.
   * @param {string} session
   */
  mayModerate(session) {
    const roles = this.roles.get(session) ?? [];
    return roles.includes('staff') || roles.includes('moderator');
  }

  /**
   * Whether the visitor may turn slides and step on stage: staff, moderator or speaker.
   * @param {string} session
   */
  mayPresent(session) {
    return this.mayModerate(session) || (this.roles.get(session) ?? []).includes('speaker');
  }

  /**
   * The visitor's place on stage, if they are on it.
   * @param {string} session
   * @param {number} myId the visitor's avatar id
   * @returns {OnStage | undefined}
   */
  onStage(session, myId) {
    return this.live.get(session)?.stage.find((p) => p.id === myId);
  }

  /**
   * The top questions with the visitor's own pending ones (only they see those) after them.
   * @param {string} session
   * @returns {(Question & {mine: boolean, voted: boolean})[]}
   */
  questionsFor(session) {
    const top = this.top.get(session) ?? [];
    const shown = new Set(top.map((q) => q.id));
    const pending = [...this.mine.values()]
      .filter((q) => q.session === session && !shown.has(q.id) && q.state === 'pending' && !q.answered);
    return [...top, ...pending].map((q) => ({ ...q, mine: this.mine.has(q.id), voted: this.votes.has(q.id) }));
  }
}

export { ForumStore };
