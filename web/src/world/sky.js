/**
 * The sky the hall's glass walls and skylights open onto: a soft daylight gradient with a
 * few clouds, drawn into a small canvas at start-up (no downloaded image) and mapped inside
 * a big sphere that travels with the camera, with the fog in the horizon's haze so far
 * walls melt into it.
 *
 * A sphere rather than `scene.background`: in software WebGL (SwiftShader, the test
 * machines) an equirectangular background cost about 250 ms a frame; the sphere is one
 * plain textured draw call.
 */

import {
  BackSide, CanvasTexture, Color, Fog, Mesh, MeshBasicMaterial, SphereGeometry, SRGBColorSpace,
} from 'three';

/** sRGB stops from the zenith (0) through the horizon (0.5) to the nadir (1). */
/** @type {Array<[number, string]>} */
const STOPS = [
  [0.0, '#3f74b8'],
  [0.28, '#79a6d8'],
  [0.46, '#cfe1f1'],
  [0.5, '#eef3f6'],
  [0.54, '#d9dcd8'],
  [1.0, '#9aa19d'],
];
const HAZE = '#e3ebf1';

/**
 * The sky texture (equirectangular: u around, v from the zenith down), with a few soft
 * clouds above the horizon.
 * @param {Document} [doc]
 * @returns {CanvasTexture}
 */
function skyTexture(doc = document) {
  const canvas = doc.createElement('canvas');
  canvas.width = 512;
  canvas.height = 256;
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  const gradient = ctx.createLinearGradient(0, 0, 0, canvas.height);
  for (const [at, colour] of STOPS) gradient.addColorStop(at, colour);
  ctx.fillStyle = gradient;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  // Clouds: soft white ellipses, placed by a fixed sequence so every visit sees the same sky.
  let seed = 7;
  const next = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  ctx.fillStyle = 'rgba(255,255,255,0.18)';
  for (let i = 0; i < 46; i++) {
    const x = next() * canvas.width;
    const y = canvas.height * (0.2 + 0.26 * next());
    const rx = 10 + 34 * next();
    ctx.beginPath();
    ctx.ellipse(x, y, rx, rx * 0.28, 0, 0, Math.PI * 2);
    ctx.fill();
  }
  const texture = new CanvasTexture(canvas);
  texture.colorSpace = SRGBColorSpace;
  return texture;
}

/** Radius of the sky sphere (m): inside the camera's far plane from anywhere in it. */
const SKY_RADIUS = 500;

/**
 * Give `scene` the sky and a haze-coloured fog far out; returns the sky's mesh.
 * @param {import('three').Scene} scene
 * @returns {Mesh}
 */
function applySky(scene) {
  const sky = new Mesh(
    new SphereGeometry(SKY_RADIUS, 32, 16),
    new MeshBasicMaterial({ map: skyTexture(), side: BackSide, fog: false, depthWrite: false }),
  );
  sky.name = 'sky';
  // Drawn after the hall's opaque geometry and depth-tested, so only the pixels seen through
  // the glass and the skylights are filled (software renderers pay for every pixel); the
  // blended glass, drawn later still, tints it.
  sky.renderOrder = 10;
  sky.frustumCulled = false;
  // Centred on whoever looks at it, so it is always the same far-away sky.
  sky.onBeforeRender = (_renderer, _scene, camera) => {
    sky.position.setFromMatrixPosition(camera.matrixWorld);
    sky.updateMatrixWorld();
  };
  scene.add(sky);
  scene.background = new Color(HAZE);
  scene.fog = new Fog(new Color(HAZE), 140, 420);
  return sky;
}

export { applySky, skyTexture };
