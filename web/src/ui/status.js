/**
 * Connection status: a small pill that is always there, and a banner when
 * the visitor needs to know or act (server unreachable, hall full, a newer
 * version of the hall, another tab took over, the server restarting).
 *
 * The pill is a polite live region; the banner is an alert. Countdowns
 * ("reconnecting in 3 s") tick once a second, not every frame.
 */

import { byId } from './dom.js';

const BANNER = {
  'status.unreachable': 'warn',
  'status.full': 'warn',
  'status.shutdown': 'warn',
  'status.version': 'fatal',
  'status.replaced': 'fatal',
  'status.badJoin': 'fatal',
  'status.unknownRoom': 'fatal',
  'status.revoked': 'fatal',
  'status.kicked': 'fatal',
  'status.kickedRefused': 'fatal',
  'status.banned': 'fatal',
  'status.bannedRefused': 'fatal',
  'status.reservedName': 'fatal',
};

/**
 * A unix time for people, in the page's language.
 * @param {unknown} seconds
 * @param {string} lang
 * @returns {string}
 */
function timeText(seconds, lang) {
  const s = Number(seconds);
  if (!s) return '—';
  return new Date(s * 1000).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    dateStyle: 'medium', timeStyle: 'short',
  });
}

class StatusView {
  /**
   * @param {object} deps
   * @param {import('../i18n/i18n.js').I18n} deps.i18n
   * @param {() => number} deps.secondsLeft seconds until the next reconnect
   * @param {() => void} deps.onRetry
   */
  constructor({ i18n, secondsLeft, onRetry }) {
    this.i18n = i18n;
    this.secondsLeft = secondsLeft;
    this.pill = byId('status');
    this.text = byId('status-text');
    this.banner = byId('banner');
    this.bannerText = byId('banner-text');
    this.retry = byId('banner-retry');
    this.reload = byId('banner-reload');
    this.state = 'idle';
    this.key = 'status.idle';
    this.vars = {};
    this.dismissed = null;
    this.retry.addEventListener('click', onRetry);
    this.reload.addEventListener('click', () => location.reload());
    byId('banner-dismiss').addEventListener('click', () => {
      this.dismissed = this.key;
      this.banner.hidden = true;
    });
    setInterval(() => { if (this.state === 'waiting') this.render(); }, 1000);
    i18n.onChange(() => this.render());
  }

  /** Connection.onState: (state, status key, vars). */
  set(state, key, vars = {}) {
    if (key !== this.key) this.dismissed = null;
    this.state = state;
    this.key = key;
    this.vars = vars;
    this.render();
  }

  render() {
    const vars = this.vars;
    const text = this.i18n.t(this.key, {
      seconds: this.secondsLeft(),
      reason: vars.reason || this.i18n.t('status.noReason'),
      name: vars.name ?? '',
      until: timeText(vars.until, this.i18n.lang),
    });
    this.pill.dataset.state = this.state;
    this.pill.dataset.status = this.key;
    if (this.text.textContent !== text) this.text.textContent = text;
    const severity = BANNER[this.key];
    const show = Boolean(severity) && this.dismissed !== this.key;
    this.banner.hidden = !show;
    if (show) {
      this.banner.dataset.severity = severity;
      this.banner.dataset.status = this.key;
      if (this.bannerText.textContent !== text) this.bannerText.textContent = text;
      this.retry.hidden = this.state !== 'waiting';
      this.reload.hidden = this.key !== 'status.version' && this.key !== 'status.replaced';
    }
  }
}

export { StatusView, timeText };
