// Emote messages against the shared vectors in docs/protocol-vectors/control_messages.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { emoteMessage, EMOTES, readEmote } from '../src/net/emote.js';

const vectors = JSON.parse(readFileSync(new URL('../../docs/protocol-vectors/control_messages.json', import.meta.url)))
  .vectors;

test('the server emote messages read as the vectors say, unknown ones as null', () => {
  const server = vectors.filter((v) => v.direction === 'server');
  assert.ok(server.length >= 4);
  for (const v of server) assert.deepEqual(readEmote(JSON.parse(v.text)), v.decoded, v.name);
});

test('the client sends exactly the messages the server accepts', () => {
  const accepted = vectors.filter((v) => v.direction === 'client' && v.error === null);
  assert.deepEqual(accepted.map((v) => v.emote), [...EMOTES]);
  for (const v of accepted) assert.deepEqual(emoteMessage(v.emote), JSON.parse(v.text), v.name);
  assert.throws(() => emoteMessage('dance'), RangeError);
});
