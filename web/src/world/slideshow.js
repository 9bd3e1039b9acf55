/**
 * The booth screens' slideshows (docs/hall.md "Branded booths"): a booth whose approved
 * revision has screen images shows the poster (if any) and then each image in turn on its
 * front screen, one every `periodMs`.
 *
 * Only booths near the viewer play: a screen image's texture is loaded when its turn comes
 * while the viewer is within `nearM` metres of the booth, and disposed as soon as the next
 * picture replaces it or the viewer goes beyond `farM` (the gap stops a viewer on the edge
 * from loading and dropping it over and over). A booth far away shows its poster, or a dark
 * screen, and holds no texture of its own. So a hall of 300 branded booths loads the few
 * slideshows around the visitor, never all of them.
 *
 * `tick` runs every frame but does nothing until a check is due (every `checkMs`): then it
 * measures the viewer's distance to each booth that has a slideshow (numbers kept at
 * registration; nothing is allocated) and advances the ones whose slide is over. The poster
 * texture belongs to branding.js's cache and is never disposed here.
 *
 * Each slideshow reports into the booth's `brand` (window.__expo.booths[id].brand):
 * `slides` (how many pictures), `slide` (the index shown), `slideUrl`, `slideshow`
 * ('playing' near the viewer, 'asleep' far away) and `sizes.slide` ([w, h] of the picture).
 */

import { Mesh, MeshBasicMaterial, PlaneGeometry, SRGBColorSpace, TextureLoader, Vector3 } from 'three';

/** How far in front of the screen the picture stands (m), as branding.js's poster. */
const LIFT = 0.008;

const _viewer = new Vector3();
const _booth = new Vector3();

/** @typedef {{x0: number, x1: number, y0: number, y1: number, z: number}} Rect */

/**
 * @typedef {object} Show one booth's slideshow
 * @property {import('three').Object3D} node the booth node the picture hangs under
 * @property {number} x the booth's position in the world (m)
 * @property {number} z
 * @property {Rect} rect the screen, in the booth's frame
 * @property {string[]} urls the pictures in order (the poster first, if there is one)
 * @property {import('three').Texture | null} poster the poster's texture, shown as `urls[0]`
 *   (branding.js's, not ours to dispose)
 * @property {Mesh<PlaneGeometry, MeshBasicMaterial>} mesh the one plane that shows the pictures
 * @property {import('three').Texture | null} owned the screen image texture shown now, ours
 * @property {string | null} loading the picture being loaded for the next turn
 * @property {boolean} near
 * @property {number} nextAt when the next picture is due (ms, performance.now's clock)
 * @property {Record<string, any>} shown the booth's `brand` report
 */

class BoothSlideshows {
  /**
   * @param {object} [options]
   * @param {(url: string) => Promise<import('three').Texture>} [options.loadTexture]
   * @param {number} [options.periodMs] how long each picture shows
   * @param {number} [options.nearM] a slideshow plays within this distance of the viewer
   * @param {number} [options.farM] and goes to sleep beyond this one
   * @param {number} [options.checkMs] how often distances and turns are looked at
   */
  constructor({ loadTexture, periodMs = 8000, nearM = 30, farM = 40, checkMs = 250 } = {}) {
    const loader = new TextureLoader();
    this.loadTexture = loadTexture ?? ((url) => loader.loadAsync(url));
    this.periodMs = periodMs;
    this.near2 = nearM * nearM;
    this.far2 = farM * farM;
    this.checkMs = checkMs;
    /** @type {Show[]} */
    this.list = [];
    this.due = 0;
  }

  /**
   * Start a slideshow of `urls` on the screen `rect` of the booth `node`, reporting into
   * `shown`. `poster` (already loaded), if given, is what `urls[0]` names.
   * @param {import('three').Object3D} node
   * @param {Rect} rect
   * @param {string[]} urls
   * @param {import('three').Texture | null} poster
   * @param {Record<string, any>} shown
   */
  add(node, rect, urls, poster, shown) {
    this.remove(node);
    node.updateWorldMatrix(true, false);
    node.getWorldPosition(_booth);
    const mesh = new Mesh(new PlaneGeometry(1, 1), new MeshBasicMaterial({ toneMapped: false }));
    mesh.name = 'booth-slide';
    mesh.userData.brandPart = true;
    mesh.visible = false;
    node.add(mesh);
    /** @type {Show} */
    const show = {
      node, x: _booth.x, z: _booth.z, rect, urls, poster, mesh, owned: null, loading: null,
      near: false, nextAt: 0, shown,
    };
    Object.assign(shown, { slides: urls.length, slide: 0, slideUrl: null, slideshow: 'asleep' });
    this.list.push(show);
    this._rest(show);
    this.due = 0; // look at the distance on the next frame
    return show;
  }

  /**
   * Stop the booth's slideshow, if it has one, and let go of its texture and plane.
   * @param {import('three').Object3D} node
   */
  remove(node) {
    const i = this.list.findIndex((s) => s.node === node);
    if (i < 0) return;
    const [show] = this.list.splice(i, 1);
    show.loading = null;
    show.owned?.dispose();
    show.owned = null;
    show.mesh.removeFromParent();
    show.mesh.geometry.dispose();
    show.mesh.material.dispose();
  }

  /**
   * Once a frame: every `checkMs`, wake the slideshows near `viewer`, put the far ones to
   * sleep, and move on those whose picture has been shown for `periodMs`.
   * @param {number} now performance.now()
   * @param {import('three').Object3D} viewer the camera
   */
  tick(now, viewer) {
    if (now < this.due || !this.list.length) return;
    this.due = now + this.checkMs;
    viewer.getWorldPosition(_viewer);
    for (let i = 0; i < this.list.length; i++) {
      const show = this.list[i];
      const dx = show.x - _viewer.x;
      const dz = show.z - _viewer.z;
      const d2 = dx * dx + dz * dz;
      if (!show.near && d2 < this.near2) {
        show.near = true;
        show.shown.slideshow = 'playing';
        show.nextAt = now + this.periodMs;
        this._turn(show, 0);
      } else if (show.near && d2 > this.far2) {
        show.near = false;
        this._rest(show);
      } else if (show.near && now >= show.nextAt && show.urls.length > 1) {
        show.nextAt = now + this.periodMs;
        this._turn(show, (show.shown.slide + 1) % show.urls.length);
      }
    }
  }

  /**
   * Far away: the poster if there is one (else a dark screen), and no texture of our own.
   * @param {Show} show
   */
  _rest(show) {
    show.loading = null;
    show.shown.slideshow = 'asleep';
    if (show.poster) this._put(show, show.poster, 0, false);
    else {
      show.mesh.visible = false;
      show.mesh.material.map = null;
      show.mesh.material.needsUpdate = true;
      show.owned?.dispose();
      show.owned = null;
      show.shown.slide = 0;
      show.shown.slideUrl = null;
      delete show.shown.sizes.slide;
    }
  }

  /**
   * Show picture `index`: the poster at once, a screen image once it has loaded.
   * @param {Show} show
   * @param {number} index
   */
  _turn(show, index) {
    const url = show.urls[index];
    if (index === 0 && show.poster) {
      this._put(show, show.poster, 0, false);
      return;
    }
    show.loading = url;
    this.loadTexture(url).then((texture) => {
      if (show.loading !== url || !this.list.includes(show)) {
        texture.dispose(); // gone far, replaced or removed meanwhile
        return;
      }
      show.loading = null;
      texture.colorSpace = SRGBColorSpace;
      this._put(show, texture, index, true);
    }, () => {
      if (show.loading !== url) return;
      show.loading = null;
      show.shown.failed = (show.shown.failed ?? 0) + 1;
      show.shown.slide = index; // skip it: the next turn tries the one after
    });
  }

  /**
   * Put `texture` on the screen at its own aspect; the screen image it replaces is disposed.
   * @param {Show} show
   * @param {import('three').Texture} texture
   * @param {number} index
   * @param {boolean} owned whether the texture is ours to dispose (a screen image's)
   */
  _put(show, texture, index, owned) {
    const { mesh, rect } = show;
    const image = /** @type {{width?: number, height?: number}} */ (texture.image ?? {});
    const aspect = image.width && image.height ? image.width / image.height : 1;
    let w = rect.x1 - rect.x0;
    let h = rect.y1 - rect.y0;
    if (w / h > aspect) w = h * aspect;
    else h = w / aspect;
    mesh.scale.set(w, h, 1);
    mesh.position.set((rect.x0 + rect.x1) / 2, (rect.y0 + rect.y1) / 2, rect.z + LIFT);
    if (!mesh.material.map) mesh.material.needsUpdate = true;
    mesh.material.map = texture;
    mesh.visible = true;
    mesh.updateMatrixWorld();
    const previous = show.owned;
    show.owned = owned ? texture : null;
    if (previous && previous !== texture) previous.dispose();
    show.shown.slide = index;
    show.shown.slideUrl = show.urls[index];
    show.shown.sizes.slide = [image.width ?? 0, image.height ?? 0];
  }
}

export { BoothSlideshows };
