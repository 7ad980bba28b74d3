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
import { localSettings, motoSkip, startDynalite, startMoto, type DynamoEmulator, type MotoServer } from '../../../test/helpers/aws-emulators.js';
import { TABLES, type TableKey } from '../../adapters/aws/dynamodb-tables.js';
import { createCognito } from '../aws-local.js';

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
    assert.ok(!existsSync(join(out, 'query', 'node_modules', 'pdfjs-dist')));
    assert.ok(!existsSync(join(out, 'query', 'node_modules', '@napi-rs')));
    assert.ok(existsSync(join(out, 'health', 'node_modules', 'swagger-ui-dist', 'swagger-ui-bundle.js')), 'the API reference assets');
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

  describe('a built handler on the emulators', { skip: motoSkip() }, () => {
    let dynamo: DynamoEmulator;
    let moto: MotoServer;
    let env: NodeJS.ProcessEnv;
    before(async () => {
      dynamo = await startDynalite();
      moto = await startMoto();
      const cognito = await createCognito(localSettings({ cognito: moto.endpoint }));
      env = {
        PATH: process.env.PATH,
        AWS_REGION: 'us-east-1',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        POWERTOOLS_TRACE_ENABLED: 'false',
        POWERTOOLS_LOG_LEVEL: 'ERROR',
        MANUEL_AWS_ENDPOINT_DYNAMODB: dynamo.endpoint,
        MANUEL_AWS_ENDPOINT_COGNITO: moto.endpoint,
        ...Object.fromEntries((Object.keys(TABLES) as TableKey[]).filter((k) => !TABLES[k].flag).map((k) => [TABLES[k].envVar, dynamo.tables[k]])),
        MANUALS_BUCKET: 'manuals-not-touched-here',
        COGNITO_USER_POOL_ID: cognito.userPoolId,
        COGNITO_CLIENT_ID: cognito.clientId,
        COGNITO_JWKS_URI: `${moto.endpoint}/${cognito.userPoolId}/.well-known/jwks.json`,
        MANUEL_DATA_DIR: join(out, 'tmp'),
      };
    });
    after(async () => {
      await moto?.close();
      await dynamo?.close();
    });

    /** Imports the bundle in a fresh process (its own directory, nothing of the repository) and invokes it once per event. */
    async function invoke(fn: string, events: unknown[]): Promise<{ statusCode: number; body: string; isBase64Encoded: boolean }[]> {
      const script = `const { handler } = await import(process.argv[1]); const out = []; for (const e of JSON.parse(process.argv[2])) out.push(await handler(e, { awsRequestId: 'r', getRemainingTimeInMillis: () => 29000 })); process.stdout.write(JSON.stringify(out));`;
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(join(out, fn, 'index.mjs')).href, JSON.stringify(events)], { cwd: join(out, fn), env, maxBuffer: 16 * 1024 * 1024 });
      return JSON.parse(stdout.slice(stdout.lastIndexOf('[{')));
    }
    const event = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => ({
      resource: path,
      path,
      httpMethod: method,
      headers: { Host: 'api.example.test', ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
      multiValueHeaders: {},
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: null,
      stageVariables: null,
      requestContext: { identity: { sourceIp: '198.51.100.7' }, requestId: 'req-1', stage: 'v1', path, httpMethod: method, resourcePath: path },
      body: body ? Buffer.from(JSON.stringify(body)).toString('base64') : null,
      isBase64Encoded: !!body,
    });

    it('usage: signs up through Cognito and reads the quota with the token it got', async () => {
      const [signup] = await invoke('usage', [event('POST', '/api/auth/signup', { email: `bundle-${Date.now()}@example.test`, password: 'correct horse battery' })]);
      assert.equal(signup!.statusCode, 201, signup!.body);
      const token = (JSON.parse(signup!.body) as { access_token: string }).access_token;
      const [quota] = await invoke('usage', [event('GET', '/api/user/quota', undefined, { Authorization: `Bearer ${token}` })]);
      assert.equal(quota!.statusCode, 200, quota!.body);
      assert.equal(quota!.isBase64Encoded, false);
    });

    it('health: answers /health from the bundle, the DynamoDB ping included', async () => {
      const [h] = await invoke('health', [event('GET', '/health')]);
      assert.equal(h!.statusCode, 200, h!.body);
      assert.equal((JSON.parse(h!.body) as { status: string }).status, 'healthy');
    });
  });
});
