// Third-party files the service serves as they come from npm, copied by build.mjs into dist/.
//
// The API reference pages (/docs: Swagger UI, /redoc: Redoc) load their prebuilt bundles
// from the expo itself, never from a CDN, so they work on an offline LAN. Each bundle is
// copied byte for byte (less its source-map comment: the maps are not shipped) into
// dist/app/ under a content-hashed name like the esbuild outputs, so the server caches it
// forever. The licence texts of what the pages and the client ship (the OFL of the Noto
// Sans SC, Noto Color Emoji and Noto Emoji font files, three.js, Swagger UI, Redoc, Apache ECharts and its zrender) are copied from the packages themselves
// into dist/licenses/, which the service serves at /licenses.
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Bundles for the API reference pages: manifest key → [package, file in the package, output stem]. */
const BUNDLES = {
  swaggerJs: ['swagger-ui-dist', 'swagger-ui-bundle.js', 'swagger-ui-bundle'],
  swaggerCss: ['swagger-ui-dist', 'swagger-ui.css', 'swagger-ui'],
  redocJs: ['redoc', 'bundles/redoc.standalone.js', 'redoc-standalone'],
};

/** Licence notices: output name → [package, files in the package, joined in this order]. */
const LICENCES = {
  'noto-sans-sc': ['@fontsource/noto-sans-sc', ['LICENSE']],
  'noto-color-emoji': ['@fontsource/noto-color-emoji', ['LICENSE']],
  'noto-emoji': ['@fontsource/noto-emoji', ['LICENSE']],
  three: ['three', ['LICENSE']],
  'swagger-ui': ['swagger-ui-dist', ['LICENSE', 'NOTICE', 'swagger-ui-bundle.js.LICENSE.txt']],
  redoc: ['redoc', ['LICENSE', 'bundles/redoc.standalone.js.LICENSE.txt']],
  echarts: ['echarts', ['LICENSE', 'NOTICE']],
  zrender: ['zrender', ['LICENSE']],
};

const SOURCE_MAP_COMMENT = /\n?\/[/*]# sourceMappingURL=[^\n]*\s*$/;

/**
 * esbuild's style of content hash: 8 characters of base32 (A-Z, 2-7) of the bytes' digest.
 * @param {Buffer} bytes
 * @returns {string}
 */
export function contentHash(bytes) {
  const digest = createHash('sha256').update(bytes).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 8) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length === 8) break;
  }
  return out;
}

/**
 * Copy the API reference bundles and the licence notices into ``dist``.
 * @param {string} webDir the web client's folder (where package.json is)
 * @param {string} dist the build's output folder
 * @returns {Promise<{docs: Record<string, string>, licenses: string[]}>} for dist/manifest.json:
 *   the hashed file name of each bundle under app/, and the notices under licenses/
 */
export async function copyVendorFiles(webDir, dist) {
  // Not require.resolve: some packages (three) do not export their package.json.
  /** @param {string} pkg */
  const packageDir = (pkg) => path.join(webDir, 'node_modules', pkg);

  /** @type {Record<string, string>} */
  const docs = {};
  for (const [key, [pkg, file, stem]] of Object.entries(BUNDLES)) {
    const source = path.join(packageDir(pkg), file);
    const text = (await readFile(source, 'utf8')).replace(SOURCE_MAP_COMMENT, '\n');
    const bytes = Buffer.from(text, 'utf8');
    const name = `${stem}-${contentHash(bytes)}${path.extname(file)}`;
    await writeFile(path.join(dist, 'app', name), bytes);
    docs[key] = name;
  }

  const licenceDir = path.join(dist, 'licenses');
  await mkdir(licenceDir, { recursive: true });
  const licenses = [];
  for (const [name, [pkg, files]] of Object.entries(LICENCES)) {
    const dir = packageDir(pkg);
    const version = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')).version;
    const parts = [`${pkg} ${version} (npm), as shipped by the expo\n`];
    for (const file of files) {
      parts.push(`\n==== ${file} ====\n\n${await readFile(path.join(dir, file), 'utf8')}`);
    }
    await writeFile(path.join(licenceDir, `${name}.txt`), parts.join(''));
    licenses.push(`${name}.txt`);
  }
  return { docs, licenses };
}
