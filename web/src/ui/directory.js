/**
 * The directory: every zone (and the plaza, the forum hall, the entrance)
 * with the booths in it, each a button that teleports you there, and a
 * search over the booths by name, tag and zone in both languages
 * (ui/search.js). It is also the keyboard way to travel, since the minimap
 * needs a pointer.
 */

import { byId, clear, focusedElement, h } from './dom.js';
import { boothIndex, searchBooths } from './search.js';

class Directory {
  /**
   * @param {object} deps
   * @param {import('../i18n/i18n.js').I18n} deps.i18n
   * @param {() => import('../app/types.js').Catalog | null} deps.catalog
   * @param {() => string} deps.hallId
   * @param {(x: number, z: number, yaw: number, label: string) => void} deps.onGo
   * @param {(boothId: string) => void} deps.onBooth go to a booth
   */
  constructor({ i18n, catalog, hallId, onGo, onBooth }) {
    this.i18n = i18n;
    this.catalog = catalog;
    this.hallId = hallId;
    this.onGo = onGo;
    this.onBooth = onBooth;
    this.root = byId('directory');
    this.list = byId('dir-list');
    this.search = byId('dir-search', HTMLInputElement);
    this.found = byId('dir-found');
    /** @type {{catalog: object | null, index: Map<string, string>}} the search index of the catalog it was built from */
    this.indexed = { catalog: null, index: new Map() };
    this.search.addEventListener('input', () => this._render());
    this.toggle = byId('btn-directory');
    this.returnFocus = null;
    this.toggle.addEventListener('click', () => (this.root.hidden ? this.open() : this.close()));
    byId('dir-close').addEventListener('click', () => this.close());
    this.root.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') { ev.stopPropagation(); this.close(); }
    });
    i18n.onChange(() => { if (!this.root.hidden) this._render(); });
  }

  /** Destinations: [{id, label, detail, colour, x, z, yaw}] for the current hall. */
  destinations() {
    const c = this.catalog();
    if (!c) return [];
    const hall = this.hallId();
    const t = (k, v) => this.i18n.t(k, v);
    const pick = (x) => this.i18n.pick(x);
    const out = [];
    const h0 = c.halls?.find((x) => x.id === hall);
    if (h0) {
      out.push({ id: 'spawn', label: t('dir.spawn'), x: h0.spawn[0], z: h0.spawn[2], yaw: (h0.spawn_yaw_deg * Math.PI) / 180 });
    }
    if (c.plaza?.hall === hall) {
      const a = c.plaza.area;
      out.push({ id: 'plaza', label: pick(c.plaza.title) || t('dir.plaza'), x: (a.x[0] + a.x[1]) / 2, z: (a.z[0] + a.z[1]) / 2 + 8, yaw: 0 });
    }
    for (const f of c.forum_halls ?? []) {
      if (f.hall !== hall) continue;
      // Stand behind the seats, looking at the stage.
      const stageX = (f.stage.x[0] + f.stage.x[1]) / 2;
      const x = Math.max(f.area.x[0] + 2, f.stage.x[0] - 30);
      out.push({ id: `forum:${f.id}`, label: pick(f.title) || t('dir.forum'), x, z: (f.area.z[0] + f.area.z[1]) / 2,
        yaw: Math.atan2(-(stageX - x), 0) });
    }
    for (const z of c.zones ?? []) {
      if (z.hall !== hall) continue;
      const n = (c.booths ?? []).filter((b) => b.zone === z.id).length;
      // Booths stand in two columns along an aisle down the zone's middle (scenes/README.md):
      // arrive at the aisle's end nearer the hall's centre, looking along it.
      const x = (z.area.x[0] + z.area.x[1]) / 2;
      const south = (z.area.z[0] + z.area.z[1]) / 2 > 0;
      const zz = south ? z.area.z[0] + 3 : z.area.z[1] - 3;
      const yaw = south ? Math.PI : 0;
      out.push({ id: `zone:${z.id}`, label: pick(z.title), detail: t('dir.booths', { n }), colour: z.colour, x, z: zz, yaw });
    }
    return out;
  }

  open() {
    this.returnFocus = focusedElement();
    this._render();
    this.root.hidden = false;
    this.toggle.setAttribute('aria-expanded', 'true');
    this.search.focus({ preventScroll: true });
  }

  close() {
    if (this.root.hidden) return;
    this.root.hidden = true;
    this.toggle.setAttribute('aria-expanded', 'false');
    const back = this.returnFocus;
    this.returnFocus = null;
    if (back && document.contains(back) && back !== document.body) back.focus({ preventScroll: true });
  }

  /**
   * The booths of this hall matching `query` (all of them for an empty one), in catalog order.
   * @param {string} query
   * @returns {import('../app/types.js').Booth[]}
   */
  booths(query) {
    const c = this.catalog();
    if (!c) return [];
    if (this.indexed.catalog !== c) this.indexed = { catalog: c, index: boothIndex(c) };
    const hall = this.hallId();
    const byBoothId = new Map((c.booths ?? []).map((b) => [b.id, b]));
    /** @type {import('../app/types.js').Booth[]} */
    const out = [];
    for (const id of searchBooths(this.indexed.index, query)) {
      const b = byBoothId.get(id);
      if (b && b.hall === hall) out.push(b);
    }
    return out;
  }

  _render() {
    clear(this.list);
    const query = this.search.value.trim();
    if (query) {
      const found = this.booths(query);
      this.found.textContent = found.length ? this.i18n.t('dir.found', { n: found.length }) : this.i18n.t('dir.none');
      for (const b of found) this.list.append(h('li', {}, this._boothButton(b, true)));
      return;
    }
    this.found.textContent = '';
    const all = this.booths('');
    for (const d of this.destinations()) {
      const button = h('button', { type: 'button', dataset: { dest: d.id } },
        d.colour ? h('span', { className: 'zone-chip', style: { background: d.colour }, 'aria-hidden': 'true' }) : null,
        h('span', {}, d.label),
        d.detail ? h('span', { className: 'count' }, d.detail) : null);
      button.addEventListener('click', () => {
        this.onGo(d.x, d.z, d.yaw, d.label);
        this.close();
      });
      const inZone = d.id.startsWith('zone:') ? all.filter((b) => `zone:${b.zone}` === d.id) : [];
      const booths = inZone.length
        ? h('ul', { className: 'dir-booths', 'aria-label': this.i18n.t('dir.boothsOf', { zone: d.label }) },
          inZone.map((b) => h('li', {}, this._boothButton(b, false))))
        : null;
      this.list.append(h('li', {}, button, booths));
    }
  }

  /**
   * @param {import('../app/types.js').Booth} booth
   * @param {boolean} withZone name the zone too (search results mix zones)
   */
  _boothButton(booth, withZone) {
    const zone = withZone ? this.catalog()?.zones?.find((z) => z.id === booth.zone) : undefined;
    const button = h('button', { type: 'button', dataset: { booth: booth.id } },
      h('span', {}, this.i18n.pick(booth.exhibitor?.name) || booth.id),
      zone ? h('span', { className: 'zone-of' }, this.i18n.pick(zone.title)) : null);
    button.addEventListener('click', () => {
      this.onBooth(booth.id);
      this.close();
    });
    return button;
  }
}

export { Directory };
