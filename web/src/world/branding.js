/**
 * An approved exhibitor's brand on its 3D booth (docs/scenes.md "Booths"): the booth's
 * colours repainted, the poster on the booth's front screen (or, with screen images, a
 * slideshow of the poster and the images there: slideshow.js) and the logo on a plate at the
 * left end of its sign, live as soon as the revision arrives.
 *
 * The scene builder labels every vertex of a template booth with its colour role
 * (`_ROLE`, read by GLTFLoader as the `_role` attribute): repainting changes the accent
 * and panel vertices of a per-booth copy of the colours (the shared mesh stays as it is),
 * keeping the shade baked towards the floor. The screen is found by its role, the sign by
 * its node. Booths showing an exhibitor's own model are left as they are.
 */

import {
  BufferGeometry, Color, Mesh, MeshBasicMaterial, PlaneGeometry, SRGBColorSpace, TextureLoader,
} from 'three';
import { BoothSlideshows } from './slideshow.js';

/** Role codes of `_ROLE`, in the builder's order (scenebuild/templates.py ROLES). */
const ROLES = ['accent', 'accent_dark', 'platform', 'panel', 'counter_top', 'screen', 'frame', 'plant', 'light'];
/** The builder's baked shade (scenebuild/ao.py): factor at the floor, height where it ends. */
const AO_FLOOR = 0.58;
const AO_REACH = 1.4;
/** How far in front of the screen and sign the poster and logo stand (m). */
const LIFT = 0.008;

/** The shade the builder baked at height `y`. */
function shadeAt(y) {
  const h = Math.min(Math.max(y / AO_REACH, 0), 1);
  return AO_FLOOR + (1 - AO_FLOOR) * Math.sqrt(h);
}

/** `hex` darkened as the builder darkens accents (35 % towards black, in sRGB), linear. */
function darker(hex) {
  const c = new Color(hex).convertLinearToSRGB().multiplyScalar(0.65);
  return c.convertSRGBToLinear();
}

/**
 * A copy of `geometry` whose vertex colours follow `colours` ({accent, panel} as #rrggbb);
 * null if the geometry has no role labels.
 * @param {BufferGeometry} geometry
 * @param {{accent?: string, panel?: string}} colours
 */
function repainted(geometry, colours) {
  const role = geometry.getAttribute('_role');
  const colour = geometry.getAttribute('color');
  const position = geometry.getAttribute('position');
  if (!role || !colour || !position) return null;
  /** @type {Record<string, Color>} */
  const target = {};
  if (colours.accent) {
    target.accent = new Color(colours.accent);
    target.accent_dark = darker(colours.accent);
  }
  if (colours.panel) target.panel = new Color(colours.panel);
  const copy = new BufferGeometry();
  copy.setIndex(geometry.getIndex());
  for (const [name, attribute] of Object.entries(geometry.attributes)) {
    copy.setAttribute(name, name === 'color' ? attribute.clone() : attribute);
  }
  copy.boundingBox = geometry.boundingBox;
  copy.boundingSphere = geometry.boundingSphere;
  const out = copy.getAttribute('color');
  for (let i = 0; i < out.count; i++) {
    const c = target[ROLES[role.getX(i)]];
    if (!c) continue;
    const k = shadeAt(position.getY(i));
    out.setXYZ(i, c.r * k, c.g * k, c.b * k);
  }
  out.needsUpdate = true;
  return copy;
}

/** @typedef {{x0: number, x1: number, y0: number, y1: number, z: number}} Rect */
/**
 * @typedef {{colours: boolean, logo: 'shown'|'failed'|null, poster: 'shown'|'failed'|null,
 *   sizes: Record<string, number[]>}} Shown what is shown; sizes: each picture's pixels [w, h]
 */

/**
 * The rectangle (booth frame) of the front-facing vertices of `geometry` that pass `keep`.
 * @param {BufferGeometry} geometry
 * @param {(i: number) => boolean} keep
 * @returns {Rect | null}
 */
function frontRect(geometry, keep) {
  const position = geometry.getAttribute('position');
  const normal = geometry.getAttribute('normal');
  if (!position) return null;
  /** @type {Rect | null} */
  let rect = null;
  let front = -Infinity;
  for (let i = 0; i < position.count; i++) {
    if (!keep(i) || (normal && normal.getZ(i) < 0.9)) continue;
    front = Math.max(front, position.getZ(i));
  }
  for (let i = 0; i < position.count; i++) {
    if (!keep(i) || (normal && normal.getZ(i) < 0.9) || position.getZ(i) < front - 0.01) continue;
    const x = position.getX(i);
    const y = position.getY(i);
    rect ??= { x0: x, x1: x, y0: y, y1: y, z: front };
    rect.x0 = Math.min(rect.x0, x);
    rect.x1 = Math.max(rect.x1, x);
    rect.y0 = Math.min(rect.y0, y);
    rect.y1 = Math.max(rect.y1, y);
  }
  const found = /** @type {Rect | null} */ (rect);
  return found && found.x1 > found.x0 && found.y1 > found.y0 ? found : null;
}

/**
 * A picture plane filling `rect` at the image's own aspect (letterboxed), just in front.
 * @param {import('three').Texture} texture
 * @param {Rect} rect
 * @param {string} name
 */
function picture(texture, rect, name) {
  const image = /** @type {{width?: number, height?: number}} */ (texture.image ?? {});
  const aspect = image.width && image.height ? image.width / image.height : 1;
  let w = rect.x1 - rect.x0;
  let h = rect.y1 - rect.y0;
  if (w / h > aspect) w = h * aspect;
  else h = w / aspect;
  const mesh = new Mesh(new PlaneGeometry(w, h), new MeshBasicMaterial({ map: texture, toneMapped: false }));
  mesh.position.set((rect.x0 + rect.x1) / 2, (rect.y0 + rect.y1) / 2, rect.z + LIFT);
  mesh.name = name;
  mesh.userData.brandPart = true;
  return mesh;
}

/** A texture's image size in pixels, [w, h] ([0, 0] if unknown). */
function imageSize(texture) {
  const image = /** @type {{width?: number, height?: number}} */ (texture.image ?? {});
  return [image.width ?? 0, image.height ?? 0];
}

class BoothBranding {
  /**
   * @param {object} [deps]
   * @param {(url: string) => Promise<import('three').Texture>} [deps.loadTexture]
   * @param {BoothSlideshows} [deps.slides] plays the screens of booths with screen images
   */
  constructor({ loadTexture, slides } = {}) {
    const loader = new TextureLoader();
    this.loadTexture = loadTexture ?? ((url) => loader.loadAsync(url));
    this.slides = slides ?? new BoothSlideshows({ loadTexture });
    /** @type {Map<string, Promise<import('three').Texture>>} */
    this.textures = new Map();
  }

  /** Put the booth back as the builder made it: its own colours, no poster or logo. */
  clear(node) {
    this.slides.remove(node);
    for (const child of [...node.children]) {
      if (child.userData?.brandPart) node.remove(child);
    }
    const source = node.userData.brandSource;
    if (source) {
      node.geometry?.dispose?.();
      node.geometry = source;
      delete node.userData.brandSource;
    }
  }

  _texture(url) {
    let p = this.textures.get(url);
    if (!p) {
      p = this.loadTexture(url).then((texture) => {
        texture.colorSpace = SRGBColorSpace;
        return texture;
      });
      this.textures.set(url, p);
      p.catch(() => this.textures.delete(url));
    }
    return p;
  }

  /**
   * Show `payload`'s brand (colours, logo, poster, screen images) on the template booth
   * `node`; resolves to what was shown (Shown: {colours, logo, poster, sizes}, and with screen
   * images the slideshow's report: {slides, slide, slideUrl, slideshow}).
   * `current()` says whether this is still the booth's newest revision (else nothing is added).
   * @param {import('three').Object3D & {geometry?: BufferGeometry}} node
   * @param {{colours?: {accent?: string, panel?: string}, logo?: string|null, poster?: string|null,
   *   screens?: string[]}} payload
   * @param {() => boolean} [current]
   * @returns {Promise<Shown>}
   */
  async apply(node, payload, current = () => true) {
    this.clear(node);
    /** @type {Shown} */
    const shown = { colours: false, logo: null, poster: null, sizes: {} };
    if (!node.geometry) return shown;
    const source = node.geometry;
    const painted = payload.colours ? repainted(source, payload.colours) : null;
    if (painted) {
      node.userData.brandSource = source;
      node.geometry = painted;
      shown.colours = true;
    }
    const role = source.getAttribute('_role');
    const screenCode = ROLES.indexOf('screen');
    const screen = role ? frontRect(source, (i) => role.getX(i) === screenCode) : null;
    const signMesh = /** @type {Mesh | undefined} */ (node.children.find((c) => c.userData?.sign?.kind === 'booth'));
    const sign = signMesh?.geometry ? frontRect(signMesh.geometry, () => true) : null;
    const jobs = [];
    const screens = Array.isArray(payload.screens) ? payload.screens.filter((u) => typeof u === 'string') : [];
    /** @type {import('three').Texture | null} */
    let posterTexture = null;
    if (payload.poster && screen) {
      jobs.push(this._texture(payload.poster).then((texture) => {
        if (!current()) return;
        // With screen images the slideshow shows the poster, as its first picture.
        if (screens.length) posterTexture = texture;
        else node.add(picture(texture, screen, 'booth-poster'));
        shown.poster = 'shown';
        shown.sizes.poster = imageSize(texture);
      }, () => { shown.poster = 'failed'; }));
    }
    if (payload.logo && sign) {
      const h = sign.y1 - sign.y0;
      const plate = { x0: sign.x0, x1: sign.x0 + h, y0: sign.y0, y1: sign.y1, z: sign.z };
      jobs.push(this._texture(payload.logo).then((texture) => {
        if (!current()) return;
        const backing = new Mesh(new PlaneGeometry(h, h), new MeshBasicMaterial({ color: 0xffffff }));
        backing.position.set(plate.x0 + h / 2, (plate.y0 + plate.y1) / 2, plate.z + LIFT / 2);
        backing.userData.brandPart = true;
        backing.name = 'booth-logo-plate';
        const inset = h * 0.08;
        node.add(backing, picture(texture, {
          x0: plate.x0 + inset, x1: plate.x1 - inset, y0: plate.y0 + inset, y1: plate.y1 - inset, z: plate.z,
        }, 'booth-logo'));
        shown.logo = 'shown';
        shown.sizes.logo = imageSize(texture);
      }, () => { shown.logo = 'failed'; }));
    }
    await Promise.all(jobs);
    if (screens.length && screen && current()) {
      const urls = posterTexture && payload.poster ? [payload.poster, ...screens] : screens;
      this.slides.add(node, screen, urls, posterTexture, shown);
    }
    node.updateMatrixWorld(true);
    return shown;
  }
}

export { BoothBranding, ROLES, repainted, shadeAt };
