/**
 * The replay of an ended session: its stage audio (the Ogg Opus file the
 * server recorded) in an audio element, the slides turning at the moments
 * they were shown, and the questions that were answered (a click jumps to
 * when). Without audio (nothing was recorded) a clock of its own runs the
 * slides with a play button and a slider.
 */

import { button, ForumDialog, rebuild } from './dialog.js';
import { clock, slideAt } from './timeline.js';
import { fetchJson } from '../app/api.js';
import { cleanText } from '../ui/sanitize.js';
import { h } from '../ui/dom.js';

/**
 * @typedef {object} Replay `GET /api/forums/sessions/<id>/replay`
 * @property {string} session
 * @property {{url: string, media_type: string, bytes: number} | null} audio
 * @property {number} duration_ms
 * @property {import('./timeline.js').SlideEvent[]} timeline
 * @property {{id: number, text: string, name: string | null, votes: number, at_ms: number | null}[]} questions
 */

class ReplayPanel {
  /**
   * @param {object} deps
   * @param {import('../i18n/i18n.js').I18n} deps.i18n
   * @param {import('./store.js').ForumStore} deps.store
   * @param {(url: string) => Promise<any>} [deps.fetch]
   */
  constructor({ i18n, store, fetch = (url) => fetchJson(url) }) {
    this.i18n = i18n;
    this.store = store;
    this.fetch = fetch;
    this.dialog = new ForumDialog({ id: 'forum-replay', titleKey: 'forum.replay.title', i18n, className: 'forum-replay', onClose: () => this._stop() });
    this.kicker = h('p', { className: 'kicker' });
    this.audio = /** @type {HTMLAudioElement} */ (h('audio', { controls: true, preload: 'metadata' }));
    this.noAudio = h('div', { className: 'forum-replay-clock' });
    this.slide = /** @type {HTMLImageElement} */ (h('img', { className: 'forum-slide', alt: '' }));
    this.caption = h('p', { className: 'hint' });
    this.answeredTitle = h('h3', {});
    this.answered = h('ol', { className: 'forum-questions' });
    this.status = h('p', { className: 'error', role: 'alert' });
    this.dialog.body.append(this.kicker, this.status, this.slide, this.caption, this.audio, this.noAudio, this.answeredTitle, this.answered);
    /** @type {Replay | null} */
    this.replay = null;
    /** @type {string | null} */
    this.session = null;
    this.ownClock = { playing: false, startedAt: 0, base: 0 };
    /** @type {ReturnType<typeof setInterval> | null} */
    this.timer = null;
    this.audio.addEventListener('timeupdate', () => this._follow());
    this.audio.addEventListener('seeked', () => this._follow());
    i18n.onChange(() => { if (this.dialog.isOpen) this._render(); });
  }

  /** @param {string} session */
  async open(session) {
    this.session = session;
    this.replay = null;
    this.status.textContent = '';
    this._render();
    this.dialog.open();
    try {
      const replay = /** @type {Replay} */ (await this.fetch(`/api/forums/sessions/${encodeURIComponent(session)}/replay`));
      if (this.session !== session) return;
      this.replay = replay;
    } catch (err) {
      this.status.textContent = this.i18n.t('forum.replay.failed', { reason: err instanceof Error ? err.message : String(err) });
    }
    this._render();
  }

  /** The moment of the replay now (ms from the session's start). */
  get positionMs() {
    if (this.replay?.audio) return this.audio.currentTime * 1000;
    const c = this.ownClock;
    return c.playing ? c.base + (performance.now() - c.startedAt) : c.base;
  }

  /** @param {number} ms jump there */
  seek(ms) {
    if (this.replay?.audio) this.audio.currentTime = ms / 1000;
    else this.ownClock = { ...this.ownClock, base: ms, startedAt: performance.now() };
    this._follow();
  }

  _render() {
    const { i18n } = this;
    const s = this.session ? this.store.session(this.session) : undefined;
    this.dialog.setTitle(s ? `${i18n.t('forum.replay.title')} · ${i18n.pick(s.title)}` : i18n.t('forum.replay.title'));
    this.dialog.root.dataset.session = this.session ?? '';
    const r = this.replay;
    this.kicker.textContent = r ? clock(r.duration_ms) : '';
    this.audio.hidden = !r?.audio;
    if (r?.audio && this.audio.getAttribute('src') !== r.audio.url) this.audio.src = r.audio.url;
    this.noAudio.hidden = !r || Boolean(r.audio);
    if (r && !r.audio) this._clockControls(r);
    this.answeredTitle.textContent = i18n.t('forum.replay.answered');
    this.answeredTitle.hidden = !r?.questions.length;
    rebuild(this.answered, () => (r?.questions ?? []).map((q) => h('li', { className: 'forum-question', dataset: { question: String(q.id) } },
      h('span', { className: 'votes' }, `▲ ${q.votes}`),
      h('span', { className: 'text' }, cleanText(q.text, 300)),
      h('span', { className: 'who' }, q.name ? cleanText(q.name, 32) : i18n.t('forum.q.anonymousName')),
      q.at_ms === null ? null : button(i18n.t('forum.replay.at', { time: clock(q.at_ms) }), () => this.seek(/** @type {number} */ (q.at_ms)),
        { className: 'small secondary', key: `at:${q.id}` }))));
    this._follow();
  }

  /** @param {Replay} r */
  _clockControls(r) {
    const { i18n } = this;
    const range = /** @type {HTMLInputElement} */ (h('input', { type: 'range', min: '0', max: String(r.duration_ms), step: '1000', value: String(this.positionMs) }));
    range.setAttribute('aria-label', i18n.t('forum.replay.title'));
    range.addEventListener('input', () => this.seek(Number(range.value)));
    const play = button(this.ownClock.playing ? '❚❚' : '▶', () => {
      const c = this.ownClock;
      this.ownClock = c.playing ? { playing: false, base: this.positionMs, startedAt: 0 } : { playing: true, base: c.base, startedAt: performance.now() };
      this._render();
    }, { key: 'play', ariaLabel: i18n.t('forum.watchReplay') });
    this.noAudio.replaceChildren(h('p', { className: 'hint' }, i18n.t('forum.replay.noAudio')), play, range);
    if (this.ownClock.playing) this.timer ??= setInterval(() => {
      range.value = String(this.positionMs);
      this._follow();
    }, 250);
  }

  _follow() {
    const r = this.replay;
    const event = r ? slideAt(r.timeline, this.positionMs) : null;
    this.slide.hidden = !event?.url;
    if (event?.url && this.slide.getAttribute('src') !== event.url) this.slide.src = event.url;
    if (event) {
      const count = Math.max(event.page, ...(r?.timeline ?? []).map((e) => e.page));
      this.slide.alt = this.i18n.t('forum.live.slideAlt', { page: event.page, count });
      this.dialog.root.dataset.page = String(event.page);
    }
    this.caption.textContent = r ? `${clock(this.positionMs)} / ${clock(r.duration_ms)}` : '';
  }

  _stop() {
    this.audio.pause();
    this.ownClock = { playing: false, base: 0, startedAt: 0 };
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.session = null;
  }
}

export { ReplayPanel };
