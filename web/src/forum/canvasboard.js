/**
 * A flat board in the hall painted from a canvas: the forum's agenda at the
 * entrance, the questions beside the stage, the slide screen where the built
 * hall has none. Unlit (MeshBasicMaterial, no tone mapping) so its colours are
 * the canvas's own and text stays readable from the seats and in VR.
 */

import { CanvasTexture, FrontSide, Mesh, MeshBasicMaterial, PlaneGeometry, SRGBColorSpace } from 'three';
import { context2d } from '../ui/dom.js';
import { font } from '../world/fonts.js';
import { wrapLines } from '../world/text.js';

class CanvasBoard {
  /**
   * @param {object} opts
   * @param {number} opts.width metres
   * @param {number} opts.height metres
   * @param {number} opts.px canvas width in pixels (the height follows the board's shape)
   * @param {string} opts.name the mesh's name (tests and the scene graph)
   * @param {boolean} [opts.twoSided] readable from behind too (painted the same, not mirrored)
   * @param {Document} [opts.doc]
   */
  constructor({ width, height, px, name, twoSided = false, doc = document }) {
    this.canvas = doc.createElement('canvas');
    this.canvas.width = px;
    this.canvas.height = Math.round((px * height) / width);
    this.ctx = context2d(this.canvas);
    this.texture = new CanvasTexture(this.canvas);
    this.texture.colorSpace = SRGBColorSpace;
    this.texture.anisotropy = 4;
    const material = new MeshBasicMaterial({ map: this.texture, toneMapped: false, side: FrontSide });
    this.mesh = new Mesh(new PlaneGeometry(width, height), material);
    this.mesh.name = name;
    if (twoSided) {
      // A second face turned round, so the back reads the right way (DoubleSide would mirror it).
      const back = new Mesh(this.mesh.geometry, material);
      back.rotation.y = Math.PI;
      back.name = `${name}:back`;
      this.mesh.add(back);
    }
    this.painted = 0;
  }

  /**
   * Stand the board at a plane of place.js.
   * @param {import('./place.js').Plane} plane
   */
  place(plane) {
    this.mesh.position.set(plane.centre[0], plane.centre[1], plane.centre[2]);
    this.mesh.rotation.set(0, plane.planeYaw, 0);
    this.mesh.updateMatrixWorld(true);
  }

  /**
   * Paint the canvas and upload it.
   * @param {(g: CanvasRenderingContext2D, w: number, h: number) => void} draw
   */
  paint(draw) {
    const g = this.ctx;
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.clearRect(0, 0, this.canvas.width, this.canvas.height);
    draw(g, this.canvas.width, this.canvas.height);
    this.texture.needsUpdate = true;
    this.painted++;
  }

  /** @param {boolean} on */
  show(on) {
    this.mesh.visible = on;
  }

  dispose() {
    this.texture.dispose();
    this.mesh.geometry.dispose();
    /** @type {MeshBasicMaterial} */ (this.mesh.material).dispose();
  }
}

/**
 * A block of wrapped text: drawn from (x, y) down, at most `maxLines` lines (the last one
 * ends in "…" if text remains); returns the y below it.
 * @param {CanvasRenderingContext2D} g
 * @param {string} text
 * @param {{x: number, y: number, width: number, size: number, weight?: number, colour?: string,
 *   maxLines?: number}} box
 * @returns {number}
 */
function textBlock(g, text, { x, y, width, size, weight = 400, colour = '#ffffff', maxLines = 2 }) {
  g.font = font(size, weight);
  g.fillStyle = colour;
  g.textBaseline = 'top';
  for (const line of wrapLines(text, width, (t) => g.measureText(t).width, maxLines)) {
    g.fillText(line, x, y);
    y += size * 1.25;
  }
  return y;
}

export { CanvasBoard, textBlock };
