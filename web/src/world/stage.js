/**
 * The renderer, the scene, the lights and the visitor's rig.
 *
 * The rig is a Group standing on the floor at the visitor's feet, turned by
 * their yaw; the camera sits inside it at eye height (desktop) or wherever the
 * headset puts it (WebXR 'local-floor' space, so the rig's origin is the play
 * area's floor). Moving or turning the visitor moves the rig, in both modes;
 * XR controllers are added to the rig by controls/xr.js.
 *
 * WebGL is feature-detected: createStage() throws a StageError the caller
 * shows to the visitor instead of a blank page.
 */

import {
  ACESFilmicToneMapping, Color, DirectionalLight, Fog, Group, HemisphereLight, PerspectiveCamera,
  Scene, SRGBColorSpace, WebGLRenderer,
} from 'three';

const EYE_HEIGHT = 1.6;

class StageError extends Error {}

/**
 * @param {HTMLElement} container receives the canvas
 * @param {{createRenderer?: (opts: import('three').WebGLRendererParameters) => WebGLRenderer}} [deps]
 *   injectable for tests
 */
function createStage(container, { createRenderer = (opts) => new WebGLRenderer(opts) } = {}) {
  let renderer;
  try {
    renderer = createRenderer({ antialias: true, powerPreference: 'high-performance' });
  } catch (err) {
    throw new StageError(String(err instanceof Error ? err.message : err));
  }
  renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
  renderer.setSize(container.clientWidth, container.clientHeight);
  renderer.outputColorSpace = SRGBColorSpace;
  renderer.toneMapping = ACESFilmicToneMapping;
  renderer.toneMappingExposure = 1.05;
  renderer.xr.enabled = true;
  renderer.xr.setReferenceSpaceType('local-floor');
  const canvas = renderer.domElement;
  canvas.id = 'scene';
  canvas.tabIndex = -1;
  container.appendChild(canvas);

  const scene = new Scene();
  scene.background = new Color(0xdfe8f0);
  scene.fog = new Fog(0xdfe8f0, 90, 260);
  scene.add(new HemisphereLight(0xffffff, 0x8d8a80, 2.2));
  const sun = new DirectionalLight(0xffffff, 1.6);
  sun.position.set(-60, 120, 40);
  scene.add(sun);

  const camera = new PerspectiveCamera(70, container.clientWidth / container.clientHeight, 0.05, 600);
  camera.rotation.order = 'YXZ';
  camera.position.set(0, EYE_HEIGHT, 0);
  const rig = new Group();
  rig.name = 'rig';
  rig.add(camera);
  scene.add(rig);

  function resize() {
    if (renderer.xr.isPresenting) return;
    const w = container.clientWidth;
    const h = container.clientHeight;
    if (!w || !h) return;
    camera.aspect = w / h;
    camera.updateProjectionMatrix();
    renderer.setSize(w, h);
  }
  new ResizeObserver(resize).observe(container);

  return { renderer, scene, camera, rig, canvas, resize };
}

export { createStage, StageError };
