// Live booth revisions: newest wins, a model replaces the template under the booth node, and
// going back to the template restores it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoxGeometry, Group, Mesh, MeshBasicMaterial } from 'three';
import { BoothSwapper } from '../src/world/boothswap.js';
import { boothOf } from '../src/world/hall.js';

function hall() {
  const kiosk = new BoxGeometry(4, 4, 4);
  const pavilion = new BoxGeometry(12, 9, 12);
  const mat = new MeshBasicMaterial();
  const a = new Mesh(kiosk, mat);
  a.userData = { booth_id: 'a-01', zone_id: 'a', template: 'kiosk' };
  const sign = new Mesh(new BoxGeometry(1, 1, 0.1), mat);
  sign.userData.sign = { kind: 'booth', id: 'a-01', rect: [0, 0, 1, 1] };
  a.add(sign);
  const b = new Mesh(pavilion, mat);
  b.userData = { booth_id: 'a-02', zone_id: 'a', template: 'pavilion' };
  const root = new Group();
  root.add(a, b);
  return { root, booths: new Map([['a-01', a], ['a-02', b]]), kiosk, pavilion };
}

function loader(calls) {
  return {
    loadAsync: async (url) => {
      calls.push(url);
      const scene = new Group();
      scene.add(new Mesh(new BoxGeometry(1, 1, 1), new MeshBasicMaterial()));
      return { scene };
    },
  };
}

const catalog = () => ({
  booths: [
    { id: 'a-01', hall: 'main', template: 'kiosk', revision: 0, model: null, exhibitor: { name: { zh: '甲', en: 'A' } } },
    { id: 'a-02', hall: 'main', template: 'pavilion', revision: 0, model: null, exhibitor: { name: { zh: '乙', en: 'B' } } },
  ],
});

test('a model revision replaces the template; picks still find the booth', async () => {
  const h = hall();
  const calls = [];
  const changed = [];
  const cat = catalog();
  const s = new BoothSwapper({ loader: loader(calls), onChange: (id) => changed.push(id) });
  s.attach(h, cat, 'main');
  assert.deepEqual(s.states['a-01'], { revision: 0, model: null, template: 'kiosk', loaded: true });
  const exhibitor = { name: { zh: '新', en: 'New' } };
  const p = s.apply({ type: 'booth', id: 'a-01', hall: 'main', revision: 1, model: '/assets/x.glb', template: 'kiosk', exhibitor });
  assert.equal(s.states['a-01'].loaded, false);
  assert.equal(await p, true);
  assert.deepEqual(s.states['a-01'], { revision: 1, model: '/assets/x.glb', template: 'kiosk', loaded: true });
  const node = h.booths.get('a-01');
  const model = node.children.find((c) => c.userData.boothModel);
  assert.ok(model, 'the model hangs under the booth node');
  assert.equal(boothOf(model.children[0]), 'a-01');
  assert.equal(node.geometry.attributes.position, undefined, 'the template geometry is set aside');
  assert.ok(node.children.some((c) => c.userData.sign), 'the sign stays');
  assert.deepEqual(cat.booths[0].exhibitor, exhibitor, 'the panel texts follow');
  assert.deepEqual(changed, ['a-01']);
  assert.deepEqual(calls, ['/assets/x.glb']);
});

test('older or repeated revisions are ignored; messages before the hall wait for it', async () => {
  const h = hall();
  const calls = [];
  const s = new BoothSwapper({ loader: loader(calls) });
  s.apply({ id: 'a-01', hall: 'main', revision: 2, model: '/assets/y.glb', template: 'kiosk' });
  s.attach(h, catalog(), 'main');
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(s.states['a-01'].revision, 2);
  assert.equal(await s.apply({ id: 'a-01', hall: 'main', revision: 1, model: null, template: 'kiosk' }), false);
  assert.equal(await s.apply({ id: 'a-01', hall: 'other', revision: 9, model: null }), false);
  assert.equal(s.states['a-01'].model, '/assets/y.glb');
});

test('back to a template restores its geometry; another template borrows a booth of that kind', async () => {
  const h = hall();
  const s = new BoothSwapper({ loader: loader([]) });
  s.attach(h, catalog(), 'main');
  await s.apply({ id: 'a-01', hall: 'main', revision: 1, model: '/assets/x.glb', template: 'kiosk' });
  await s.apply({ id: 'a-01', hall: 'main', revision: 2, model: null, template: 'kiosk' });
  const node = h.booths.get('a-01');
  assert.equal(node.geometry, h.kiosk);
  assert.ok(!node.children.some((c) => c.userData.boothModel));
  await s.apply({ id: 'a-01', hall: 'main', revision: 3, model: null, template: 'pavilion' });
  assert.equal(node.geometry, h.pavilion);
  assert.equal(s.states['a-01'].template, 'pavilion');
});
