/**
 * The renderer, the scene, the lights and the visitor's rig.
 *
 * The rig is a Group standing on the floor at the visitor's feet, turned by
 * their yaw; the camera sits inside it at eye height (desktop) or wherever the
 * headset puts it (WebXR 'local-floor' space, so the rig's origin is the play
 * area's floor). Moving or turning the visitor moves the rig, in both modes;
 * XR controllers are added to the rig by controls/xr.js.
 *
 * Light: the hall's PBR materials are lit by an environment map made at start-up
 * (three's PMREM of its RoomEnvironment: no HDR file to download), a soft hemisphere fill,
 * and a warm key light falling through the skylights (software renderers: no environment
 * map, a stronger fill; see lightScene). There are no real-time shadows
 * (they would double the draw calls); the scene builder bakes shade into vertex colours
 * and contact shadows into the floor (docs/scenes.md "Materials and light").
 *
 * WebGL is feature-detected: createStage() throws a StageError the caller
 * shows to the visitor instead of a blank page.
 */

import {
  ACESFilmicToneMapping, DirectionalLight, Group, HemisphereLight, PerspectiveCamera, PMREMGenerator,
  Scene, SRGBColorSpace, WebGLRenderer,
} from 'three';
import { RoomEnvironment } from 'three/addons/environments/RoomEnvironment.js';
import { applySky } from './sky.js';

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
  applySky(scene);
  lightScene(renderer, scene);

  const camera = new PerspectiveCamera(70, container.clientWidth / container.clientHeight, 0.05, 1200);
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

/**
 * Whether `renderer` draws in software (SwiftShader, llvmpipe: headless test machines, some
 * virtual desktops), where a PMREM environment costs tens of seconds of start-up.
 * @param {WebGLRenderer} renderer
 */
function isSoftwareRenderer(renderer) {
  const gl = renderer.getContext();
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
  return /swiftshader|llvmpipe|softpipe|software/i.test(name);
}

/**
 * The environment map, the fill and the key light. A software renderer gets no environment
 * map (its PMREM took ~13 s and the env-mapped shaders ~10 s more on the test machine) and a
 * stronger hemisphere fill instead; `scene.userData.lighting` says which ('environment' or
 * 'lights').
 * @param {WebGLRenderer} renderer
 * @param {Scene} scene
 */
function lightScene(renderer, scene) {
  const software = isSoftwareRenderer(renderer);
  if (!software) {
    const pmrem = new PMREMGenerator(renderer);
    const room = new RoomEnvironment();
    scene.environment = pmrem.fromScene(room, 0, 0.1, 100, { size: 64 }).texture;
    scene.environmentIntensity = 0.85;
    room.dispose();
    pmrem.dispose();
  }
  scene.userData.lighting = software ? 'lights' : 'environment';
  scene.add(new HemisphereLight(0xf4f7ff, 0x8a8478, software ? 2.2 : 0.9));
  const sun = new DirectionalLight(0xfff1dc, 2.1);
  sun.name = 'key-light';
  sun.position.set(-50, 120, 70);
  scene.add(sun);
}

export { createStage, StageError };
