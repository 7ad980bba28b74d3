/**
 * The Lambda bundles (scripts/build-lambda.mjs): each builds, reaches no SQLite, pocketsphinx, local model
 * or data-directory adapter (from esbuild's metafile), loads in a fresh Node process without any
 * configuration (config is read at the first invocation, never at import), and a built handler answers an
 * API Gateway event against the emulators.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { repoRoot } from '../../../test/helpers/eval-manuals.js';

const run = promisify(execFile);

/** What must never be in a Lambda bundle: the embedded shape's storage, recogniser, local model. */
export const FORBIDDEN = [/node_modules\/better-sqlite3\//, /pocketsphinx/, /adapters\/embedded\/sqlite-/, /adapters\/embedded\/sphinx-/, /adapters\/embedded\/(local|ipc)-embedder/, /adapters\/embedded\/embed-worker/, /@energetic-ai\//, /adapters\/embedded\/fs-(blob-store|audio-archive)/, /wiring\/embedded/];

interface Built {
  name: string;
  bytes?: number;
  skipped?: string;
}

describe('Lambda bundles', () => {
  let out: string;
  const built: Built[] = [];
  let functions: string[] = [];

  before(async () => {
    out = mkdtempSync(join(tmpdir(), 'manuel-bundles-'));
    const script = (await import(pathToFileURL(join(repoRoot, 'scripts', 'build-lambda.mjs')).href)) as {
      FUNCTIONS: Record<string, unknown>;
      buildFunction(name: string, o: { outDir: string }): Promise<Built>;
    };
    functions = Object.keys(script.FUNCTIONS);
    for (const name of functions) built.push(await script.buildFunction(name, { outDir: out }));
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('builds every function the templates name into <name>/index.mjs', () => {
    for (const name of ['query', 'manuals', 'usage', 'ingestion-status', 'bootstrap', 'health', 'transcribe', 'process-manual']) {
      assert.ok(existsSync(join(out, name, 'index.mjs')), name);
    }
  });

  it('no bundle contains better-sqlite3, pocketsphinx, the local model or an embedded storage adapter', () => {
    for (const b of built.filter((x) => !x.skipped)) {
      const meta = JSON.parse(readFileSync(join(out, b.name, 'meta.json'), 'utf8')) as { inputs: string[] };
      assert.ok(meta.inputs.some((i) => i.includes('src/wiring/aws.ts')), `${b.name} starts from wiring/aws`);
      const bad = meta.inputs.filter((i) => FORBIDDEN.some((re) => re.test(i)));
      assert.deepEqual(bad, [], `${b.name} bundles ${bad.join(', ')}`);
    }
  });

  it('ships the page renderer (pdf.js assets and the canvas addon) only with the manuals function, and the PDF workers with process-manual', () => {
    assert.ok(existsSync(join(out, 'manuals', 'node_modules', 'pdfjs-dist', 'standard_fonts')));
    assert.ok(existsSync(join(out, 'manuals', 'node_modules', '@napi-rs', 'canvas-linux-x64-gnu')));
    assert.ok(!existsSync(join(out, 'query', 'node_modules')));
    assert.ok(existsSync(join(out, 'process-manual', 'pdf-read-worker.js')));
    assert.ok(existsSync(join(out, 'process-manual', 'pdf-inspect-worker.js')));
  });

  it('each bundle loads in a fresh process with no configuration and exports handler', async () => {
    for (const b of built.filter((x) => !x.skipped)) {
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', 'const m = await import(process.argv[1]); process.stdout.write(typeof m.handler);', pathToFileURL(join(out, b.name, 'index.mjs')).href], {
        cwd: join(out, b.name),
        env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      });
      assert.equal(stdout, 'function', b.name);
    }
  });
});
