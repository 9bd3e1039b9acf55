// Chunks into AUDIO frames (src/media/batcher.js) and the silence gate (src/media/gate.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkBatcher } from '../src/media/batcher.js';
import { rms, SilenceGate } from '../src/media/gate.js';

test('chunks go out two to a frame, in order, and a flush sends the rest', () => {
  const frames = [];
  const b = new ChunkBatcher({ send: (chunks) => frames.push(chunks.map((c) => c.seq)) });
  for (const seq of [65534, 65535, 65536, 7]) b.add(seq, new Uint8Array([1]));
  b.add(8, new Uint8Array([1]));
  b.flush();
  b.flush();
  assert.deepEqual(frames, [[65534, 65535], [0, 7], [8]]);
  assert.equal(b.chunks, 5);
});

test('a frame never carries more than five chunks, and oversized or empty chunks are not sent', () => {
  const frames = [];
  const b = new ChunkBatcher({ send: (c) => frames.push(c.length), perFrame: 9, maxChunkBytes: 400 });
  for (let i = 0; i < 5; i++) b.add(i, new Uint8Array(60));
  b.add(5, new Uint8Array(401));
  b.add(6, new Uint8Array(0));
  assert.deepEqual(frames, [5]);
  assert.equal(b.oversized, 2);
});

test('the gate sends speech and its hangover, and holds back silence', () => {
  const gate = new SilenceGate({ thresholdDb: -50, hangoverMs: 100 });
  // 10 ms input blocks: loud from 100 to 200 ms, silent otherwise.
  for (let t = 0; t < 600; t += 10) gate.level(t * 1000, 10000, t >= 100 && t < 200 ? 0.2 : 0.0005);
  const sent = [];
  for (let t = 0; t < 600; t += 20) if (gate.open(t * 1000)) sent.push(t);
  // Speech from 100 ms, then 100 ms of hangover after it ends at 200 ms.
  assert.deepEqual(sent, [100, 120, 140, 160, 180, 200, 220, 240, 260, 280]);
});

test('rms of a full-scale square wave is 1 and of silence 0', () => {
  assert.equal(rms(new Float32Array([1, -1, 1, -1])), 1);
  assert.equal(rms(new Float32Array(8)), 0);
});
