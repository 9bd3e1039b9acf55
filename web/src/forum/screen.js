/**
 * The slide screen of a forum hall: the current slide as a texture on the big
 * screen behind the stage, readable from the seats and in VR.
 *
 * The built hall has a `forum:<id>:screen` quad (docs/scenes.md: 16:9, UVs
 * with the glTF top-left origin); its material is replaced by an unlit one
 * showing a canvas. Without the built hall (the plain-floor fallback) the
 * screen is a board of our own where the builder would have put it.
 * A slide (a JPEG of 1920 px from the server) is drawn letterboxed on black;
 * between slides, or before the first, a title card shows the session.
 */

import { CanvasTexture, Mesh, MeshBasicMaterial, SRGBColorSpace } from 'three';
import { CanvasBoard, textBlock } from './canvasboard.js';
import { context2d } from '../ui/dom.js';
import { ensureFont } from '../world/fonts.js';

const PX_W = 2048;
const PX_H = 1152;

/**
 * The built hall's screen quad of `forumId`, if the hall has one.
 * @param {import('three').Object3D | null | undefined} root
 * @param {string} forumId
 * @returns {Mesh | null}
 */
function findScreen(root, forumId) {
  /** @type {Mesh | null} */
  let found = null;
  root?.traverse((o) => {
    if (!found && o instanceof Mesh && o.userData?.screen?.forum_id === forumId) found = o;
  });
  if (found) return found;
  // The mesh may sit under the node that carries the extras.
  root?.traverse((o) => {
    if (!found && o.userData?.screen?.forum_id === forumId) {
      o.traverse((c) => { if (!found && c instanceof Mesh) found = c; });
    }
  });
  return found;
}

class SlideScreen {
  /**
   * @param {object} deps
   * @param {import('three').Object3D | null} deps.hallRoot the loaded hall
   * @param {string} deps.forumId
   * @param {import('./place.js').Plane} deps.plane where the screen is if the hall has none
   * @param {import('three').Object3D} deps.parent where a screen of our own goes
   * @param {Document} [deps.doc]
   */
  constructor({ hallRoot, forumId, plane, parent, doc = document }) {
    this.forumId = forumId;
    const quad = findScreen(hallRoot, forumId);
    /** @type {CanvasBoard | null} */
    this.board = null;
    if (quad) {
      this.canvas = doc.createElement('canvas');
      this.canvas.width = PX_W;
      this.canvas.height = PX_H;
      this.texture = new CanvasTexture(this.canvas);
      this.texture.flipY = false; // glTF UVs: (0, 0) is the image's top-left
      this.texture.colorSpace = SRGBColorSpace;
      this.texture.anisotropy = 8;
      quad.material = new MeshBasicMaterial({ map: this.texture, toneMapped: false });
      this.mesh = quad;
      this.source = 'hall';
    } else {
      this.board = new CanvasBoard({ width: plane.width, height: plane.height, px: PX_W, name: `forum-screen:${forumId}` });
      this.board.place(plane);
      parent.add(this.board.mesh);
      this.canvas = this.board.canvas;
      this.texture = this.board.texture;
      this.mesh = this.board.mesh;
      this.source = 'own';
    }
    this.ctx = context2d(this.canvas);
    /** @type {string | null} the slide shown (its URL), or null for the title card */
    this.url = null;
    /** what the title card shows (the caller's key: repaint only when it changes) */
    this.cardKey = '';
    this.page = 0;
    this.painted = 0;
    this.token = 0;
    /** @type {Map<string, HTMLImageElement>} */
    this.images = new Map();
  }

  /**
   * Show a slide (or, with null, the title card).
   * @param {import('./store.js').Slide | null} slide
   * @param {{title: string, subtitle: string}} card what the title card says
   */
  async show(slide, card) {
    const token = ++this.token;
    if (!slide) {
      await ensureFont(card.title + card.subtitle);
      if (token !== this.token) return;
      this._card(card);
      this.url = null;
      this.page = 0;
      return;
    }
    let img;
    try {
      img = await this._image(slide.url);
    } catch {
      if (token === this.token) this._card(card);
      return;
    }
    if (token !== this.token) return;
    const g = this.ctx;
    g.fillStyle = '#000000';
    g.fillRect(0, 0, PX_W, PX_H);
    const k = Math.min(PX_W / img.naturalWidth, PX_H / img.naturalHeight);
    const w = img.naturalWidth * k;
    const h = img.naturalHeight * k;
    g.drawImage(img, (PX_W - w) / 2, (PX_H - h) / 2, w, h);
    this._upload();
    this.url = slide.url;
    this.page = slide.page;
  }

  /**
   * Distinct colours on a grid of the painted canvas, and the colour at its middle (tests).
   * @returns {{colours: number, middle: number[]}}
   */
  ink() {
    const data = this.ctx.getImageData(0, 0, PX_W, PX_H).data;
    const colours = new Set();
    for (let y = 0; y < PX_H; y += 16) {
      for (let x = 0; x < PX_W; x += 16) {
        const i = 4 * (y * PX_W + x);
        colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      }
    }
    const m = 4 * ((PX_H / 2) * PX_W + PX_W / 2);
    return { colours: colours.size, middle: [data[m], data[m + 1], data[m + 2]] };
  }

  /** @param {{title: string, subtitle: string}} card */
  _card(card) {
    const g = this.ctx;
    const grad = g.createLinearGradient(0, 0, PX_W, PX_H);
    grad.addColorStop(0, '#0d2b45');
    grad.addColorStop(1, '#164e72');
    g.fillStyle = grad;
    g.fillRect(0, 0, PX_W, PX_H);
    g.fillStyle = '#ffd54f';
    g.fillRect(160, 300, 220, 14);
    const y = textBlock(g, card.title, { x: 160, y: 360, width: PX_W - 320, size: 120, weight: 700, maxLines: 3 });
    textBlock(g, card.subtitle, { x: 160, y: y + 40, width: PX_W - 320, size: 72, colour: 'rgba(255,255,255,0.85)', maxLines: 2 });
    this._upload();
  }

  _upload() {
    this.texture.needsUpdate = true;
    this.painted++;
  }

  /**
   * A slide picture, loaded once (they are content-addressed: a URL never changes).
   * @param {string} url
   * @returns {Promise<HTMLImageElement>}
   */
  async _image(url) {
    let img = this.images.get(url);
    if (!img) {
      img = new Image();
      img.decoding = 'async';
      img.src = url;
      this.images.set(url, img);
      if (this.images.size > 40) this.images.delete(this.images.keys().next().value ?? url);
    }
    await img.decode();
    return img;
  }
}

export { findScreen, SlideScreen };
