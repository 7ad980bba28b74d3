#!/usr/bin/env node
/**
 * npm run build:lambda: one esbuild bundle per Lambda function, `dist-lambda/<name>/index.mjs` (Handler
 * `index.handler`, CodeUri `../dist-lambda/<name>/` in infra/template*.yaml), plus `meta.json` (esbuild's
 * metafile: what went in, checked by src/entry/lambda/bundles.test.ts and measured by bench/lambda-bundles.ts).
 *
 * - ESM for Node 20+ with a createRequire banner: CommonJS dependencies bundled into ESM (the AWS SDK's
 *   among them) still call require() for Node built-ins.
 * - The AWS SDK v3 is bundled, not taken from the runtime: the version we test is the version that runs,
 *   and a bundle loads faster than the runtime's node_modules tree (see docs/decisions/0024).
 * - swagger-ui-dist's page assets are copied into each HTTP function's node_modules/ (the app resolves
 *   them when it is built; /api/docs serves them).
 * - External only what cannot be bundled: @napi-rs/canvas (a native addon) and pdfjs-dist (the page
 *   renderer resolves its fonts and cmaps as files next to its package.json). Both are copied, pruned, into
 *   the `node_modules/` of the one function that renders pages (manuals).
 * - Worker threads (the capped PDF reader and inspector of ingestion) are separate files next to the
 *   bundle, where `new URL('./x.js', import.meta.url)` finds them; a package.json `{"type":"module"}` makes
 *   those `.js` files ESM.
 * Usage: node scripts/build-lambda.mjs [function...]   (default: all)
 */
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist-lambda');
const require = createRequire(join(root, 'package.json'));

/** Function name -> entry, workers it starts, whether it renders PDF pages. */
export const FUNCTIONS = {
  query: { entry: 'src/entry/lambda/query.ts', http: true },
  manuals: { entry: 'src/entry/lambda/manuals.ts', http: true, renders: true },
  usage: { entry: 'src/entry/lambda/usage.ts', http: true },
  'ingestion-status': { entry: 'src/entry/lambda/ingestion-status.ts', http: true },
  bootstrap: { entry: 'src/entry/lambda/bootstrap.ts', http: true },
  health: { entry: 'src/entry/lambda/health.ts', http: true },
  transcribe: { entry: 'src/entry/lambda/transcribe.ts', http: true },
  'process-manual': {
    entry: 'src/entry/lambda/process-manual.ts',
    workers: ['src/adapters/embedded/pdf-read-worker.ts', 'src/adapters/embedded/pdf-inspect-worker.ts'],
  },
  'error-processor': { entry: 'src/entry/lambda/error-processor.ts', optional: true },
};

const EXTERNAL = ['@napi-rs/canvas', 'pdfjs-dist', 'pdfjs-dist/*'];
const BANNER = "import { createRequire as __manuelCreateRequire } from 'node:module'; const require = __manuelCreateRequire(import.meta.url);";

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: EXTERNAL,
  banner: { js: BANNER },
  // Whitespace and syntax only: 31% smaller, ~18% faster to import (bench/lambda-bundles.ts), while
  // identifiers stay readable in stack traces and error names survive (`err.name` checks).
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  absWorkingDir: root,
};

/**
 * esbuild hoists an external package's static import to the top of the bundle even when the module that
 * imports it is only loaded on demand, so every function would need the canvas addon at start-up. Only
 * the manuals function renders pages (and ships the addon); in the others the import resolves to this.
 */
const noCanvas = {
  name: 'no-canvas',
  setup(b) {
    b.onResolve({ filter: /^@napi-rs\/canvas$/ }, () => ({ path: 'no-canvas', namespace: 'no-canvas' }));
    b.onLoad({ filter: /.*/, namespace: 'no-canvas' }, () => ({
      contents: "export function createCanvas() { throw new Error('page images are rendered by the manuals function (the only one that ships @napi-rs/canvas)'); }",
      loader: 'js',
    }));
  },
};

/** Only what the renderer reads: the legacy build, fonts, cmaps, wasm decoders, ICC profiles. */
function copyRendererModules(dir) {
  const nm = join(dir, 'node_modules');
  const pdfjs = dirname(require.resolve('pdfjs-dist/package.json'));
  const dest = join(nm, 'pdfjs-dist');
  for (const part of ['package.json', 'LICENSE', 'legacy/build/pdf.mjs', 'legacy/build/pdf.worker.mjs', 'standard_fonts', 'cmaps', 'wasm', 'iccs']) {
    const from = join(pdfjs, part);
    if (existsSync(from)) cpSync(from, join(dest, part), { recursive: true });
  }
  const canvas = dirname(require.resolve('@napi-rs/canvas/package.json'));
  cpSync(canvas, join(nm, '@napi-rs', 'canvas'), { recursive: true });
  // The Linux x64 glibc binary: Lambda's x86_64 runtime (Amazon Linux 2023).
  const native = join(dirname(canvas), 'canvas-linux-x64-gnu');
  if (!existsSync(native)) throw new Error('@napi-rs/canvas-linux-x64-gnu is not installed: the page renderer of the manuals function needs it');
  cpSync(native, join(nm, '@napi-rs', 'canvas-linux-x64-gnu'), { recursive: true });
}

/** Builds one function into `<outDir>/<name>/` (default dist-lambda/). */
/** The API reference page's assets (the app resolves swagger-ui-dist when it is built, in every HTTP function). */
function copySwaggerAssets(dir) {
  const from = dirname(require.resolve('swagger-ui-dist/package.json'));
  const dest = join(dir, 'node_modules', 'swagger-ui-dist');
  for (const f of ['package.json', 'LICENSE', 'NOTICE', 'swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'favicon-32x32.png', 'favicon-16x16.png']) {
    if (existsSync(join(from, f))) cpSync(join(from, f), join(dest, f));
  }
}

export async function buildFunction(name, { outDir = out } = {}) {
  const spec = FUNCTIONS[name];
  if (!spec) throw new Error(`unknown function ${name}; known: ${Object.keys(FUNCTIONS).join(', ')}`);
  const dir = join(outDir, name);
  if (spec.optional && !existsSync(join(root, spec.entry))) return { name, skipped: `${spec.entry} does not exist yet` };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const plugins = spec.renders ? [] : [noCanvas];
  const main = await build({ ...common, plugins, entryPoints: [join(root, spec.entry)], outfile: join(dir, 'index.mjs') });
  const inputs = { ...main.metafile.inputs };
  if (spec.workers?.length) {
    const workers = await build({ ...common, plugins, entryPoints: spec.workers.map((w) => join(root, w)), outdir: dir, entryNames: '[name]' });
    Object.assign(inputs, workers.metafile.inputs);
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }, null, 2) + '\n');
  writeFileSync(join(dir, 'meta.json'), JSON.stringify({ inputs: Object.keys(inputs).sort(), external: EXTERNAL }, null, 1) + '\n');
  if (spec.http) copySwaggerAssets(dir);
  if (spec.renders) copyRendererModules(dir);
  return { name, bytes: statSync(join(dir, 'index.mjs')).size };
}

async function main() {
  const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(FUNCTIONS);
  for (const name of names) {
    const r = await buildFunction(name);
    console.log(r.skipped ? `${name}: skipped (${r.skipped})` : `${name}: dist-lambda/${name}/index.mjs ${(r.bytes / 1024).toFixed(0)} KiB`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
