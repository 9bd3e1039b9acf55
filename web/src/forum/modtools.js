/**
 * The moderator tools inside the live panel (staff and the session's
 * moderators): go live and end; the question queue (approve, hide, pin,
 * unpin, mark answered); the raised hands (invite on stage, lower) and who
 * is invited; the stage (cut a mic, end a turn); slow mode. The same actions
 * as the console's run page (/staff/forums/<id>/run), from inside the hall.
 * The server checks every one of them against the sender's role.
 */

import { button, rebuild } from './dialog.js';
import { cleanText } from '../ui/sanitize.js';
import { h } from '../ui/dom.js';

class ModTools {
  /**
   * @param {object} deps
   * @param {import('../i18n/i18n.js').I18n} deps.i18n
   * @param {import('./store.js').ForumStore} deps.store
   * @param {import('./actions.js').ForumActions} deps.actions
   */
  constructor({ i18n, store, actions }) {
    this.i18n = i18n;
    this.store = store;
    this.actions = actions;
    this.title = h('h3', {});
    this.controls = h('p', { className: 'panel-actions' });
    this.queueTitle = h('h4', {});
    this.queue = h('ol', { className: 'forum-queue' });
    this.handsTitle = h('h4', {});
    this.hands = h('ol', { className: 'forum-hands' });
    this.stageTitle = h('h4', {});
    this.stage = h('ul', { className: 'forum-stage-mod' });
    this.slowLabel = h('label', { htmlFor: 'forum-slow' });
    this.slowInput = /** @type {HTMLInputElement} */ (h('input', { type: 'number', id: 'forum-slow', min: '0', max: '600', className: 'short' }));
    this.slowButton = h('button', { type: 'submit' });
    this.slowForm = h('form', { className: 'forum-slow' }, this.slowLabel, this.slowInput, this.slowButton);
    this.root = h('section', { className: 'forum-mod', hidden: true },
      this.title, this.controls, this.stageTitle, this.stage, this.handsTitle, this.hands, this.queueTitle, this.queue, this.slowForm);
    /** @type {string | null} */
    this.session = null;
    this.slowForm.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (this.session) this.actions.slow(this.session, Number(this.slowInput.value) || 0);
    });
  }

  /** @param {string | null} sid the session to moderate, or null to hide the tools */
  render(sid) {
    this.session = sid;
    this.root.hidden = !sid;
    if (!sid) return;
    const { i18n, store, actions } = this;
    const live = store.live.get(sid);
    const state = live?.state ?? store.session(sid)?.state ?? 'scheduled';
    this.title.textContent = i18n.t('forum.mod.title');
    rebuild(this.controls, () => [
      state === 'scheduled' ? button(i18n.t('forum.mod.goLive'), () => actions.control(sid, 'live'), { key: 'go-live', className: 'primary' }) : null,
      state === 'live' ? button(i18n.t('forum.mod.end'), () => actions.control(sid, 'end'), { key: 'end', className: 'danger' }) : null,
    ]);
    const isLive = state === 'live';
    for (const el of [this.stageTitle, this.stage, this.handsTitle, this.hands, this.slowForm]) el.hidden = !isLive;
    this.stageTitle.textContent = i18n.t('forum.live.onStage');
    this.handsTitle.textContent = i18n.t('forum.mod.hands');
    this.queueTitle.textContent = i18n.t('forum.mod.queue');
    this.slowLabel.textContent = i18n.t('forum.mod.slow');
    this.slowButton.textContent = i18n.t('forum.mod.set');
    if (document.activeElement !== this.slowInput) this.slowInput.value = String(live?.slow_mode_s ?? 0);
    const queue = store.hands.get(sid) ?? { hands: [], invited: [] };
    rebuild(this.stage, () => (live?.stage ?? []).map((p) => h('li', { dataset: { id: String(p.id) } },
      `${cleanText(p.name, 32)} · ${i18n.t(p.mic ? 'forum.live.micOn' : 'forum.live.micOff')} `,
      p.mic ? button(i18n.t('forum.mod.cut'), () => actions.cut(sid, p.id), { key: `cut:${p.id}`, className: 'small' }) : null,
      button(i18n.t('forum.mod.endTurn'), () => actions.stage(sid, 'end', p.id), { key: `end:${p.id}`, className: 'small' }))));
    rebuild(this.hands, () => {
      const rows = [
        ...queue.hands.map((p) => h('li', { dataset: { id: String(p.id), hand: 'up' } }, `${cleanText(p.name, 32)} `,
          button(i18n.t('forum.mod.invite'), () => actions.stage(sid, 'invite', p.id), { key: `invite:${p.id}`, className: 'small primary' }),
          button(i18n.t('forum.mod.dismiss'), () => actions.stage(sid, 'dismiss', p.id), { key: `dismiss:${p.id}`, className: 'small' }))),
        ...queue.invited.map((p) => h('li', { dataset: { id: String(p.id), hand: 'invited' } },
          `${cleanText(p.name, 32)} · ${i18n.t('forum.mod.invited')} `,
          button(i18n.t('forum.mod.endTurn'), () => actions.stage(sid, 'end', p.id), { key: `uninvite:${p.id}`, className: 'small' }))),
      ];
      return rows.length ? rows : [h('li', { className: 'hint' }, i18n.t('forum.mod.noHands'))];
    });
    const questions = store.queue.get(sid) ?? [];
    rebuild(this.queue, () => {
      if (!questions.length) return [h('li', { className: 'hint' }, i18n.t('forum.mod.queueEmpty'))];
      return questions.map((q) => {
        const st = q.state ?? 'pending';
        /** @type {(HTMLButtonElement | null)[]} */
        const buttons = [
          st !== 'approved' ? button(i18n.t('forum.mod.approve'), () => actions.moderate(sid, q.id, 'approve'), { key: `approve:${q.id}`, className: 'small primary' }) : null,
          st !== 'hidden' ? button(i18n.t('forum.mod.hide'), () => actions.moderate(sid, q.id, 'hide'), { key: `hide:${q.id}`, className: 'small' }) : null,
          st === 'approved' && !q.answered ? button(i18n.t(q.pinned ? 'forum.mod.unpin' : 'forum.mod.pin'),
            () => actions.moderate(sid, q.id, q.pinned ? 'unpin' : 'pin'), { key: `pin:${q.id}`, className: 'small' }) : null,
          st === 'approved' && !q.answered ? button(i18n.t('forum.mod.answered'), () => actions.moderate(sid, q.id, 'answered'), { key: `answered:${q.id}`, className: 'small' }) : null,
        ];
        return h('li', { className: `forum-queued state-${st}`, dataset: { question: String(q.id), state: st } },
          h('span', { className: 'votes' }, `▲ ${q.votes}`),
          h('span', { className: 'text' }, cleanText(q.text, 300)),
          h('span', { className: 'who' }, q.name ? cleanText(q.name, 32) : i18n.t('forum.q.anonymousName'),
            h('span', { className: `tag ${st}` }, i18n.t(`forum.mod.state.${st}`)),
            q.pinned ? h('span', { className: 'tag pinned' }, i18n.t('forum.q.pinned')) : null,
            q.answered ? h('span', { className: 'tag' }, i18n.t('forum.q.answered')) : null),
          h('span', { className: 'actions' }, ...buttons));
      });
    });
  }
}

export { ModTools };
