// The hall's merged sign mesh: every sign listed in its userData.signs is found and painted
// like a single sign; gateways show the zone's name in both languages, the entrance the title.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoxGeometry, Group, Mesh, MeshBasicMaterial } from 'three';
import { indexHall } from '../src/world/hall.js';
import { plateLayout, signTexts } from '../src/world/signs.js';

const catalog = {
  expo: { title: { zh: '元宇宙浙江', en: 'Metaverse Zhejiang' } },
  zones: [{ id: 'retail', title: { zh: '元零售', en: 'Meta Retail' }, colour: '#fb8c00' }],
  booths: [],
};
const i18n = (lang) => ({ lang, pick: (t) => t?.[lang] ?? '', t: (k) => k });

test('every sign of the merged mesh is indexed with that mesh', () => {
  const material = new MeshBasicMaterial();
  material.name = 'signs';
  const merged = new Mesh(new BoxGeometry(1, 1, 1), material);
  merged.userData.signs = [
    { kind: 'entrance', id: 'main', rect: [0, 0, 0.5, 0.1], aspect: 7, height_m: 2.8 },
    { kind: 'gate', id: 'retail', rect: [0, 0.2, 0.2, 0.3], aspect: 7.6, height_m: 1.5 },
    { kind: 'broken', id: 'x', rect: [0, 1] },
  ];
  const root = new Group();
  root.add(merged);
  const hall = indexHall(root);
  assert.deepEqual(hall.signs.map((s) => `${s.kind}:${s.id}`), ['entrance:main', 'gate:retail']);
  assert.ok(hall.signs.every((s) => s.mesh === merged));
  assert.equal(hall.signs[0].height_m, 2.8);
  assert.equal(hall.signsMaterial, material);
});

test('a gateway shows the zone in the visitor language over the other one', () => {
  assert.deepEqual(signTexts({ kind: 'gate', id: 'retail' }, catalog, i18n('en')),
    { title: 'Meta Retail', subtitle: '元零售', colour: '#fb8c00' });
  assert.deepEqual(signTexts({ kind: 'gate', id: 'retail' }, catalog, i18n('zh')),
    { title: '元零售', subtitle: 'Meta Retail', colour: '#fb8c00' });
});

test('the entrance carries the expo title in Chinese and English', () => {
  const texts = signTexts({ kind: 'entrance', id: 'main' }, catalog, i18n('en'));
  assert.equal(texts.title, '元宇宙浙江');
  assert.equal(texts.subtitle, 'Metaverse Zhejiang');
});

test("a booth sign's words move right of the logo plate and stay off it", () => {
  const w = 700;
  const h = 100;
  const plain = plateLayout(w, h);
  assert.equal(plain.centreX, w / 2);
  const beside = plateLayout(w, h, h); // the plate: a square as tall as the sign, at the left
  assert.equal(beside.centreX, h + (w - h) / 2);
  assert.ok(beside.centreX - beside.innerW / 2 >= h, 'the words start right of the plate');
  assert.ok(beside.centreX + beside.innerW / 2 <= w, 'and end inside the sign');
  assert.equal(beside.innerW, plain.innerW - h);
  // A plate wider than half the sign (a nearly square sign) never leaves the words no room.
  assert.ok(plateLayout(120, 100, 100).innerW > 0);
});
