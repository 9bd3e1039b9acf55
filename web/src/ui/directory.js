/**
 * The zone directory: every zone (and the plaza, the forum hall, the
 * entrance) as a button that teleports you there. It is also the keyboard
 * way to travel, since the minimap needs a pointer.
 */

import { byId, clear, focusedElement, h } from './dom.js';

class Directory {
  /**
   * @param {object} deps
   * @param {import('../i18n/i18n.js').I18n} deps.i18n
   * @param {() => import('../app/types.js').Catalog | null} deps.catalog
   * @param {() => string} deps.hallId
   * @param {(x: number, z: number, yaw: number, label: string) => void} deps.onGo
   */
  constructor({ i18n, catalog, hallId, onGo }) {
    this.i18n = i18n;
    this.catalog = catalog;
    this.hallId = hallId;
    this.onGo = onGo;
    this.root = byId('directory');
    this.list = byId('dir-list');
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
    this.list.querySelector('button')?.focus({ preventScroll: true });
  }

  close() {
    if (this.root.hidden) return;
    this.root.hidden = true;
    this.toggle.setAttribute('aria-expanded', 'false');
    const back = this.returnFocus;
    this.returnFocus = null;
    if (back && document.contains(back) && back !== document.body) back.focus({ preventScroll: true });
  }

  _render() {
    clear(this.list);
    for (const d of this.destinations()) {
      const button = h('button', { type: 'button', dataset: { dest: d.id } },
        d.colour ? h('span', { className: 'zone-chip', style: { background: d.colour }, 'aria-hidden': 'true' }) : null,
        h('span', {}, d.label),
        d.detail ? h('span', { className: 'count' }, d.detail) : null);
      button.addEventListener('click', () => {
        this.onGo(d.x, d.z, d.yaw, d.label);
        this.close();
      });
      this.list.append(h('li', {}, button));
    }
  }
}

export { Directory };
