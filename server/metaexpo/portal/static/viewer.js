// The booth preview: the fitted model on a floor the size of the booth's slot, lit like the
// hall, turnable with the mouse or a finger. three.js comes from the web client's build
// (the module named in data-kit exports THREE, GLTFLoader and OrbitControls), so the portal
// uses exactly the three.js release the hall uses.

const host = document.getElementById('viewer');

async function start() {
  const { THREE, GLTFLoader, OrbitControls } = await import(host.dataset.kit);
  const [width, depth] = host.dataset.footprint.split(',').map(Number);
  const height = Number(host.dataset.height);

  const renderer = new THREE.WebGLRenderer({ antialias: true });
  renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
  renderer.outputColorSpace = THREE.SRGBColorSpace;
  host.append(renderer.domElement);

  const scene = new THREE.Scene();
  scene.background = new THREE.Color(0xe8ecf1);
  scene.add(new THREE.HemisphereLight(0xffffff, 0x8d96a3, 2.2));
  const sun = new THREE.DirectionalLight(0xffffff, 1.6);
  sun.position.set(width, height * 2, depth * 1.5);
  scene.add(sun);

  const floor = new THREE.Mesh(
    new THREE.PlaneGeometry(width, depth),
    new THREE.MeshStandardMaterial({ color: 0xd5dbe3, roughness: 0.9 }),
  );
  floor.rotation.x = -Math.PI / 2;
  scene.add(floor);
  scene.add(new THREE.GridHelper(Math.max(width, depth), Math.max(width, depth), 0x9aa5b4, 0xbfc7d2));

  const camera = new THREE.PerspectiveCamera(45, 4 / 3, 0.05, 500);
  const reach = Math.max(width, depth, height);
  camera.position.set(reach * 0.9, reach * 0.7, reach * 1.3);
  const controls = new OrbitControls(camera, renderer.domElement);
  controls.target.set(0, height / 3, 0);
  controls.enableDamping = true;
  controls.update();

  const gltf = await new GLTFLoader().loadAsync(host.dataset.model);
  scene.add(gltf.scene);

  function resize() {
    const w = host.clientWidth;
    const h = host.clientHeight;
    renderer.setSize(w, h, false);
    camera.aspect = w / h;
    camera.updateProjectionMatrix();
  }
  window.addEventListener('resize', resize);
  resize();
  renderer.setAnimationLoop(() => {
    controls.update();
    renderer.render(scene, camera);
  });
  host.dataset.ready = 'true';
}

start().catch((error) => {
  host.dataset.error = String(error);
  host.textContent = String(error);
});
