/**
 * The live session panel: what a visitor sees and does during a talk, beside
 * the 3D view (keyboard, mouse and touch alike: every control is a button).
 *
 *   - the current slide (enlarge it to the full view), and for speakers and
 *     moderators previous / next (the keyboard's PageUp / PageDown: forums.js);
 *   - the stage audio: "Join audio" where the browser waits for a click,
 *     mute for oneself, and any reason it cannot play;
 *   - who is on stage; one's own microphone when on stage; a speaker's
 *     "step on stage and talk";
 *   - the invitation on stage, and raising or lowering one's hand;
 *   - the top questions with upvotes, one's own marked (and one's pending
 *     ones, which only the asker sees), and the form to ask, optionally
 *     anonymously;
 *   - for staff and moderators, the moderator tools (modtools.js).
 *
 * Everything from other people (questions, names) goes in as text (ui/dom.js).
 */

import { button, ForumDialog, rebuild } from './dialog.js';
import { ModTools } from './modtools.js';
import { when } from './agenda.js';
import { cleanText } from '../ui/sanitize.js';
import { h } from '../ui/dom.js';

/**
 * @typedef {object} LiveHooks what the panel asks of the forum controller
 * @property {() => string | null} session the session shown
 * @property {() => number} myId the visitor's avatar id
 * @property {() => Promise<void>} step a speaker steps on stage and talks
 * @property {(yes: boolean) => Promise<void>} answer the visitor answers an invitation
 * @property {(on: boolean) => Promise<void>} setMic the visitor's own mic on stage
 * @property {() => void} joinAudio unlock the audio (a click)
 * @property {() => void} enlarge show the slide over the whole view
 * @property {() => string | null} problem why audio or the mic do not work (a sentence), or null
 * @property {() => string | null} micState 'asking' while the browser asks for the microphone
 */

class LivePanel {
  /**
   * @param {object} deps
   * @param {import('../i18n/i18n.js').I18n} deps.i18n
   * @param {import('./store.js').ForumStore} deps.store
   * @param {import('./actions.js').ForumActions} deps.actions
   * @param {import('../media/stageaudio.js').StageAudio} deps.audio
   * @param {LiveHooks} deps.hooks
   * @param {() => number} [deps.maxChars]
   */
  constructor({ i18n, store, actions, audio, hooks, maxChars = () => 300 }) {
    this.i18n = i18n;
    this.store = store;
    this.actions = actions;
    this.audio = audio;
    this.hooks = hooks;
    this.maxChars = maxChars;
    this.dialog = new ForumDialog({ id: 'forum-live', titleKey: 'forum.live.title', i18n, className: 'forum-live' });
    const body = this.dialog.body;
    this.meta = h('p', { className: 'forum-when' });
    this.slideImg = /** @type {HTMLImageElement} */ (h('img', { className: 'forum-slide', alt: '', hidden: true }));
    this.slideCaption = h('figcaption', {});
    this.slideBox = h('figure', { className: 'forum-slide-box' }, this.slideImg, this.slideCaption);
    this.slideButtons = h('p', { className: 'panel-actions' });
    this.audioBar = h('div', { className: 'forum-audio' });
    this.problem = h('p', { className: 'error', role: 'alert' });
    this.stage = h('div', { className: 'forum-stage' });
    this.me = h('div', { className: 'forum-me' });
    this.questionsTitle = h('h3', {});
    this.questions = h('ol', { className: 'forum-questions' });
    this.askLabel = h('label', { htmlFor: 'forum-ask-text' });
    this.askText = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: 'forum-ask-text', rows: 2, maxLength: 300 }));
    this.anonymous = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', id: 'forum-ask-anon' }));
    this.anonLabel = h('label', { htmlFor: 'forum-ask-anon' });
    this.askButton = h('button', { type: 'submit', className: 'primary' });
    this.askStatus = h('p', { className: 'hint', role: 'status' });
    this.askForm = h('form', { className: 'forum-ask' }, this.askLabel, this.askText,
      h('div', { className: 'forum-ask-row' }, h('span', { className: 'check' }, this.anonymous, this.anonLabel), this.askButton),
      this.askStatus);
    this.refusal = h('p', { className: 'error', role: 'alert' });
    this.mod = new ModTools({ i18n, store, actions });
    body.append(this.meta, this.slideBox, this.slideButtons, this.audioBar, this.problem, this.stage, this.me,
      this.refusal, this.questionsTitle, this.questions, this.askForm, this.mod.root);
    this.askForm.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this._ask();
    });
    store.onChange(() => { if (this.dialog.isOpen) this.render(); });
    i18n.onChange(() => { if (this.dialog.isOpen) this.render(); });
  }

  get isOpen() {
    return this.dialog.isOpen;
  }

  /** @param {{focus?: boolean}} [opts] */
  open(opts) {
    this.render();
    this.dialog.open(opts);
  }

  close() {
    this.dialog.close();
  }

  render() {
    const { i18n, store } = this;
    const sid = this.hooks.session();
    const session = sid ? store.session(sid) : undefined;
    const live = sid ? store.live.get(sid) : undefined;
    const state = live?.state ?? session?.state ?? 'scheduled';
    this.dialog.root.dataset.session = sid ?? '';
    this.dialog.root.dataset.state = state;
    this.dialog.setTitle(session ? i18n.pick(session.title) : i18n.t('forum.live.title'));
    if (!sid || !session) {
      rebuild(this.meta, () => [i18n.t('forum.live.none')]);
      for (const el of [this.slideBox, this.slideButtons, this.audioBar, this.stage, this.me, this.questionsTitle, this.questions, this.askForm]) el.hidden = true;
      this.mod.render(null);
      return;
    }
    for (const el of [this.slideBox, this.audioBar, this.stage, this.me, this.questionsTitle, this.questions, this.askForm]) el.hidden = false;
    const w = when(session, i18n.lang);
    rebuild(this.meta, () => [
      h('span', { className: `badge state-${state}` }, i18n.t(`forum.state.${state}`)), `${w.day} ${w.time}`,
      live && live.hands ? h('span', { className: 'hint' }, i18n.t('forum.live.hands', { n: live.hands })) : null,
    ]);
    this._slide(sid, live);
    this._audio();
    this._stage(sid, live);
    this._me(sid, live);
    this._questions(sid);
    const refusal = store.refusal;
    this.refusal.textContent = refusal ? i18n.t('forum.refused', { reason: refusal.message }) : '';
    this.mod.render(store.mayModerate(sid) ? sid : null);
  }

  /**
   * @param {string} sid
   * @param {import('./store.js').LiveState | undefined} live
   */
  _slide(sid, live) {
    const { i18n } = this;
    const slide = live?.state === 'live' ? live.slide : null;
    this.slideImg.hidden = !slide;
    if (slide) {
      if (this.slideImg.getAttribute('src') !== slide.url) this.slideImg.src = slide.url;
      this.slideImg.alt = i18n.t('forum.live.slideAlt', { page: slide.page, count: slide.count });
      this.slideBox.dataset.page = String(slide.page);
    } else {
      this.slideImg.removeAttribute('src');
      delete this.slideBox.dataset.page;
    }
    const caption = slide ? i18n.t('forum.live.slide', { page: slide.page, count: slide.count }) : i18n.t('forum.live.noSlide');
    rebuild(this.slideCaption, () => [
      caption,
      slide ? button(i18n.t('forum.live.enlarge'), () => this.hooks.enlarge(), { className: 'secondary small', key: 'enlarge' }) : null,
    ]);
    const present = live?.state === 'live' && this.store.mayPresent(sid);
    this.slideButtons.hidden = !present;
    rebuild(this.slideButtons, () => (present ? [
      button(i18n.t('forum.slide.prev'), () => this.actions.slide(sid, 'previous'), { key: 'prev', disabled: !slide || slide.page <= 1 }),
      button(i18n.t('forum.slide.next'), () => this.actions.slide(sid, 'next'), { key: 'next', className: 'primary', disabled: Boolean(slide && slide.page >= slide.count) }),
    ] : []));
  }

  _audio() {
    const { i18n, audio } = this;
    const blocked = audio.blocked || audio.state === 'suspended';
    rebuild(this.audioBar, () => [
      blocked ? h('span', { className: 'hint' }, i18n.t('forum.audio.blocked')) : null,
      blocked ? button(i18n.t('forum.audio.join'), () => this.hooks.joinAudio(), { className: 'primary', key: 'join-audio' }) : null,
      !blocked && audio.state === 'running'
        ? button(i18n.t(audio.muted ? 'forum.audio.unmute' : 'forum.audio.mute'), () => audio.setMuted(!audio.muted),
          { key: 'mute-stage', pressed: audio.muted, className: 'secondary' })
        : null,
    ]);
    this.problem.textContent = this.hooks.problem() ?? '';
  }

  /**
   * @param {string} sid
   * @param {import('./store.js').LiveState | undefined} live
   */
  _stage(sid, live) {
    const { i18n } = this;
    const people = live?.state === 'live' ? live.stage : [];
    rebuild(this.stage, () => [
      h('h3', {}, i18n.t('forum.live.onStage')),
      people.length
        ? h('ul', { className: 'forum-onstage' }, ...people.map((p) => h('li', { dataset: { id: String(p.id) } },
          h('span', { className: `badge role-${p.role}` }, i18n.t(p.role === 'speaker' ? 'forum.badge.speaker' : 'forum.badge.guest')),
          ` ${cleanText(p.name, 32)} · `, h('span', { className: p.mic ? 'mic-on' : 'mic-off' }, i18n.t(p.mic ? 'forum.live.micOn' : 'forum.live.micOff')))))
        : h('p', { className: 'hint' }, i18n.t('forum.live.nobody')),
    ]);
    void sid;
  }

  /**
   * The visitor's own part: invitation, hand, microphone.
   * @param {string} sid
   * @param {import('./store.js').LiveState | undefined} live
   */
  _me(sid, live) {
    const { i18n, store } = this;
    const isLive = live?.state === 'live';
    const mine = store.onStage(sid, this.hooks.myId());
    const asking = this.hooks.micState() === 'asking';
    rebuild(this.me, () => {
      if (!isLive) return [];
      /** @type {(Node | null)[]} */
      const out = [];
      if (asking) out.push(h('p', { className: 'hint', role: 'status' }, i18n.t('forum.mic.asking')));
      if (mine) {
        out.push(h('p', { className: mine.mic ? 'forum-mic-live' : 'hint', role: 'status' }, i18n.t(mine.mic ? 'forum.mic.live' : 'forum.mic.muted')));
        out.push(button(i18n.t(mine.mic ? 'forum.mic.mute' : 'forum.mic.unmute'), () => this.hooks.setMic(!mine.mic),
          { key: 'my-mic', className: mine.mic ? undefined : 'primary', pressed: !mine.mic, disabled: asking }));
        return out;
      }
      if (store.invites.has(sid)) {
        out.push(h('div', { className: 'forum-invite', role: 'alert' },
          h('p', {}, i18n.t('forum.invite.title')),
          h('p', { className: 'panel-actions' },
            button(i18n.t('forum.invite.accept'), () => this.hooks.answer(true), { key: 'accept', className: 'primary', disabled: asking }),
            button(i18n.t('forum.invite.decline'), () => this.hooks.answer(false), { key: 'decline' }))));
        return out;
      }
      if ((store.roles.get(sid) ?? []).includes('speaker')) {
        out.push(h('p', { className: 'hint' }, i18n.t('forum.speaker.you')));
        out.push(button(i18n.t('forum.speaker.step'), () => this.hooks.step(), { key: 'step', className: 'primary', disabled: asking }));
      }
      const up = store.handUp.has(sid);
      out.push(button(i18n.t(up ? 'forum.hand.lower' : 'forum.hand.raise'), () => this.actionOutcome(this.actions.hand(sid, !up)),
        { key: 'hand', pressed: up }));
      if (up) out.push(h('p', { className: 'hint', role: 'status' }, i18n.t('forum.hand.up')));
      return out;
    });
  }

  /** @param {string} sid */
  _questions(sid) {
    const { i18n, store } = this;
    this.questionsTitle.textContent = i18n.t('forum.q.title');
    const max = this.maxChars();
    this.askText.maxLength = max;
    this.askLabel.textContent = i18n.t('forum.q.label');
    this.askText.placeholder = i18n.t('forum.q.placeholder', { max });
    this.anonLabel.textContent = i18n.t('forum.q.anonymous');
    this.askButton.textContent = i18n.t('forum.q.ask');
    const list = store.questionsFor(sid);
    rebuild(this.questions, () => {
      if (!list.length) return [h('li', { className: 'hint' }, i18n.t('forum.q.none'))];
      return list.map((q) => {
        const text = cleanText(q.text, 300);
        const tags = [
          q.pinned ? h('span', { className: 'tag pinned' }, i18n.t('forum.q.pinned')) : null,
          q.mine ? h('span', { className: 'tag mine' }, i18n.t('forum.q.yours')) : null,
          q.state === 'pending' ? h('span', { className: 'tag pending' }, i18n.t('forum.q.pending')) : null,
        ];
        const canVote = !q.mine && !q.voted && q.state !== 'pending';
        return h('li', { className: `forum-question${q.mine ? ' mine' : ''}`, dataset: { question: String(q.id) } },
          h('span', { className: 'votes', 'aria-label': i18n.t('forum.q.votes', { n: q.votes }) }, `▲ ${q.votes}`),
          h('span', { className: 'text' }, text),
          h('span', { className: 'who' }, q.name ? cleanText(q.name, 32) : i18n.t('forum.q.anonymousName'), ...tags),
          q.state === 'pending' ? null : button(i18n.t(q.voted ? 'forum.q.voted' : 'forum.q.upvote'),
            () => this.actionOutcome(this.actions.vote(sid, q.id)),
            { key: `vote:${q.id}`, className: 'small', disabled: !canVote, pressed: q.voted, ariaLabel: i18n.t('forum.q.upvoteLabel', { text }) }));
      });
    });
  }

  _ask() {
    const sid = this.hooks.session();
    if (!sid) return;
    const outcome = this.actions.ask(sid, this.askText.value, this.anonymous.checked);
    if (outcome === 'sent') {
      this.askText.value = '';
      this.askStatus.textContent = this.i18n.t('forum.q.sent');
    } else if (outcome === 'empty') {
      this.askStatus.textContent = this.i18n.t('forum.q.empty');
    } else {
      this.actionOutcome(outcome);
    }
  }

  /**
   * Tell the visitor when an action could not go out.
   * @param {import('./actions.js').Outcome} outcome
   */
  actionOutcome(outcome) {
    if (outcome === 'no-token') this.askStatus.textContent = this.i18n.t('forum.noToken');
    else if (outcome === 'offline') this.askStatus.textContent = this.i18n.t('chat.notConnected');
  }
}

export { LivePanel };
