/**
 * The booth information panel (desktop and mobile): an HTML dialog beside
 * the 3D view with the exhibitor's name, tagline, description, scenarios,
 * tags and contact link in the visitor's language.
 *
 * Every text goes in through textContent (ui/dom.js); the contact link is
 * used only if it is http(s). Esc or the close button closes it and gives
 * focus back to where it was; a language switch re-renders it in place.
 * In VR the same content goes to a 3D panel instead (ui/panel3d.js).
 */

import { byId, clear, focusedElement, h } from './dom.js';

/** The booth's texts in one language: what both the HTML and the VR panel show. */
function boothContent(booth, catalog, i18n) {
  const zone = catalog.zones?.find((z) => z.id === booth.zone);
  const web = (url) => (typeof url === 'string' && /^https?:\/\//i.test(url) ? url : null);
  // Logos and posters are the service's own content-addressed files.
  const asset = (url) => (typeof url === 'string' && /^\/[a-z0-9/_.-]+$/i.test(url) ? url : null);
  const contact = web(booth.exhibitor.contact);
  return {
    id: booth.id,
    zone: zone ? i18n.pick(zone.title) : booth.zone,
    colour: zone?.colour ?? '#888888',
    name: i18n.pick(booth.exhibitor.name),
    tagline: i18n.pick(booth.exhibitor.tagline),
    description: i18n.pick(booth.exhibitor.description),
    scenarios: (booth.scenarios ?? []).map((s) => ({ title: i18n.pick(s.title), description: i18n.pick(s.description) })),
    tags: (booth.exhibitor.tags ?? []).map((t) => i18n.pick(catalog.tags?.[t]) || t),
    contact,
    links: (booth.links ?? []).map((l) => ({ title: i18n.pick(l.title), url: web(l.url) })).filter((l) => l.url),
    logo: asset(booth.logo),
    poster: asset(booth.poster),
  };
}

class BoothPanel {
  /**
   * @param {object} deps
   * @param {() => import('../app/types.js').Catalog | null} deps.catalog returns the current catalog
   * @param {import('../i18n/i18n.js').I18n} deps.i18n
   * @param {(boothId: string) => void} deps.onWalk walk to the booth along a path
   * @param {(boothId: string) => void} deps.onTeleport jump to the booth's front
   * @param {(boothId: string|null) => void} [deps.onChange]
   */
  constructor({ catalog, i18n, onWalk, onTeleport, onChange = () => {} }) {
    this.catalog = catalog;
    this.i18n = i18n;
    this.onChange = onChange;
    this.root = byId('booth-panel');
    this.openId = null;
    this.returnFocus = null;
    byId('panel-close').addEventListener('click', () => this.close());
    byId('panel-go').addEventListener('click', () => { if (this.openId) onWalk(this.openId); });
    byId('panel-teleport').addEventListener('click', () => { if (this.openId) onTeleport(this.openId); });
    this.root.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') { ev.stopPropagation(); this.close(); }
    });
    i18n.onChange(() => { if (this.openId) this._render(this.openId); });
  }

  /** Open the panel for `boothId`; returns false if the catalog does not know it. */
  open(boothId, { focus = true } = {}) {
    const booth = this.catalog()?.booths?.find((b) => b.id === boothId);
    if (!booth) return false;
    if (!this.openId) this.returnFocus = focusedElement();
    this.openId = boothId;
    this._render(boothId);
    this.root.hidden = false;
    this.root.dataset.booth = boothId;
    if (focus) byId('panel-close').focus({ preventScroll: true });
    this.onChange(boothId);
    return true;
  }

  /** Re-render if `boothId` is the booth shown (its live revision changed). */
  refresh(boothId) {
    if (this.openId === boothId) this._render(boothId);
  }

  close() {
    if (!this.openId) return;
    this.openId = null;
    this.root.hidden = true;
    delete this.root.dataset.booth;
    const back = this.returnFocus;
    this.returnFocus = null;
    if (back && document.contains(back) && back !== document.body) back.focus({ preventScroll: true });
    this.onChange(null);
  }

  _render(boothId) {
    const catalog = this.catalog();
    const booth = catalog?.booths.find((b) => b.id === boothId);
    if (!catalog || !booth) return; // open() checked both
    const c = boothContent(booth, catalog, this.i18n);
    const zone = byId('panel-zone');
    clear(zone);
    zone.append(h('span', { className: 'zone-chip', style: { background: c.colour }, 'aria-hidden': 'true' }),
      `${this.i18n.t('panel.zone')} · ${c.zone}`);
    byId('panel-title').textContent = c.name;
    byId('panel-tagline').textContent = c.tagline;
    byId('panel-description').textContent = c.description;
    const list = byId('panel-scenarios');
    clear(list);
    for (const s of c.scenarios) list.append(h('li', {}, h('strong', {}, s.title), s.description));
    const tags = byId('panel-tags');
    clear(tags);
    for (const t of c.tags) tags.append(h('li', {}, t));
    const link = byId('panel-contact', HTMLAnchorElement);
    link.hidden = !c.contact;
    if (c.contact) link.href = c.contact;
    const links = byId('panel-links');
    clear(links);
    for (const l of c.links) {
      links.append(h('li', {}, h('a', { href: l.url, target: '_blank', rel: 'noopener noreferrer' }, l.title || l.url)));
    }
    links.hidden = !c.links.length;
    byId('panel-links-title').hidden = !c.links.length;
    showImage(byId('panel-logo'), c.logo, this.i18n.t('panel.logo', { name: c.name }));
    showImage(byId('panel-poster'), c.poster, this.i18n.t('panel.poster', { name: c.name }));
    this.root.setAttribute('aria-label', `${this.i18n.t('panel.label')}: ${c.name}`);
  }
}

function showImage(img, src, alt) {
  img.hidden = !src;
  if (!src) {
    img.removeAttribute('src');
    return;
  }
  if (img.getAttribute('src') !== src) img.src = src;
  img.alt = alt;
}

export { BoothPanel, boothContent };
