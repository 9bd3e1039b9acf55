// The pieces the exhibitor portal's 3D preview needs (server/metaexpo/portal/static/viewer.js),
// bundled by build.mjs as its own entry so the portal pages never load the whole expo client.
export * as THREE from 'three';
export { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';
export { OrbitControls } from 'three/addons/controls/OrbitControls.js';
