/**
 * The booth information panel inside VR: a floating card in front of the
 * visitor, painted from the same content as the HTML panel (panel.js
 * boothContent) onto a canvas texture. HTML overlays do not exist inside an
 * immersive session, so this is what a headset shows. It is opaque, dark
 * text on white at sizes a headset resolves at arm's length, with the
 * exhibitor's poster and links. Pulling the trigger closes it.
 */

import { CanvasTexture, Mesh, MeshBasicMaterial, PlaneGeometry, SRGBColorSpace, Vector3 } from 'three';
import { ensureFont, font } from '../world/fonts.js';
import { wrapLines } from '../world/text.js';
import { context2d } from './dom.js';
import { boothContent } from './panel.js';

const WIDTH_M = 1.1;
const PX = 1024;
const _head = new Vector3();
const _fwd = new Vector3();

class Panel3D {
  constructor({ i18n, doc = document }) {
    this.i18n = i18n;
    this.canvas = doc.createElement('canvas');
    this.canvas.width = PX;
    this.canvas.height = Math.round(PX * 0.8);
    this.texture = new CanvasTexture(this.canvas);
    this.texture.colorSpace = SRGBColorSpace;
    this.mesh = new Mesh(
      new PlaneGeometry(WIDTH_M, WIDTH_M * 0.8),
      new MeshBasicMaterial({ map: this.texture, transparent: false, depthTest: false }),
    );
    this.mesh.name = 'booth-panel-3d';
    this.mesh.renderOrder = 20;
    this.mesh.visible = false;
    this.openId = null;
    this.token = 0;
    /** Whether the open booth's poster is drawn on the panel. */
    this.posterShown = false;
  }

  get visible() {
    return this.mesh.visible;
  }

  /** Show `booth` 1.3 m in front of the camera, facing it. */
  async open(booth, catalog, camera) {
    const token = ++this.token;
    const c = boothContent(booth, catalog, this.i18n);
    const [, poster] = await Promise.all([
      ensureFont([c.name, c.tagline, c.description, c.zone, ...c.scenarios.map((s) => s.title),
        ...c.links.map((l) => l.title), this.i18n.t('vr.panelClose'), this.i18n.t('vr.panelLinks')].join('')),
      c.poster ? loadImage(c.poster) : Promise.resolve(null),
    ]);
    if (token !== this.token) return;
    this._paint(c, poster);
    camera.getWorldPosition(_head);
    camera.getWorldDirection(_fwd);
    _fwd.y = 0;
    if (_fwd.lengthSq() < 1e-6) _fwd.set(0, 0, -1);
    _fwd.normalize();
    this.mesh.position.copy(_head).addScaledVector(_fwd, 1.3);
    this.mesh.position.y = _head.y - 0.1;
    this.mesh.lookAt(_head.x, this.mesh.position.y, _head.z);
    this.mesh.visible = true;
    this.openId = booth.id;
  }

  close() {
    this.token++;
    this.mesh.visible = false;
    this.openId = null;
  }

  /**
   * @param {ReturnType<typeof boothContent>} c
   * @param {HTMLImageElement | null} poster
   */
  _paint(c, poster) {
    const g = context2d(this.canvas);
    const W = this.canvas.width;
    const H = this.canvas.height;
    // Opaque white with a frame in the zone's colour: readable against any part of the hall.
    g.fillStyle = '#ffffff';
    g.fillRect(0, 0, W, H);
    g.fillStyle = c.colour;
    g.fillRect(0, 0, W, 20);
    g.strokeStyle = '#13212e';
    g.lineWidth = 6;
    g.strokeRect(3, 3, W - 6, H - 6);
    const pad = 44;
    // The poster on the right, when the exhibitor has an approved one.
    let textW = W - 2 * pad;
    this.posterShown = false;
    if (poster && poster.naturalWidth > 0) {
      const boxW = 340;
      const boxH = H - 2 * pad - 80;
      const k = Math.min(boxW / poster.naturalWidth, boxH / poster.naturalHeight);
      const pw = poster.naturalWidth * k;
      const ph = poster.naturalHeight * k;
      g.drawImage(poster, W - pad - boxW + (boxW - pw) / 2, pad + 20, pw, ph);
      textW -= boxW + 28;
      this.posterShown = true;
    }
    let y = pad;
    const bottom = H - 84;
    const text = (s, size, weight, colour, maxLines = 2) => {
      g.font = font(size, weight);
      g.fillStyle = colour;
      g.textBaseline = 'top';
      for (const line of wrapLines(s, textW, (t) => g.measureText(t).width, maxLines)) {
        if (y + size > bottom) return;
        g.fillText(line, pad, y);
        y += size * 1.28;
      }
    };
    text(c.zone, 30, 700, '#2b3a47', 1);
    y += 4;
    text(c.name, 60, 700, '#0a1620', 2);
    text(c.tagline, 36, 700, '#084f6e', 2);
    y += 8;
    text(c.description, 32, 400, '#0a1620', 5);
    y += 10;
    for (const s of c.scenarios.slice(0, 3)) text(`• ${s.title}`, 32, 700, '#0a1620', 1);
    if (c.links.length) {
      y += 8;
      text(this.i18n.t('vr.panelLinks'), 28, 700, '#2b3a47', 1);
      for (const l of c.links.slice(0, 3)) text(`${l.title} · ${hostOf(l.url)}`, 28, 400, '#084f6e', 1);
    }
    g.fillStyle = '#13212e';
    g.fillRect(0, H - 72, W, 72);
    g.font = font(30, 700);
    g.fillStyle = '#ffffff';
    g.textBaseline = 'middle';
    g.fillText(this.i18n.t('vr.panelClose'), pad, H - 36);
    this.texture.needsUpdate = true;
  }
}

/**
 * An image of the service's own (content-addressed) files, decoded; null if it cannot be.
 * @param {string} url
 * @returns {Promise<HTMLImageElement | null>}
 */
async function loadImage(url) {
  const img = new Image();
  img.src = url;
  try {
    await img.decode();
    return img;
  } catch {
    return null;
  }
}

/** @param {string | null} url */
function hostOf(url) {
  try {
    return url ? new URL(url).host : '';
  } catch {
    return '';
  }
}

export { Panel3D };
