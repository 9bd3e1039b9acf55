// An approved exhibitor's brand on the 3D booth: colours repainted by role with the baked
// shade kept, the poster on the front screen, the logo by the sign; back to the builder's
// booth when a newer revision has no brand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BufferAttribute, BufferGeometry, Color, Group, InterleavedBuffer, InterleavedBufferAttribute, Mesh,
  MeshBasicMaterial, Texture,
} from 'three';
import { BoothBranding, ROLES, shadeAt } from '../src/world/branding.js';
import { BoothSwapper } from '../src/world/boothswap.js';

const ZONE = [0.9, 0.3, 0.0];
const WHITE = [0.95, 0.95, 0.95];
const SCREEN = [0.01, 0.01, 0.01];

/** A booth mesh as GLTFLoader makes it: an accent post, a panel, a front screen; a sign. */
function booth() {
  const quads = [
    // [role, x0, x1, y0, y1, z, colour]
    ['accent', -2, -1.7, 0, 3, 0.5, ZONE],
    ['panel', -1.7, 2, 0, 3, 0, WHITE],
    ['screen', -0.9, 0.9, 1.4, 2.4, 0.04, SCREEN],
  ];
  const positions = [];
  const normals = [];
  const colours = [];
  const roles = [];
  const index = [];
  for (const [role, x0, x1, y0, y1, z, c] of quads) {
    const base = positions.length / 3;
    for (const [x, y] of [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]) {
      positions.push(x, y, z);
      normals.push(0, 0, 1);
      const k = shadeAt(y);
      colours.push(...c.map((v) => Math.round(v * k * 255)), 255);
      roles.push(ROLES.indexOf(role), 0, 0, 0); // byteStride 4, as the builder pads it
    }
    index.push(base, base + 1, base + 2, base, base + 2, base + 3);
  }
  const g = new BufferGeometry();
  g.setIndex(index);
  g.setAttribute('position', new BufferAttribute(new Float32Array(positions), 3));
  g.setAttribute('normal', new BufferAttribute(new Float32Array(normals), 3));
  g.setAttribute('color', new BufferAttribute(new Uint8Array(colours), 4, true));
  g.setAttribute('_role', new InterleavedBufferAttribute(new InterleavedBuffer(new Uint8Array(roles), 4), 1, 0));
  const node = new Mesh(g, new MeshBasicMaterial());
  node.userData = { booth_id: 'a-01', zone_id: 'a', template: 'kiosk' };
  const sg = new BufferGeometry();
  sg.setAttribute('position', new BufferAttribute(new Float32Array([-1.9, 3.2, 2.03, 1.9, 3.2, 2.03, 1.9, 3.9, 2.03, -1.9, 3.9, 2.03]), 3));
  sg.setAttribute('normal', new BufferAttribute(new Float32Array([0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1]), 3));
  const sign = new Mesh(sg, new MeshBasicMaterial());
  sign.userData.sign = { kind: 'booth', id: 'a-01', rect: [0, 0, 1, 1] };
  node.add(sign);
  return node;
}

function textures(calls, { fail = [] } = {}) {
  return async (url) => {
    calls.push(url);
    if (fail.includes(url)) throw new Error('404');
    const t = new Texture();
    t.image = { width: url.includes('poster') ? 900 : 200, height: url.includes('poster') ? 1200 : 200 };
    return t;
  };
}

const colourAt = (g, i) => [0, 1, 2].map((c) => g.getAttribute('color').getComponent(i, c));

test('colours repaint accent and panel vertices, keep the shade and leave the shared mesh alone', async () => {
  const node = booth();
  const shared = node.geometry;
  const before = [...shared.getAttribute('color').array];
  const shown = await new BoothBranding({ loadTexture: textures([]) }).apply(node, {
    colours: { accent: '#1e88e5', panel: '#fff3e0' },
  });
  assert.deepEqual(shown, { colours: true, logo: null, poster: null, sizes: {} });
  assert.notEqual(node.geometry, shared);
  assert.deepEqual([...shared.getAttribute('color').array], before, 'the shared mesh keeps its colours');
  const accent = new Color('#1e88e5');
  const foot = colourAt(node.geometry, 0); // accent at the floor
  const top = colourAt(node.geometry, 3); // accent at 3 m
  assert.ok(Math.abs(top[2] - accent.b) < 0.01 && Math.abs(top[0] - accent.r) < 0.01);
  assert.ok(Math.abs(foot[2] - accent.b * shadeAt(0)) < 0.01, 'darker at the floor, as baked');
  const panel = new Color('#fff3e0');
  assert.ok(Math.abs(colourAt(node.geometry, 7)[2] - panel.b) < 0.01);
  assert.deepEqual(colourAt(node.geometry, 8), colourAt(shared, 8), 'the screen keeps its colour');
});

test('the poster fills the front screen at its own aspect, the logo sits on a plate by the sign', async () => {
  const node = booth();
  const calls = [];
  const shown = await new BoothBranding({ loadTexture: textures(calls) }).apply(node, {
    logo: '/assets/logo.png', poster: '/assets/poster.jpg',
  });
  assert.deepEqual(shown, {
    colours: false, logo: 'shown', poster: 'shown', sizes: { logo: [200, 200], poster: [900, 1200] },
  });
  const poster = node.children.find((c) => c.name === 'booth-poster');
  poster.geometry.computeBoundingBox();
  const size = poster.geometry.boundingBox.max.clone().sub(poster.geometry.boundingBox.min);
  assert.ok(Math.abs(size.y - 1.0) < 1e-6 && Math.abs(size.x - 0.75) < 1e-6, 'portrait 3:4 inside 1.8 × 1 m');
  assert.ok(Math.abs(poster.position.y - 1.9) < 1e-6 && poster.position.z > 0.04);
  assert.equal(poster.material.map.colorSpace, 'srgb');
  const logo = node.children.find((c) => c.name === 'booth-logo');
  assert.ok(logo.position.x < -1.4 && logo.position.z > 2.03, 'at the sign\'s left end, in front');
  assert.deepEqual(calls.sort(), ['/assets/logo.png', '/assets/poster.jpg']);
});

test('an approved revision brands the booth through the swapper; a failed image is reported', async () => {
  const node = booth();
  const root = new Group();
  root.add(node);
  const hall = { root, booths: new Map([['a-01', node]]) };
  const cat = { booths: [{ id: 'a-01', hall: 'main', template: 'kiosk', revision: 0, model: null }] };
  const calls = [];
  const s = new BoothSwapper({
    loader: { loadAsync: async () => ({ scene: new Group() }) },
    branding: new BoothBranding({ loadTexture: textures(calls, { fail: ['/assets/poster.jpg'] }) }),
  });
  s.attach(hall, cat, 'main');
  assert.equal(s.states['a-01'].brand, undefined, 'the catalog booth is drawn as built');
  assert.equal(await s.apply({
    id: 'a-01', hall: 'main', revision: 1, model: null, template: 'kiosk',
    colours: { accent: '#1e88e5', panel: '#ffffff' }, logo: '/assets/logo.png', poster: '/assets/poster.jpg',
  }), true);
  assert.deepEqual(s.states['a-01'].brand, {
    colours: true, logo: 'shown', poster: 'failed', sizes: { logo: [200, 200] },
  });
  const shared = node.userData.brandSource;
  assert.ok(shared);
  await s.apply({ id: 'a-01', hall: 'main', revision: 2, model: null, template: 'kiosk' });
  assert.deepEqual(s.states['a-01'].brand, { colours: false, logo: null, poster: null, sizes: {} });
  assert.equal(node.geometry, shared, 'back to the shared mesh');
  assert.ok(!node.children.some((c) => c.userData.brandPart));
});

test('with screen images the poster opens a slideshow on the screen; a newer revision ends it', async () => {
  const node = booth();
  const root = new Group();
  root.add(node);
  const hall = { root, booths: new Map([['a-01', node]]) };
  const cat = { booths: [{ id: 'a-01', hall: 'main', template: 'kiosk', revision: 0, model: null }] };
  const calls = [];
  const branding = new BoothBranding({ loadTexture: textures(calls) });
  const s = new BoothSwapper({ loader: { loadAsync: async () => ({ scene: new Group() }) }, branding });
  s.attach(hall, cat, 'main');
  await s.apply({
    id: 'a-01', hall: 'main', revision: 1, model: null, template: 'kiosk',
    poster: '/assets/poster.jpg', screens: ['/assets/one.jpg', '/assets/two.jpg'],
  });
  const brand = s.states['a-01'].brand;
  assert.deepEqual(
    [brand.poster, brand.slides, brand.slide, brand.slideUrl, brand.slideshow],
    ['shown', 3, 0, '/assets/poster.jpg', 'asleep'],
  );
  assert.equal(node.children.find((c) => c.name === 'booth-poster'), undefined, 'one plane, the slideshow\'s');
  assert.equal(node.children.filter((c) => c.name === 'booth-slide').length, 1);
  assert.deepEqual(calls, ['/assets/poster.jpg'], 'screen images wait for a viewer nearby');
  assert.deepEqual(cat.booths[0].screens, ['/assets/one.jpg', '/assets/two.jpg']);
  assert.equal(branding.slides.list.length, 1);
  await s.apply({ id: 'a-01', hall: 'main', revision: 2, model: null, template: 'kiosk', poster: '/assets/poster.jpg' });
  assert.equal(branding.slides.list.length, 0, 'the old slideshow stopped');
  assert.equal(node.children.filter((c) => c.name === 'booth-slide').length, 0);
  assert.ok(node.children.find((c) => c.name === 'booth-poster'));
});
