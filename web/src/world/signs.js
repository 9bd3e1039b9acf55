/**
 * Paints the hall's signs in the visitor's language.
 *
 * The hall GLB carries no text: every sign mesh maps its own rectangle
 * (userData.sign.rect, UV units with (0, 0) at the image's top-left, glTF
 * style) of one texture on the shared "signs" material. This module draws
 * each sign's words into a canvas of the same shape at that rectangle and
 * swaps the canvas in as the material's map; a language change repaints it.
 * Each sign is drawn in a virtual box of its real aspect ratio, then scaled
 * into its rectangle, so letters are never stretched even if the atlas
 * rectangle is not exactly the sign's shape.
 */

import { CanvasTexture, Color, SRGBColorSpace } from 'three';
import { ensureFont, font } from './fonts.js';
import { fitText, wrapLines } from './text.js';
import { context2d } from '../ui/dom.js';

const INK = '#ffffff';
const SOFT_INK = 'rgba(255,255,255,0.82)';
const PANEL = '#1f2d3a';

function shade(hex, amount) {
  return `#${new Color(hex).lerp(new Color(0x101820), amount).getHexString()}`;
}

/** The text in the language other than the visitor's (gateways show both). */
function other(text, i18n) {
  if (!text) return '';
  return i18n.lang === 'zh' ? text.en ?? '' : text.zh ?? '';
}

/** Every text a sign of `kind`/`id` shows, in `i18n`'s language. */
function signTexts(sign, catalog, i18n) {
  const pick = (t) => i18n.pick(t);
  switch (sign.kind) {
    case 'booth': {
      const booth = catalog?.booths?.find((b) => b.id === sign.id);
      if (!booth) return { title: sign.id };
      const zone = catalog.zones?.find((z) => z.id === booth.zone);
      return { title: pick(booth.exhibitor.name), subtitle: pick(booth.exhibitor.tagline), colour: zone?.colour };
    }
    case 'zone': {
      const zone = catalog?.zones?.find((z) => z.id === sign.id);
      if (!zone) return { title: sign.id };
      const n = catalog.booths.filter((b) => b.zone === zone.id).length;
      return { title: pick(zone.title), subtitle: i18n.t('sign.booths', { n }), colour: zone.colour };
    }
    case 'forum': {
      const forum = catalog?.forum_halls?.find((f) => f.id === sign.id);
      return { title: forum ? pick(forum.title) : sign.id, subtitle: i18n.t('sign.forumNow') };
    }
    case 'gate': {
      const zone = catalog?.zones?.find((z) => z.id === sign.id);
      if (!zone) return { title: sign.id };
      return { title: pick(zone.title), subtitle: other(zone.title, i18n), colour: zone.colour };
    }
    case 'entrance': {
      const title = (catalog?.expo ?? catalog)?.title;
      return { title: title?.zh ?? sign.id, subtitle: title?.en ?? '', colour: '#1f3b57', banner: true };
    }
    case 'hall': {
      const hall = catalog?.halls?.find((h) => h.id === sign.id);
      return { title: pick((catalog?.expo ?? catalog)?.title) || sign.id, subtitle: hall ? pick(hall.title) : '' };
    }
    case 'info_wall':
      return { wall: catalog?.plaza?.info_wall, title: pick(catalog?.plaza?.info_wall?.headline) };
    default:
      return { title: sign.id };
  }
}

class SignPainter {
  /**
   * @param {object} [opts]
   * @param {number[]} [opts.size=[2048, 2048]] atlas pixels (the builder's sign_atlas_px)
   * @param {Document} [opts.doc=document]
   */
  constructor({ size = [2048, 2048], doc = document } = {}) {
    this.canvas = doc.createElement('canvas');
    this.canvas.width = size[0];
    this.canvas.height = size[1];
    this.ctx = context2d(this.canvas);
    this.texture = new CanvasTexture(this.canvas);
    this.texture.flipY = false; // glTF UVs: (0, 0) is the image's top-left
    this.texture.colorSpace = SRGBColorSpace;
    this.texture.anisotropy = 4;
    this.painted = 0;
    this.generation = 0;
  }

  /**
   * Paint `signs` (from hall.js) for `catalog` in `i18n`'s language onto `material`.
   * Resolves once painted (after the glyphs it needs have loaded). A booth whose sign
   * carries the exhibitor's logo plate (`logoAt(id)`, branding.js: a square as tall as the
   * sign at its left end) has its words laid out beside the plate, not under it.
   * @param {any[]} signs
   * @param {any} material
   * @param {any} catalog
   * @param {any} i18n
   * @param {{logoAt?: (boothId: string) => boolean}} [opts]
   */
  async paint(signs, material, catalog, i18n, { logoAt = () => false } = {}) {
    const generation = ++this.generation;
    const texts = signs.map((s) => signTexts(s, catalog, i18n));
    const all = texts.map((t) => [t.title, t.subtitle, ...wallTexts(t.wall, i18n)].join('')).join('');
    await ensureFont(all);
    if (generation !== this.generation) return; // a newer paint (language switch) won
    const ctx = this.ctx;
    const W = this.canvas.width;
    const H = this.canvas.height;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#7a8590';
    ctx.fillRect(0, 0, W, H);
    const done = new Set();
    signs.forEach((sign, i) => {
      const key = `${sign.kind}:${sign.id}`;
      if (done.has(key)) return; // several meshes of one sign share its rectangle
      done.add(key);
      const [u0, v0, u1, v1] = sign.rect;
      const px = u0 * W;
      const py = v0 * H;
      const pw = (u1 - u0) * W;
      const ph = (v1 - v0) * H;
      if (pw < 2 || ph < 2) return;
      const aspect = sign.aspect > 0 ? sign.aspect : pw / ph;
      // A virtual box of the sign's true shape, as tall as its rectangle.
      const vh = ph;
      const vw = vh * aspect;
      ctx.save();
      ctx.beginPath();
      ctx.rect(px, py, pw, ph);
      ctx.clip();
      ctx.setTransform(pw / vw, 0, 0, 1, px, py);
      const inset = sign.kind === 'booth' && logoAt(sign.id) ? vh : 0;
      if (texts[i].wall) paintWall(ctx, vw, vh, texts[i].wall, i18n);
      else paintPlate(ctx, vw, vh, texts[i], inset);
      ctx.restore();
    });
    this.painted = done.size;
    this.texture.needsUpdate = true;
    if (material) {
      material.map = this.texture;
      material.color?.set(0xffffff);
      if (material.emissive) {
        // Signs stay readable in the hall's shade.
        material.emissive.set(0xffffff);
        material.emissiveMap = this.texture;
        material.emissiveIntensity = 0.35;
      }
      material.needsUpdate = true;
    }
  }

  dispose() {
    this.texture.dispose();
  }
}

function measureWith(ctx, weight) {
  return (size) => {
    ctx.font = font(size, weight);
    return (s) => ctx.measureText(s).width;
  };
}

/**
 * Where a plate's words go: centred in what is left right of `inset` (a logo plate's width),
 * `pad` from every edge.
 * @param {number} w plate width (virtual px)
 * @param {number} h plate height
 * @param {number} [inset] width kept free at the left end
 */
function plateLayout(w, h, inset = 0) {
  const pad = Math.min(w, h) * 0.08;
  const left = Math.min(Math.max(inset, 0), w / 2);
  return { pad, centreX: left + (w - left) / 2, innerW: w - left - 2 * pad };
}

/**
 * A name plate: title (bold) and an optional subtitle, centred (right of `inset`).
 * @param {CanvasRenderingContext2D} ctx
 * @param {number} w
 * @param {number} h
 * @param {{title?: string, subtitle?: string, colour?: string}} texts
 * @param {number} [inset]
 */
function paintPlate(ctx, w, h, { title, subtitle, colour }, inset = 0) {
  ctx.fillStyle = colour ? shade(colour, 0.55) : PANEL;
  ctx.fillRect(0, 0, w, h);
  if (colour) {
    ctx.fillStyle = colour;
    ctx.fillRect(0, h - h * 0.06, w, h * 0.06);
  }
  const { pad, centreX, innerW } = plateLayout(w, h, inset);
  const titleH = subtitle ? (h - 2 * pad) * 0.62 : h - 2 * pad;
  const t = fitText(title ?? '', innerW, titleH, measureWith(ctx, 700), { maxSize: titleH * 0.8, maxLines: 2 });
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillStyle = INK;
  ctx.font = font(t.size, 700);
  const lineH = t.size * 1.2;
  const titleTop = pad + (titleH - lineH * t.lines.length) / 2;
  t.lines.forEach((line, k) => ctx.fillText(line, centreX, titleTop + lineH * (k + 0.5)));
  if (subtitle) {
    const subH = h - 2 * pad - titleH;
    const s = fitText(subtitle, innerW, subH, measureWith(ctx, 400), { maxSize: Math.min(subH * 0.8, t.size * 0.6), maxLines: 2 });
    ctx.font = font(s.size, 400);
    ctx.fillStyle = SOFT_INK;
    const subLineH = s.size * 1.2;
    const subTop = pad + titleH + (subH - subLineH * s.lines.length) / 2;
    s.lines.forEach((line, k) => ctx.fillText(line, centreX, subTop + subLineH * (k + 0.5)));
  }
}

function wallTexts(wall, i18n) {
  if (!wall) return [];
  const out = [i18n.pick(wall.headline), i18n.t('sign.targets')];
  for (const g of wall.goals ?? []) out.push(i18n.pick(g));
  for (const target of wall.targets ?? []) {
    out.push(i18n.pick(target.title));
    for (const item of target.items ?? []) out.push(`${item.count}${i18n.pick(item.label)}`);
  }
  for (const k of wall.key_tasks ?? []) out.push(i18n.pick(k));
  return out;
}

/** The plaza's info wall: headline, goals on the left, the "1050" targets on the right. */
function paintWall(ctx, w, h, wall, i18n) {
  ctx.fillStyle = '#12324a';
  ctx.fillRect(0, 0, w, h);
  const pad = h * 0.05;
  ctx.textBaseline = 'top';
  ctx.textAlign = 'center';
  ctx.fillStyle = INK;
  const head = fitText(i18n.pick(wall.headline), w - 2 * pad, h * 0.16, measureWith(ctx, 700), { maxSize: h * 0.12, maxLines: 1 });
  ctx.font = font(head.size, 700);
  ctx.fillText(head.lines[0] ?? '', w / 2, pad);
  const top = pad + h * 0.19;
  const colW = (w - 3 * pad) / 2;
  // Goals, one bullet each, in the left column.
  ctx.textAlign = 'left';
  const goals = (wall.goals ?? []).map((g) => i18n.pick(g));
  const size = Math.max(10, h * 0.035);
  ctx.font = font(size, 400);
  const measure = (s) => ctx.measureText(s).width;
  let y = top;
  for (const goal of goals) {
    const lines = wrapLines(goal, colW - size * 1.2, measure, 3);
    ctx.fillStyle = '#ffd54f';
    ctx.fillText('●', pad, y);
    ctx.fillStyle = SOFT_INK;
    for (const line of lines) {
      if (y + size > h - pad) break;
      ctx.fillText(line, pad + size * 1.2, y);
      y += size * 1.3;
    }
    y += size * 0.5;
  }
  // Targets: a big count and its label, per group, in the right column.
  const x0 = pad * 2 + colW;
  y = top;
  for (const target of wall.targets ?? []) {
    ctx.font = font(size * 1.1, 700);
    ctx.fillStyle = '#ffd54f';
    ctx.fillText(i18n.pick(target.title), x0, y);
    y += size * 1.6;
    for (const item of target.items ?? []) {
      ctx.font = font(size * 1.9, 700);
      ctx.fillStyle = INK;
      const count = String(item.count);
      ctx.fillText(count, x0, y - size * 0.3);
      const cw = ctx.measureText(count).width + size * 0.5;
      ctx.font = font(size, 400);
      ctx.fillStyle = SOFT_INK;
      const label = wrapLines(i18n.pick(item.label), colW - cw, measure, 1)[0] ?? '';
      ctx.fillText(label, x0 + cw, y + size * 0.25);
      y += size * 2.1;
    }
    y += size * 0.4;
    if (y > h - pad) break;
  }
}

export { SignPainter, plateLayout, signTexts };
