/**
 * The agenda panel: every forum session in order, in the visitor's language,
 * with its times in the visitor's time zone, its state (scheduled, live,
 * ended, replay), its speakers and abstract, and what can be done with it:
 * go there, join it live, add it to a calendar (the `.ics` the server
 * serves), watch its replay. Opened from the toolbar's "Forums" button.
 */

import { byStart, calendarUrl, when, zoneName } from './agenda.js';
import { button, ForumDialog, rebuild } from './dialog.js';
import { h } from '../ui/dom.js';

class AgendaPanel {
  /**
   * @param {object} deps
   * @param {import('../i18n/i18n.js').I18n} deps.i18n
   * @param {import('./store.js').ForumStore} deps.store
   * @param {HTMLElement} deps.toggle the toolbar button
   * @param {(session: string) => void} deps.onGo take me there
   * @param {(session: string) => void} deps.onLive join the live session
   * @param {(session: string) => void} deps.onReplay watch the replay
   * @param {() => boolean} deps.failed whether the agenda could not be loaded
   */
  constructor({ i18n, store, toggle, onGo, onLive, onReplay, failed }) {
    this.i18n = i18n;
    this.store = store;
    this.actions = { onGo, onLive, onReplay };
    this.failed = failed;
    this.dialog = new ForumDialog({ id: 'forum-agenda', titleKey: 'forum.agenda.title', i18n, toggle });
    this.intro = h('p', { className: 'hint' });
    this.all = /** @type {HTMLAnchorElement} */ (h('a', { className: 'forum-all', download: '' }));
    this.list = h('ul', { className: 'forum-sessions' });
    this.dialog.body.append(this.intro, this.list, h('p', {}, this.all));
    toggle.addEventListener('click', () => (this.dialog.isOpen ? this.dialog.close() : this.open()));
    store.onChange((what) => {
      if (this.dialog.isOpen && (what === 'agenda' || what === 'state')) this.render();
    });
    i18n.onChange(() => { if (this.dialog.isOpen) this.render(); });
  }

  open() {
    this.render();
    this.dialog.open();
  }

  close() {
    this.dialog.close();
  }

  render() {
    const { i18n, store } = this;
    const lang = i18n.lang;
    this.intro.textContent = i18n.t('forum.agenda.zone', { zone: zoneName(new Date(), lang) });
    const agenda = store.agenda;
    this.all.hidden = !agenda;
    if (agenda) {
      this.all.href = `${agenda.calendar}?lang=${lang}`;
      this.all.textContent = i18n.t('forum.agenda.all');
    }
    rebuild(this.list, () => {
      if (!agenda) return [h('li', { className: 'hint' }, i18n.t(this.failed() ? 'forum.agenda.failed' : 'forum.agenda.loading'))];
      if (!agenda.sessions.length) return [h('li', { className: 'hint' }, i18n.t('forum.agenda.empty'))];
      return byStart(agenda.sessions).map((s) => this._item(s));
    });
  }

  /** @param {import('./agenda.js').ForumSession} s */
  _item(s) {
    const { i18n, store } = this;
    const w = when(s, i18n.lang);
    const hall = store.agenda?.forum_halls.find((f) => f.id === s.forum_hall);
    const speakers = s.speakers.map((p) => {
      const role = i18n.pick(p.title);
      if (!role) return i18n.pick(p.name);
      return i18n.lang === 'zh' ? `${i18n.pick(p.name)}（${role}）` : `${i18n.pick(p.name)} (${role})`;
    });
    const actions = [];
    if (s.state === 'live') actions.push(button(i18n.t('forum.watchLive'), () => this.actions.onLive(s.id), { className: 'primary', key: `live:${s.id}` }));
    if (s.state === 'scheduled' || s.state === 'live') {
      actions.push(button(i18n.t('forum.goThere'), () => this.actions.onGo(s.id), { className: s.state === 'live' ? 'secondary' : undefined, key: `go:${s.id}` }));
    }
    if (s.state === 'scheduled') {
      actions.push(h('a', { className: 'button secondary', href: calendarUrl(s, i18n.lang), download: `${s.id}.ics`, dataset: { key: `ics:${s.id}` } }, i18n.t('forum.calendar')));
    }
    if (s.state === 'replay') actions.push(button(i18n.t('forum.watchReplay'), () => this.actions.onReplay(s.id), { className: 'primary', key: `replay:${s.id}` }));
    if (s.state === 'ended') actions.push(h('span', { className: 'hint' }, i18n.t('forum.replayPreparing')));
    return h('li', { className: `forum-session state-${s.state}`, dataset: { session: s.id, state: s.state } },
      h('p', { className: 'forum-when' },
        h('span', { className: `badge state-${s.state}` }, i18n.t(`forum.state.${s.state}`)),
        h('time', { dateTime: s.starts_at }, `${w.day} ${w.time}`),
        hall ? h('span', { className: 'forum-hall' }, i18n.pick(hall.title)) : null),
      h('h3', {}, i18n.pick(s.title)),
      speakers.length ? h('p', { className: 'forum-speakers' }, `${i18n.t('forum.speakers')}: ${speakers.join(i18n.lang === 'zh' ? '、' : '; ')}`) : null,
      i18n.pick(s.abstract) ? h('details', {}, h('summary', {}, i18n.t('forum.abstract')), h('p', {}, i18n.pick(s.abstract))) : null,
      h('p', { className: 'panel-actions' }, ...actions));
  }
}

export { AgendaPanel };
