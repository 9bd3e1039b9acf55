// Production build of the web client: `npm run build` (scripts/bootstrap runs it).
//
// esbuild bundles src/main.js (three.js from node_modules, never a CDN),
// src/styles.css (with the Noto Sans SC and emoji @font-face rules from @fontsource) and
// src/viewer/kit.js (the portal's 3D preview), src/reach/dashboard.js (the reach dashboards of
// the portal and the console, with Apache ECharts), src/media/micworker.js and decodeworker.js (the
// microphone's and the speakers' decoders' workers) and src/media/playoutworklet.js (the
// speakers' playout on the audio thread), each named in index.html by a <meta> tag,
// minified, into dist/app/ with content hashes in every file name, so the
// server can cache them forever. dist/index.html is index.html with the
// hashed <link>/<script> filled in; it is the one file served uncached.
// dist/manifest.json lists the outputs and their sizes. tools/vendor.mjs adds the API
// reference pages' bundles (Swagger UI, Redoc) and the licence notices of what is shipped.
import { build } from 'esbuild';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyVendorFiles } from './tools/vendor.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'dist');
const appDir = path.join(dist, 'app');

// @fontsource lists a .woff fallback after every .woff2; every browser that runs WebGL2
// reads woff2, so drop the fallbacks and halve the font files in dist.
const woff2Only = {
  name: 'woff2-only',
  setup(b) {
    b.onLoad({ filter: /@fontsource[\\/].*\.css$/ }, async (args) => {
      const css = await readFile(args.path, 'utf8');
      return {
        contents: css.replace(/,\s*url\([^)]*\.woff\)\s*format\('woff'\)/g, ''),
        loader: 'css',
        resolveDir: path.dirname(args.path),
      };
    });
  },
};

async function main() {
  const started = Date.now();
  await rm(dist, { recursive: true, force: true });
  await mkdir(appDir, { recursive: true });
  const result = await build({
    absWorkingDir: here,
    // viewer: the exhibitor portal's 3D preview (three.js + GLTFLoader + OrbitControls only).
    // apidocs: starts Swagger UI on /docs (its bundle is copied by tools/vendor.mjs).
    entryPoints: {
      main: 'src/main.js',
      styles: 'src/styles.css',
      viewer: 'src/viewer/kit.js',
      apidocs: 'src/apidocs/swagger.js',
      reach: 'src/reach/dashboard.js',
      // The microphone's worker (capture.js finds it by the page's <meta name="mic-worker">).
      micworker: 'src/media/micworker.js',
      // The speakers' decoders (decoding.js finds it by <meta name="decode-worker">).
      decodeworker: 'src/media/decodeworker.js',
      // The speakers' playout on the audio thread (playout.js finds it by <meta name="playout-worklet">).
      playoutworklet: 'src/media/playoutworklet.js',
    },
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    format: 'esm',
    target: ['es2022', 'chrome100', 'safari16', 'firefox110'],
    outdir: appDir,
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    chunkNames: '[name]-[hash]',
    loader: { '.woff2': 'file', '.woff': 'file', '.png': 'file', '.svg': 'file' },
    metafile: true,
    legalComments: 'linked',
    logLevel: 'warning',
    plugins: [woff2Only],
    define: { 'process.env.NODE_ENV': '"production"' },
  });

  const outputs = Object.keys(result.metafile.outputs).map((p) => path.relative(appDir, path.join(here, p)));
  const js = outputs.find((f) => /^main-[A-Z0-9]+\.js$/.test(f));
  const css = outputs.find((f) => /^styles-[A-Z0-9]+\.css$/.test(f));
  const micWorker = outputs.find((f) => /^micworker-[A-Z0-9]+\.js$/.test(f));
  const decodeWorker = outputs.find((f) => /^decodeworker-[A-Z0-9]+\.js$/.test(f));
  const playoutWorklet = outputs.find((f) => /^playoutworklet-[A-Z0-9]+\.js$/.test(f));
  if (!js || !css || !micWorker || !decodeWorker || !playoutWorklet) throw new Error(`build: missing outputs in ${outputs.join(', ')}`);

  const template = await readFile(path.join(here, 'index.html'), 'utf8');
  const html = template
    .replace(
      '<!-- app:css -->',
      `<link rel="stylesheet" href="/app/${css}">\n<meta name="mic-worker" content="/app/${micWorker}">\n` +
        `<meta name="decode-worker" content="/app/${decodeWorker}">\n` +
        `<meta name="playout-worklet" content="/app/${playoutWorklet}">`,
    )
    .replace('<!-- app:js -->', `<script type="module" src="/app/${js}"></script>`);
  if (html === template) throw new Error('build: index.html lacks the app:css / app:js markers');
  await writeFile(path.join(dist, 'index.html'), html);

  const vendor = await copyVendorFiles(here, dist);
  const files = {};
  let fonts = 0;
  for (const f of outputs) {
    const size = (await stat(path.join(appDir, f))).size;
    files[f] = size;
    if (f.endsWith('.woff2')) fonts += size;
  }
  for (const f of Object.values(vendor.docs)) files[f] = (await stat(path.join(appDir, f))).size;
  const manifest = { built: new Date().toISOString(), js, css, micWorker, decodeWorker, playoutWorklet, files, ...vendor };
  await writeFile(path.join(dist, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(
    `web build: ${js} ${kb(files[js])}, ${css} ${kb(files[css])}, ` +
    `${outputs.filter((f) => f.endsWith('.woff2')).length} font files ${kb(fonts)} ` +
    `in ${Date.now() - started} ms → ${path.relative(process.cwd(), dist) || 'dist'}/`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
