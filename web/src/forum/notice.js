/**
 * "Starts in 5 minutes": a small notice when a session is about to begin (or
 * has just gone live) with a "take me there" button, once per session. The
 * agenda is checked every 15 s; a notice the visitor dismissed stays away.
 */

import { minutesUntil, startingSoon } from './agenda.js';
import { button } from './dialog.js';
import { h } from '../ui/dom.js';

const CHECK_MS = 15000;

class StartNotice {
  /**
   * @param {object} deps
   * @param {import('../i18n/i18n.js').I18n} deps.i18n
   * @param {import('./store.js').ForumStore} deps.store
   * @param {(session: string) => void} deps.onGo
   * @param {(session: string) => boolean} deps.isHere whether the visitor is at that session already
   * @param {() => number} [deps.now]
   */
  constructor({ i18n, store, onGo, isHere, now = () => Date.now() }) {
    this.i18n = i18n;
    this.store = store;
    this.onGo = onGo;
    this.isHere = isHere;
    this.now = now;
    /** @type {Set<string>} sessions already announced ("soon:" and "live:" keys) */
    this.told = new Set();
    /** @type {{session: string, kind: 'soon' | 'live'} | null} */
    this.current = null;
    this.text = h('p', {});
    this.go = button(i18n.t('forum.goThere'), () => {
      if (this.current) this.onGo(this.current.session);
      this.hide();
    }, { className: 'primary' });
    this.dismiss = button(i18n.t('forum.notice.dismiss'), () => this.hide(), { className: 'secondary' });
    this.root = h('aside', {
      id: 'forum-notice', className: 'forum-notice card', role: 'status', 'aria-label': i18n.t('forum.notice.label'), hidden: true,
    }, this.text, h('div', { className: 'panel-actions' }, this.go, this.dismiss));
    document.body.append(this.root);
    /** @type {ReturnType<typeof setInterval> | null} */
    this.timer = null;
    store.onChange((what) => { if (what === 'state' || what === 'agenda') this.check(); });
    i18n.onChange(() => this._render());
  }

  /** Start looking (after entering the hall). */
  start() {
    this.timer ??= setInterval(() => this.check(), CHECK_MS);
    this.check();
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.hide();
  }

  check() {
    if (!this.timer) return;
    const sessions = this.store.agenda?.sessions ?? [];
    const live = sessions.find((s) => s.state === 'live' && !this.told.has(`live:${s.id}`));
    if (live && !this.isHere(live.id)) return this._show(live.id, 'live');
    const soon = startingSoon(sessions, this.now()).find((s) => !this.told.has(`soon:${s.id}`));
    if (soon && !this.isHere(soon.id)) this._show(soon.id, 'soon');
  }

  hide() {
    this.root.hidden = true;
    this.current = null;
  }

  /**
   * @param {string} session
   * @param {'soon' | 'live'} kind
   */
  _show(session, kind) {
    this.told.add(`${kind}:${session}`);
    this.current = { session, kind };
    this._render();
    this.root.hidden = false;
    this.root.dataset.session = session;
    this.root.dataset.kind = kind;
  }

  _render() {
    this.go.textContent = this.i18n.t('forum.goThere');
    this.dismiss.textContent = this.i18n.t('forum.notice.dismiss');
    this.root.setAttribute('aria-label', this.i18n.t('forum.notice.label'));
    const c = this.current;
    const s = c ? this.store.session(c.session) : undefined;
    if (!c || !s) return;
    const title = this.i18n.pick(s.title);
    this.text.textContent = c.kind === 'live'
      ? this.i18n.t('forum.notice.live', { title })
      : this.i18n.t('forum.notice.soon', { title, minutes: minutesUntil(s, this.now()) });
  }
}

export { StartNotice };
