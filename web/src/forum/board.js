/**
 * The agenda board at a forum hall's entrance: what is on now and what comes
 * next, with times in the visitor's time zone, readable as one walks in. Both
 * faces show it the right way round. Repainted when the agenda or a session's
 * state changes, when the language changes, and every minute (now and next
 * move on by themselves).
 */

import { CanvasBoard, textBlock } from './canvasboard.js';
import { nowAndNext, when, zoneName } from './agenda.js';
import { ensureFont, font } from '../world/fonts.js';

const STATE_COLOUR = /** @type {Record<string, string>} */ ({
  live: '#e53935', scheduled: '#1e88e5', ended: '#757575', replay: '#43a047',
});

class AgendaBoard {
  /**
   * @param {object} deps
   * @param {import('./place.js').Plane} deps.plane
   * @param {import('three').Object3D} deps.parent
   * @param {import('../i18n/i18n.js').I18n} deps.i18n
   */
  constructor({ plane, parent, i18n }) {
    this.i18n = i18n;
    this.board = new CanvasBoard({ width: plane.width, height: plane.height, px: 900, name: 'forum-agenda-board', twoSided: true });
    this.board.place(plane);
    parent.add(this.board.mesh);
    /** @type {string[]} ids of the sessions painted, in order (tests read them) */
    this.shown = [];
    this.token = 0;
  }

  /**
   * @param {import('./agenda.js').ForumSession[]} sessions this hall's sessions
   * @param {string} title the hall's name in the visitor's language
   * @param {number} nowMs
   */
  async paint(sessions, title, nowMs) {
    const token = ++this.token;
    const i18n = this.i18n;
    const { now, next } = nowAndNext(sessions, nowMs, 4);
    const rows = [...now, ...next];
    await ensureFont(title + rows.map((s) => i18n.pick(s.title)).join('') + i18n.t('forum.agenda.title'));
    if (token !== this.token) return;
    this.board.paint((g, W, H) => {
      g.fillStyle = '#102a3f';
      g.fillRect(0, 0, W, H);
      g.fillStyle = '#ffd54f';
      g.fillRect(0, 0, W, 14);
      let y = textBlock(g, title, { x: 44, y: 40, width: W - 88, size: 60, weight: 700, maxLines: 1 });
      y = textBlock(g, i18n.t('forum.agenda.title'), { x: 44, y, width: W - 88, size: 40, colour: 'rgba(255,255,255,0.75)', maxLines: 1 });
      y += 20;
      if (!rows.length) textBlock(g, i18n.t('forum.board.done'), { x: 44, y, width: W - 88, size: 40, maxLines: 4 });
      let heading = '';
      for (const s of rows) {
        if (y > H - 170) break;
        const label = s.state === 'live' ? i18n.t('forum.board.now') : i18n.t('forum.board.next');
        if (label !== heading) {
          heading = label;
          y = textBlock(g, label, { x: 44, y: y + 10, width: W - 88, size: 36, weight: 700, colour: '#ffd54f', maxLines: 1 });
        }
        const w = when(s, i18n.lang);
        g.fillStyle = STATE_COLOUR[s.state] ?? '#757575';
        g.fillRect(44, y + 6, 10, 96);
        g.font = font(34, 700);
        g.fillStyle = '#ffffff';
        g.textBaseline = 'top';
        const time = `${w.day} ${w.time}`;
        g.fillText(time, 72, y);
        g.font = font(28, 700);
        g.fillStyle = STATE_COLOUR[s.state] ?? '#757575';
        g.fillText(i18n.t(`forum.state.${s.state}`), 72 + g.measureText(`${time}  `).width * (34 / 28), y + 4);
        y = textBlock(g, i18n.pick(s.title), { x: 72, y: y + 46, width: W - 116, size: 40, weight: 700, maxLines: 2 });
        y += 18;
      }
      textBlock(g, i18n.t('forum.agenda.zone', { zone: zoneName(new Date(nowMs), i18n.lang) }),
        { x: 44, y: H - 64, width: W - 88, size: 28, colour: 'rgba(255,255,255,0.6)', maxLines: 1 });
    });
    this.shown = rows.map((s) => s.id);
  }
}

export { AgendaBoard };
