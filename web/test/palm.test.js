// The wrist menu's gesture (src/controls/palm.js) and when the menu shows (src/ui/wristswitch.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix4, Vector3 } from 'three';
import { palmFacesHead } from '../src/controls/palm.js';
import { WristSwitch } from '../src/ui/wristswitch.js';

const head = new Vector3(0, 1.6, 0);

/** A grip at `at` whose +X (out of the left palm) points along `palm`. */
function grip(at, palm) {
  const x = palm.clone().normalize();
  const helper = Math.abs(x.y) > 0.9 ? new Vector3(1, 0, 0) : new Vector3(0, 1, 0);
  const z = new Vector3().crossVectors(x, helper).normalize();
  const y = new Vector3().crossVectors(z, x);
  return new Matrix4().makeBasis(x, y, z).setPosition(at);
}

test('a left palm turned to the face faces it; turned to the side or down it does not', () => {
  const at = new Vector3(-0.1, 1.3, -0.35);
  const toHead = head.clone().sub(at);
  assert.equal(palmFacesHead(grip(at, toHead), head, false), true);
  assert.equal(palmFacesHead(grip(at, new Vector3(1, 0, 0)), head, false), false, 'palm to the right');
  assert.equal(palmFacesHead(grip(at, new Vector3(0, -1, 0)), head, false), false, 'palm down');
  assert.equal(palmFacesHead(grip(at, toHead.clone().negate()), head, false), false, 'back of the hand');
});

test('the right hand faces its palm along -X', () => {
  const at = new Vector3(0.1, 1.3, -0.35);
  const toHead = head.clone().sub(at);
  assert.equal(palmFacesHead(grip(at, toHead.clone().negate()), head, false, 'right'), true);
  assert.equal(palmFacesHead(grip(at, toHead), head, false, 'right'), false);
});

test('between 40 and 60 degrees off the head the palm keeps what it was (no flicker)', () => {
  const at = new Vector3(0, 1.6, -0.4);
  // The head is straight along +z from the hand; turn the palm 50 degrees away from it.
  const a = (50 * Math.PI) / 180;
  const palm = new Vector3(Math.sin(a), 0, Math.cos(a));
  assert.equal(palmFacesHead(grip(at, palm), head, false), false);
  assert.equal(palmFacesHead(grip(at, palm), head, true), true);
  const far = (70 * Math.PI) / 180;
  assert.equal(palmFacesHead(grip(at, new Vector3(Math.sin(far), 0, Math.cos(far))), head, true), false);
});

test('the palm shows the menu and turning away hides it', () => {
  const s = new WristSwitch();
  assert.equal(s.shows, false);
  s.palm(true);
  assert.equal(s.shows, true);
  s.palm(false);
  assert.equal(s.shows, false);
});

test('a press of the menu button pins the menu open whatever the palm does, and a second press closes it', () => {
  const s = new WristSwitch();
  s.toggle();
  assert.equal(s.shows, true);
  s.palm(true);
  s.palm(false);
  assert.equal(s.shows, true, 'pinned: the palm turning away does not hide it');
  s.toggle();
  assert.equal(s.shows, false);
});

test('closed while the palm faces the face, it stays closed until the palm turns away and back', () => {
  const s = new WristSwitch();
  s.palm(true);
  s.close(); // a place chosen, or its close button
  assert.equal(s.shows, false);
  s.palm(true);
  assert.equal(s.shows, false, 'the same pose held');
  s.palm(false);
  s.palm(true);
  assert.equal(s.shows, true);
  s.toggle();
  assert.equal(s.shows, false, 'a press hides what the palm showed');
  s.toggle();
  assert.equal(s.shows, true, 'and a second one pins it');
});
