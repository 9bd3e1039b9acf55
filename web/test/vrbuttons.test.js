// The VR panel's buttons (src/forum/vrbuttons.js): layout in rows, and which one a ray hits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buttonAt, layoutButtons } from '../src/forum/vrbuttons.js';

test('buttons flow into rows and a hit finds the one under it', () => {
  const buttons = layoutButtons(
    [{ id: 'hand', label: 'Raise', w: 400 }, { id: 'prev', label: '<', w: 200 }, { id: 'next', label: '>', w: 200 }],
    { x0: 20, y0: 100, width: 700, h: 80, gap: 20 });
  assert.deepEqual(buttons.map((b) => [b.id, b.x, b.y]), [['hand', 20, 100], ['prev', 440, 100], ['next', 20, 200]]);
  const W = 1000;
  const H = 500;
  // (u, v) of the middle of "next": x = 120, y = 240 from the top.
  assert.equal(buttonAt(buttons, 120 / W, 1 - 240 / H, W, H)?.id, 'next');
  assert.equal(buttonAt(buttons, 0.99, 0.99, W, H), null);
});
