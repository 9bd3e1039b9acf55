// Where each Opus packet's first sample was captured (src/media/encoder.js, PacketStamps): from
// the frames given to the encoder, not from the encoder's own clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketStamps } from '../src/media/encoder.js';

test('packets of 20 ms are stamped every 20 ms from the first frame', () => {
  const s = new PacketStamps();
  for (let i = 0; i < 4; i++) s.input(1_000_000 + i * 10_000, 480, 48000);
  assert.deepEqual([s.output(), s.output()], [1_000_000, 1_020_000]);
});

test('frames held back (push-to-talk released) leave their time out of the stamps', () => {
  const s = new PacketStamps();
  s.input(0, 480, 48000);
  s.input(10_000, 480, 48000);
  // Not talking from 20 ms to 2 s: those frames never reached the encoder.
  s.input(2_000_000, 480, 48000);
  s.input(2_010_000, 480, 48000);
  assert.equal(s.output(), 0);
  assert.equal(s.output(), 2_000_000);
});

test('a packet starting inside a frame is stamped where in the frame it starts', () => {
  const s = new PacketStamps();
  // 1024-sample frames at 48 kHz (a ScriptProcessorNode's), 21,333 µs each: packets of 960
  // samples start inside them.
  for (let i = 0; i < 4; i++) s.input(i * 21_333, 1024, 48000);
  assert.equal(s.output(), 0);
  assert.equal(s.output(), 20_000); // sample 960, inside frame 0
  assert.equal(s.output(), 21_333 + 18_667); // sample 1920 = frame 1's sample 896 (18.67 ms in)
});

test('a packet the remembered frames no longer cover follows the last by 20 ms', () => {
  const s = new PacketStamps();
  s.input(500_000, 960, 48000);
  assert.equal(s.output(), 500_000);
  assert.equal(s.output(), 520_000);
});
