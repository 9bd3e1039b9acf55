/**
 * The top questions beside the stage: a board next to the slide screen that
 * the whole audience reads (and a headset in VR), painted from the questions
 * the server sends (`forum.questions`: approved, pinned first, then by votes).
 * Question texts are other visitors' words: drawn as text on a canvas, never
 * parsed as anything.
 */

import { CanvasBoard, textBlock } from './canvasboard.js';
import { cleanText } from '../ui/sanitize.js';
import { ensureFont, font } from '../world/fonts.js';

const SHOWN = 5;

class QuestionsBoard {
  /**
   * @param {object} deps
   * @param {import('./place.js').Plane} deps.plane
   * @param {import('three').Object3D} deps.parent
   * @param {import('../i18n/i18n.js').I18n} deps.i18n
   */
  constructor({ plane, parent, i18n }) {
    this.i18n = i18n;
    this.board = new CanvasBoard({ width: plane.width, height: plane.height, px: 1000, name: 'forum-questions' });
    this.board.place(plane);
    this.board.show(false);
    parent.add(this.board.mesh);
    /** @type {number[]} ids of the questions painted, in order (tests read them) */
    this.shown = [];
    this.token = 0;
    /** what the board shows (the caller's key: repaint only when it changes) */
    this.key = '';
  }

  /**
   * @param {import('./store.js').Question[] | null} questions null hides the board (no live session)
   */
  async show(questions) {
    const token = ++this.token;
    if (!questions) {
      this.board.show(false);
      this.shown = [];
      return;
    }
    const top = questions.slice(0, SHOWN);
    const t = (/** @type {string} */ k, /** @type {Record<string, unknown>} */ v = {}) => this.i18n.t(k, v);
    await ensureFont(top.map((q) => q.text + (q.name ?? '')).join('') + t('forum.q.title') + t('forum.q.none'));
    if (token !== this.token) return;
    this.board.paint((g, W, H) => {
      g.fillStyle = 'rgba(13, 35, 56, 0.94)';
      g.fillRect(0, 0, W, H);
      g.fillStyle = '#ffd54f';
      g.fillRect(0, 0, W, 12);
      let y = textBlock(g, t('forum.q.title'), { x: 48, y: 44, width: W - 96, size: 64, weight: 700, maxLines: 1 });
      y += 20;
      if (!top.length) textBlock(g, t('forum.q.none'), { x: 48, y, width: W - 96, size: 44, colour: 'rgba(255,255,255,0.8)', maxLines: 3 });
      for (const q of top) {
        if (y > H - 160) break;
        g.font = font(46, 700);
        g.fillStyle = q.pinned ? '#ffd54f' : '#8fd3ff';
        g.textBaseline = 'top';
        g.fillText(`▲ ${q.votes}`, 48, y + 4);
        const x = 220;
        y = textBlock(g, cleanText(q.text, 300), { x, y, width: W - x - 48, size: 44, weight: 700, maxLines: 3 });
        const who = q.name ? cleanText(q.name, 32) : t('forum.q.anonymousName');
        y = textBlock(g, q.pinned ? `${who} · ${t('forum.q.pinned')}` : who,
          { x, y: y + 4, width: W - x - 48, size: 34, colour: 'rgba(255,255,255,0.7)', maxLines: 1 });
        y += 30;
      }
    });
    this.board.show(true);
    this.shown = top.map((q) => q.id);
  }
}

export { QuestionsBoard };
