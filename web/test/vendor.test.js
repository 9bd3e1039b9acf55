// The API reference bundles and licence notices the build copies from npm (tools/vendor.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { contentHash, copyVendorFiles } from '../tools/vendor.mjs';

const web = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

test('content hashes look like esbuild\'s and change with the bytes', () => {
  const a = contentHash(Buffer.from('swagger'));
  assert.match(a, /^[A-Z2-7]{8}$/);
  assert.equal(contentHash(Buffer.from('swagger')), a);
  assert.notEqual(contentHash(Buffer.from('swagger!')), a);
});

test('the bundles are copied under hashed names without their source-map comment', async () => {
  const dist = await mkdtemp(path.join(os.tmpdir(), 'vendor-'));
  try {
    await mkdir(path.join(dist, 'app'));
    const { docs, licenses } = await copyVendorFiles(web, dist);
    assert.match(docs.swaggerJs, /^swagger-ui-bundle-[A-Z2-7]{8}\.js$/);
    assert.match(docs.swaggerCss, /^swagger-ui-[A-Z2-7]{8}\.css$/);
    assert.match(docs.redocJs, /^redoc-standalone-[A-Z2-7]{8}\.js$/);
    assert.deepEqual((await readdir(path.join(dist, 'app'))).sort(), Object.values(docs).sort());
    for (const name of Object.values(docs)) {
      const text = await readFile(path.join(dist, 'app', name), 'utf8');
      assert.doesNotMatch(text.slice(-200), /sourceMappingURL/, `${name}: the maps are not shipped`);
    }
    const font = await readFile(path.join(dist, 'licenses', 'noto-sans-sc.txt'), 'utf8');
    const original = await readFile(path.join(web, 'node_modules/@fontsource/noto-sans-sc/LICENSE'), 'utf8');
    assert.ok(font.includes(original), 'the OFL text as the font package ships it');
    assert.ok(licenses.includes('noto-sans-sc.txt') && licenses.includes('redoc.txt'));
  } finally {
    await rm(dist, { recursive: true, force: true });
  }
});
