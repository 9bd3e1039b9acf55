// Where things are in a forum hall (src/forum/place.js), checked on the built-in Qiantang
// Forum Hall: stage at the east, seats facing it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  audienceSpot, entrancePlane, inside, questionsPlane, screenPlane, soundSource, stageSpot, towardAudience,
} from '../src/forum/place.js';

const qiantang = { stage: { x: [106, 120], z: [-15, 15], height: 1.2 }, area: { x: [44, 124], z: [-36, 36] } };
const near = (a, b, eps = 1e-6) => Math.abs(a - b) < eps;
/** Where a camera with this yaw looks (x, z). */
const looks = (yaw) => [-Math.sin(yaw), -Math.cos(yaw)];
/** Where a plane with this yaw faces (x, z). */
const faces = (planeYaw) => [Math.sin(planeYaw), Math.cos(planeYaw)];

test('the audience is west of an east stage; speakers face it and visitors face the stage', () => {
  assert.deepEqual(towardAudience(qiantang), [-1, 0]);
  const speaker = stageSpot(qiantang, 0, 1);
  assert.ok(near(speaker.x, 108.5) && near(speaker.z, 0));
  assert.ok(near(looks(speaker.yaw)[0], -1));
  const visitor = audienceSpot(qiantang);
  assert.ok(near(visitor.x, 100) && inside(qiantang, visitor.x, visitor.z));
  assert.ok(near(looks(visitor.yaw)[0], 1));
  // Two speakers stand apart.
  assert.ok(Math.abs(stageSpot(qiantang, 0, 2).z - stageSpot(qiantang, 1, 2).z) > 1);
});

test('the screen hangs on the wall behind the stage, facing the seats; the questions board beside it', () => {
  const screen = screenPlane(qiantang);
  assert.ok(near(screen.centre[0], 120.45));
  assert.ok(near(screen.centre[1], 1.2 + 0.6 + 3.5));
  assert.ok(near(faces(screen.planeYaw)[0], -1));
  const board = questionsPlane(screen);
  // On the audience's right (looking east, right is +z), clear of the screen.
  assert.ok(board.centre[2] - board.width / 2 > screen.centre[2] + screen.width / 2);
  assert.ok(near(board.planeYaw, screen.planeYaw));
  assert.ok(board.centre[0] < screen.centre[0]);
});

test('the sound comes from the stage, and the entrance board stands at the far side facing out', () => {
  assert.deepEqual(soundSource(qiantang), [113, 2.8, 0]);
  const board = entrancePlane(qiantang);
  assert.ok(near(board.centre[0], 45.5));
  assert.ok(near(faces(board.planeYaw)[0], -1));
  assert.ok(inside(qiantang, board.centre[0], board.centre[2]));
});

test('a stage on the north side turns everything a quarter', () => {
  const north = { stage: { x: [-10, 10], z: [-40, -30], height: 1 }, area: { x: [-30, 30], z: [-42, 20] } };
  assert.deepEqual(towardAudience(north), [0, 1]);
  const s = stageSpot(north, 0, 1);
  assert.ok(near(s.z, -32.5));
  assert.ok(near(looks(s.yaw)[1], 1));
  assert.ok(near(faces(screenPlane(north).planeYaw)[1], 1));
});
