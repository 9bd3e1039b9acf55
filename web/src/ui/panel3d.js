/**
 * The booth information panel inside VR: a floating card in front of the
 * visitor, painted from the same content as the HTML panel (panel.js
 * boothContent) onto a canvas texture. HTML overlays do not exist inside an
 * immersive session, so this is what a headset shows. Pulling the trigger
 * closes it.
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
      new MeshBasicMaterial({ map: this.texture, transparent: true, depthTest: false }),
    );
    this.mesh.name = 'booth-panel-3d';
    this.mesh.renderOrder = 20;
    this.mesh.visible = false;
    this.openId = null;
    this.token = 0;
  }

  get visible() {
    return this.mesh.visible;
  }

  /** Show `booth` 1.3 m in front of the camera, facing it. */
  async open(booth, catalog, camera) {
    const token = ++this.token;
    const c = boothContent(booth, catalog, this.i18n);
    await ensureFont([c.name, c.tagline, c.description, ...c.scenarios.map((s) => s.title)].join(''));
    if (token !== this.token) return;
    this._paint(c);
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

  _paint(c) {
    const g = context2d(this.canvas);
    const W = this.canvas.width;
    const H = this.canvas.height;
    g.clearRect(0, 0, W, H);
    g.fillStyle = 'rgba(250, 252, 255, 0.96)';
    g.beginPath();
    g.roundRect(0, 0, W, H, 36);
    g.fill();
    g.fillStyle = c.colour;
    g.fillRect(0, 0, W, 14);
    const pad = 48;
    let y = pad + 10;
    const text = (s, size, weight, colour, maxLines = 2) => {
      g.font = font(size, weight);
      g.fillStyle = colour;
      g.textBaseline = 'top';
      for (const line of wrapLines(s, W - 2 * pad, (t) => g.measureText(t).width, maxLines)) {
        if (y + size > H - 80) return;
        g.fillText(line, pad, y);
        y += size * 1.3;
      }
    };
    text(c.zone, 28, 400, '#41505e', 1);
    y += 4;
    text(c.name, 56, 700, '#13212e', 2);
    text(c.tagline, 34, 700, '#0b6e99', 2);
    y += 8;
    text(c.description, 30, 400, '#13212e', 6);
    y += 12;
    for (const s of c.scenarios.slice(0, 4)) text(`• ${s.title}`, 30, 700, '#13212e', 1);
    g.font = font(26, 400);
    g.fillStyle = '#41505e';
    g.fillText(this.i18n.t('vr.panelClose'), pad, H - 56);
    this.texture.needsUpdate = true;
  }
}

export { Panel3D };
