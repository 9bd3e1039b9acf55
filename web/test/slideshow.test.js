// The booth screens' slideshows: the poster and each screen image in turn, only for booths
// near the viewer; a screen image's texture loaded when its turn comes and disposed when the
// next one replaces it, the viewer walks away, or the booth's revision changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Group, Object3D, Texture } from 'three';
import { BoothSlideshows } from '../src/world/slideshow.js';

const RECT = { x0: -1, x1: 1, y0: 1, y1: 2, z: 0.05 };
const PERIOD = 8000;

/** A texture loader that records what it loaded and which textures were disposed. */
function loader() {
  const loaded = [];
  const disposed = [];
  const load = async (url) => {
    loaded.push(url);
    const t = new Texture();
    t.name = url;
    t.image = { width: 100 + loaded.length, height: 50 };
    t.addEventListener('dispose', () => disposed.push(url));
    return t;
  };
  return { load, loaded, disposed };
}

function boothAt(x, z) {
  const hall = new Group();
  const node = new Object3D();
  node.position.set(x, 0, z);
  hall.add(node);
  return node;
}

function viewerAt(x, z) {
  const camera = new Object3D();
  camera.position.set(x, 1.6, z);
  camera.updateMatrixWorld();
  return camera;
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('a near booth cycles through its screen images, disposing each one replaced', async () => {
  const textures = loader();
  const slides = new BoothSlideshows({ loadTexture: textures.load, periodMs: PERIOD, checkMs: 0 });
  const node = boothAt(5, 0);
  const shown = { sizes: {} };
  slides.add(node, RECT, ['/a.jpg', '/b.jpg'], null, shown);
  assert.equal(shown.slides, 2);
  assert.equal(shown.slideshow, 'asleep');
  assert.deepEqual(textures.loaded, [], 'nothing loads before the viewer is looked at');
  const viewer = viewerAt(0, 0);
  slides.tick(1000, viewer);
  await settle();
  assert.equal(shown.slideshow, 'playing');
  assert.deepEqual([shown.slide, shown.slideUrl], [0, '/a.jpg']);
  const mesh = node.getObjectByName('booth-slide');
  assert.ok(mesh?.visible && mesh.material.map?.name === '/a.jpg');
  slides.tick(1000 + PERIOD - 1, viewer);
  await settle();
  assert.equal(shown.slide, 0, 'a picture shows for the whole period');
  slides.tick(1000 + PERIOD, viewer);
  await settle();
  assert.deepEqual([shown.slide, shown.slideUrl], [1, '/b.jpg']);
  assert.equal(mesh.material.map?.name, '/b.jpg');
  assert.deepEqual(textures.disposed, ['/a.jpg']);
  slides.tick(1000 + 2 * PERIOD, viewer);
  await settle();
  assert.deepEqual([shown.slide, shown.slideUrl], [0, '/a.jpg'], 'round again');
  assert.deepEqual(textures.disposed, ['/a.jpg', '/b.jpg']);
});

test('a far booth loads nothing; walking away puts it to sleep and frees its texture', async () => {
  const textures = loader();
  const slides = new BoothSlideshows({ loadTexture: textures.load, periodMs: PERIOD, nearM: 30, farM: 40, checkMs: 0 });
  const node = boothAt(100, 0);
  const shown = { sizes: {} };
  slides.add(node, RECT, ['/a.jpg', '/b.jpg'], null, shown);
  slides.tick(0, viewerAt(0, 0));
  for (let t = 1; t < 10; t++) slides.tick(t * PERIOD, viewerAt(0, 0));
  await settle();
  assert.deepEqual(textures.loaded, [], 'a booth 100 m away never loads its slideshow');
  assert.equal(shown.slideshow, 'asleep');
  let now = 10 * PERIOD;
  slides.tick(now, viewerAt(75, 0));
  await settle();
  assert.deepEqual(textures.loaded, ['/a.jpg']);
  now += 1000;
  slides.tick(now, viewerAt(65, 0)); // 35 m: between near and far, still playing
  assert.equal(shown.slideshow, 'playing');
  now += 1000;
  slides.tick(now, viewerAt(55, 0)); // 45 m: asleep
  await settle();
  assert.equal(shown.slideshow, 'asleep');
  assert.deepEqual(textures.disposed, ['/a.jpg']);
  assert.equal(node.getObjectByName('booth-slide')?.visible, false, 'no poster: a dark screen');
});

test('the poster comes first and stays on a far booth; it is never disposed here', async () => {
  const textures = loader();
  const slides = new BoothSlideshows({ loadTexture: textures.load, periodMs: PERIOD, checkMs: 0 });
  const node = boothAt(0, 10);
  const poster = new Texture();
  poster.image = { width: 300, height: 400 };
  let posterDisposed = false;
  poster.addEventListener('dispose', () => { posterDisposed = true; });
  const shown = { sizes: {} };
  slides.add(node, RECT, ['/poster.jpg', '/a.jpg'], poster, shown);
  const mesh = node.getObjectByName('booth-slide');
  assert.ok(mesh?.visible && mesh.material.map === poster, 'the poster shows before anyone is near');
  assert.deepEqual([shown.slide, shown.slideUrl, shown.sizes.slide], [0, '/poster.jpg', [300, 400]]);
  const viewer = viewerAt(0, 0);
  slides.tick(0, viewer);
  slides.tick(PERIOD, viewer);
  await settle();
  assert.deepEqual([shown.slide, textures.loaded], [1, ['/a.jpg']]);
  slides.tick(2 * PERIOD, viewer);
  assert.equal(mesh.material.map, poster);
  assert.deepEqual(textures.disposed, ['/a.jpg']);
  slides.tick(3 * PERIOD, viewerAt(0, 100));
  assert.equal(mesh.material.map, poster, 'far away: the poster');
  assert.equal(posterDisposed, false);
  // The picture keeps its own aspect inside the screen (1 m tall screen, 3:4 poster).
  assert.deepEqual([mesh.scale.x, mesh.scale.y], [0.75, 1]);
});

test('a texture that arrives after the booth went to sleep or changed is dropped', async () => {
  const textures = loader();
  let release = () => {};
  const slow = (url) => new Promise((resolve) => { release = () => resolve(textures.load(url)); });
  const slides = new BoothSlideshows({ loadTexture: slow, periodMs: PERIOD, checkMs: 0 });
  const node = boothAt(0, 0);
  const shown = { sizes: {} };
  slides.add(node, RECT, ['/a.jpg', '/b.jpg'], null, shown);
  slides.tick(0, viewerAt(0, 0));
  slides.remove(node); // a newer revision arrived while /a.jpg was loading
  release();
  await settle();
  await settle();
  assert.deepEqual(textures.disposed, ['/a.jpg']);
  assert.equal(node.getObjectByName('booth-slide'), undefined);
});

test('the frame pays nothing between checks', () => {
  const slides = new BoothSlideshows({ loadTexture: loader().load, checkMs: 250 });
  for (let i = 0; i < 300; i++) slides.add(boothAt(i * 10, 0), RECT, ['/a.jpg', '/b.jpg'], null, { sizes: {} });
  let looked = 0;
  const viewer = viewerAt(1e4, 1e4);
  viewer.getWorldPosition = (target) => { looked++; return target.set(1e4, 0, 1e4); };
  slides.tick(1000, viewer);
  for (let t = 1001; t < 1250; t++) slides.tick(t, viewer);
  assert.equal(looked, 1, 'one look at the viewer per check, none in the frames between');
  slides.tick(1250, viewer);
  assert.equal(looked, 2);
});
