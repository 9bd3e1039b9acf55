/**
 * The reach dashboards of the exhibitor portal (one booth) and the staff console (the
 * whole hall): a page of the portal holds `<div id="reach-dashboard" data-kind="booth"
 * data-booth="…" data-lang="zh" data-strings="{…}">`, and this module fills it with
 * figures and charts from the JSON API, then refreshes them every few seconds (the
 * charts update in place; no reload). The words come from the page (portal/i18n.py),
 * so the server keeps the one list of the portal's strings. The root's
 * `data-updated` counts refreshes and `data-error` says what went wrong last.
 */

import {
  barsOption, dwellOption, flowsOption, heatOption, histogramOption, makeChart, visitsOption,
} from './charts.js';
import { countText } from './estimate.js';

const REFRESH_MS = 5000;

/**
 * @param {string} tag
 * @param {string} [className]
 * @param {string} [text]
 */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** @param {number} seconds */
function duration(seconds) {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

class Dashboard {
  /** @param {HTMLElement} root */
  constructor(root) {
    this.root = root;
    this.kind = root.dataset.kind ?? 'booth';
    this.booth = root.dataset.booth ?? '';
    this.lang = root.dataset.lang === 'zh' ? 'zh' : 'en';
    /** @type {Record<string, string>} */
    this.strings = JSON.parse(root.dataset.strings ?? '{}');
    /** @type {Record<string, any>} */
    this.names = JSON.parse(root.dataset.names ?? '{}');
    this.t = (/** @type {string} */ key) => this.strings[key] ?? key;
    this.updates = 0;
    /** @type {Record<string, any>} */
    this.charts = {};
    this.kpis = el('dl', 'kpis');
    this.root.append(this.kpis);
  }

  /** A chart panel with a heading (made once, reused by every refresh). */
  chart(id, heading) {
    if (!this.charts[id]) {
      const box = el('section', 'chart-box');
      box.append(el('h2', '', this.t(heading)));
      const area = el('div', 'chart');
      area.id = `chart-${id}`;
      box.append(area);
      this.root.append(box);
      this.charts[id] = makeChart(area, /** @type {'zh' | 'en'} */ (this.lang));
    }
    return this.charts[id];
  }

  /** @param {Array<[string, string, (string | undefined)?]>} items key, value, and a note key under the value */
  setKpis(items) {
    this.kpis.replaceChildren(...items.flatMap(([key, value, note]) => {
      const box = el('div', 'kpi');
      box.append(el('dt', '', this.t(key)), el('dd', '', value));
      if (note) box.append(el('dd', 'meta', this.t(note)));
      box.dataset.kpi = key;
      return [box];
    }));
  }

  /** One GET of the API as JSON (an error says which status came back). */
  async get(url) {
    const res = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return res.json();
  }

  /** Fetch everything first, then draw it all: figures and cards never disagree on screen. */
  async refresh() {
    const booth = `/api/reach/booths/${encodeURIComponent(this.booth)}`;
    try {
      if (this.kind === 'booth') {
        const [data, cards] = await Promise.all([this.get(booth), this.get(`${booth}/cards`)]);
        this.showBooth(data);
        this.showCards(cards.cards);
      } else {
        this.showHall(await this.get('/api/reach/overview'));
      }
      this.updates += 1;
      this.root.dataset.updated = String(this.updates);
      delete this.root.dataset.error;
    } catch (err) {
      this.root.dataset.error = err instanceof Error ? err.message : String(err);
    }
  }

  /** @param {any} data GET /api/reach/booths/{id} */
  showBooth(data) {
    const tot = data.totals;
    const avg = tot.visits ? tot.dwell_s / tot.visits : 0;
    this.setKpis([
      ['visits', String(tot.visits)],
      ['unique_visitors', String(tot.unique_visitors)],
      ['dwell_average', duration(avg)],
      ['panel_opens', String(tot.panel_opens)],
      ['link_clicks', String(tot.link_clicks)],
      ['leads', String(tot.leads)],
      ['here_now', String(data.live.now)],
    ]);
    this.chart('visits', 'visits_over_time').setOption(visitsOption(data, this.t));
    this.chart('dwell', 'dwell_over_time').setOption(dwellOption(data, this.t));
    this.chart('histogram', 'dwell_distribution').setOption(histogramOption(tot.dwell_hist, this.t));
    if (data.heat) {
      const h = data.heat;
      /** @type {Array<[number, number, number]>} */
      const cells = [];
      h.seconds.forEach((/** @type {number[]} */ row, /** @type {number} */ r) => {
        row.forEach((v, c) => { if (v > 0) cells.push([c, r, v]); });
      });
      const outline = [{ name: this.booth, area: [h.booth.x[0], h.booth.x[1], h.booth.z[0], h.booth.z[1]] }];
      this.chart('heat', 'heatmap_booth').setOption(heatOption(h, cells, outline), true);
    }
  }

  /** @param {any[]} cards GET /api/reach/booths/{id}/cards */
  showCards(cards) {
    let box = this.root.querySelector('#reach-cards');
    if (!box) {
      box = el('section', 'chart-box cards');
      box.id = 'reach-cards';
      this.root.append(box);
    }
    const table = el('table', 'cards-table');
    const head = el('tr');
    for (const key of ['card_name', 'card_organisation', 'card_title', 'card_contact', 'card_message', 'card_left_at']) {
      head.append(el('th', '', this.t(key)));
    }
    table.append(head);
    for (const c of cards) {
      const row = el('tr');
      for (const value of [c.name, c.organisation, c.title, [c.email, c.phone].filter(Boolean).join(' · '), c.message, c.left_at.replace('T', ' ').slice(0, 16)]) {
        row.append(el('td', '', value));
      }
      table.append(row);
    }
    const links = el('p', 'exports');
    for (const [format, key] of [['csv', 'export_csv'], ['json', 'export_json']]) {
      const a = /** @type {HTMLAnchorElement} */ (el('a', 'button secondary', this.t(key)));
      a.href = `/api/reach/booths/${encodeURIComponent(this.booth)}/cards?format=${format}`;
      a.download = `cards-${this.booth}.${format}`;
      links.append(a, ' ');
    }
    box.replaceChildren(el('h2', '', `${this.t('leads')} (${cards.length})`),
      cards.length ? table : el('p', 'meta', this.t('no_cards')), links);
  }

  /** @param {any} data GET /api/reach/overview */
  showHall(data) {
    const zoneName = (/** @type {string} */ id) => this.names.zones?.[id] ?? id;
    const boothName = (/** @type {string} */ id) => this.names.booths?.[id] ?? id;
    const halls = Object.values(data.live.halls);
    const now = halls.reduce((n, h) => n + h.visitors, 0);
    this.setKpis([
      ['here_now', String(now)],
      ['unique_visitors_today', countText(data.live.unique_visitors_today, data.live.approximate),
        data.live.approximate ? 'estimate' : undefined],
      ['visits_today', String(data.top_booths.reduce((n, b) => n + b.visits, 0))],
    ]);
    const zones = /** @type {Array<[string, number]>} */ (halls.flatMap((h) => Object.entries(h.zones))
      .map(([z, n]) => [zoneName(z), n]));
    this.chart('zones', 'occupancy_now').setOption(barsOption(zones, this.t('here_now'), '#1565c0'));
    const top = data.top_booths.map((/** @type {any} */ b) => [boothName(b.id), b.visits]);
    this.chart('top', 'top_booths').setOption(barsOption(top, this.t('visits'), '#fb8c00'));
    this.chart('flows', 'zone_flows').setOption(flowsOption(data.flows, zoneName), true);
    for (const [id, hall] of Object.entries(data.live.halls)) {
      const g = hall.grid;
      // Two-metre squares keep the hall's chart readable on a phone.
      const merge = 2;
      const grid = { ...g, cell: g.cell * merge, columns: Math.ceil(g.columns / merge), rows: Math.ceil(g.rows / merge) };
      /** @type {Map<number, number>} */
      const sums = new Map();
      for (const [cell, n] of hall.heat) {
        const c = Math.floor((cell % g.columns) / merge);
        const r = Math.floor(Math.floor(cell / g.columns) / merge);
        const key = r * grid.columns + c;
        sums.set(key, (sums.get(key) ?? 0) + n);
      }
      const cells = [...sums].map(([key, n]) => /** @type {[number, number, number]} */ ([key % grid.columns, Math.floor(key / grid.columns), n]));
      const outlines = Object.entries(hall.zone_areas).map(([z, area]) => ({ name: zoneName(z), area }));
      this.chart(`hall-${id}`, 'heatmap_hall').setOption(heatOption(grid, cells, outlines), true);
    }
    const forumName = (/** @type {string} */ sid) => this.names.forums?.[sid] ?? sid;
    /** @type {Array<[string, number]>} */
    const forums = Object.entries(data.forums).map(([sid, f]) => [forumName(sid), f.unique_visitors]);
    /** @type {Array<[string, number]>} */
    const liveForums = halls.flatMap((h) => Object.entries(h.forums)
      .map(([sid, n]) => /** @type {[string, number]} */ ([`${forumName(sid)} (${this.t('here_now')})`, n])));
    this.chart('forums', 'forum_attendance')
      .setOption(barsOption([...liveForums, ...forums], this.t('unique_visitors'), '#2e7d32'));
  }

  start() {
    this.refresh();
    setInterval(() => this.refresh(), Number(this.root.dataset.refreshMs ?? REFRESH_MS));
  }
}

const root = document.getElementById('reach-dashboard');
if (root) new Dashboard(root).start();

export { Dashboard };
