import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { loadEmbeddedConfig } from '../config/config.js';
import { createEmbedded, type EmbeddedApp } from '../wiring/embedded.js';
import { buildPdf } from '../../test/helpers/api-pdfs.js';
import { apiGatewayProxy, type ApiGatewayProxyOptions } from './aws-local-proxy.js';
import { httpFunction } from './lambda/http-function.js';
import { CATCH_ALL, FUNCTION_ROUTES, HTTP_FUNCTIONS, matchRoute } from './lambda/function-routes.js';
import { readTemplate } from '../deploy/cfn-template.js';
import { repoRoot } from '../../test/helpers/eval-manuals.js';

describe('function routes (API Gateway resources)', () => {
  it('picks the exact resource before a greedy one, with path parameters', () => {
    assert.equal(matchRoute('POST', '/api/query')?.route.fn, 'query');
    assert.deepEqual(matchRoute('GET', '/api/manuals/m1/pages/3.png'), { route: { fn: 'manuals', method: 'ANY', resource: '/api/manuals/{proxy+}' }, pathParameters: { proxy: 'm1/pages/3.png' } });
    assert.equal(matchRoute('GET', '/api/manuals/m1/pages/3.png')?.route.fn, 'manuals');
    assert.equal(matchRoute('GET', '/api/manuals')?.route.resource, '/api/manuals');
    assert.equal(matchRoute('GET', '/api/ingestion/status')?.route.fn, 'ingestion-status');
    assert.equal(matchRoute('POST', '/api/auth/signup')?.route.fn, 'usage');
    assert.equal(matchRoute('GET', '/health/deep')?.route.fn, 'health');
    assert.equal(matchRoute('OPTIONS', '/api/query')?.route.fn, 'query', 'preflights reach the function');
    assert.equal(matchRoute('GET', '/index.html'), null);
  });

  it('are the Api events of infra/template.yaml, function by function', () => {
    const t = readTemplate(join(repoRoot, 'infra', 'template.yaml'));
    const declared: string[] = [];
    for (const r of Object.values(t.Resources)) {
      if (r.Type !== 'AWS::Serverless::Function') continue;
      const props = r.Properties as { CodeUri: string; Events?: Record<string, { Type: string; Properties: { Path?: string; Method?: string } }> };
      const fn = props.CodeUri.replace(/^\.\.\/dist-lambda\//, '').replace(/\/$/, '');
      for (const e of Object.values(props.Events ?? {})) {
        if (e.Type !== 'Api') continue;
        const path = e.Properties.Path!;
        if (fn === CATCH_ALL.fn && (CATCH_ALL.resources as readonly string[]).includes(path)) continue;
        declared.push(`${fn} ${String(e.Properties.Method).toUpperCase()} ${path}`);
      }
    }
    assert.deepEqual(declared.sort(), FUNCTION_ROUTES.map((r) => `${r.fn} ${r.method} ${r.resource}`).sort());
  });
});

describe('local API Gateway proxy: HTTP -> REST proxy event -> function -> HTTP', () => {
  let dir: string;
  let services: EmbeddedApp;
  let server: Server;
  let url: string;
  let events: { fn: string; event: APIGatewayProxyEvent }[] = [];
  const opts: Partial<ApiGatewayProxyOptions> = {};

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'manuel-proxy-'));
    const config = loadEmbeddedConfig({ MANUEL_DATA_DIR: dir, LOG_LEVEL: 'silent' }, { EmbeddingWorkers: 0 });
    services = await createEmbedded(config, { embedder: null, transcriber: null, worker: { pollMs: 50 } });
    const fn = httpFunction(async () => services);
    const handlers = Object.fromEntries(HTTP_FUNCTIONS.map((name) => [name, async (event: APIGatewayProxyEvent, ctx: never) => (events.push({ fn: name, event }), fn(event, ctx))]));
    const listener = (req: IncomingMessage, res: ServerResponse) => apiGatewayProxy({ handlers, ...opts })(req, res);
    server = createServer(listener);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(async () => {
    server.close();
    await services.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves sign-up, a multipart upload and the PDF back, byte for byte, through the functions', async () => {
    const signup = await fetch(`${url}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'proxy@example.test', password: 'correct horse battery' }) });
    assert.equal(signup.status, 201);
    const token = ((await signup.json()) as { access_token: string }).access_token;
    const ev = events.at(-1)!;
    assert.equal(ev.fn, 'usage');
    assert.equal(ev.event.resource, '/api/auth/{proxy+}');
    assert.deepEqual(ev.event.pathParameters, { proxy: 'signup' });
    assert.equal(ev.event.isBase64Encoded, true);
    assert.equal(ev.event.requestContext.identity.sourceIp, '127.0.0.1');
    assert.ok(ev.event.requestContext.requestId);

    const pdf = buildPdf([['Proxy page', 'The green valve drains the tank.']]);
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'tank.pdf');
    const up = await fetch(`${url}/api/manuals/upload?x=1&x=2`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    assert.equal(up.status, 202, await up.clone().text());
    const { manual_id, size } = (await up.json()) as { manual_id: string; size: number };
    assert.equal(size, pdf.length);
    assert.deepEqual(events.at(-1)!.event.multiValueQueryStringParameters, { x: ['1', '2'] });
    assert.deepEqual(events.at(-1)!.event.queryStringParameters, { x: '2' });

    const file = await fetch(`${url}/api/manuals/${manual_id}/file`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('content-type'), 'application/pdf');
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), pdf);
    assert.equal(events.at(-1)!.fn, 'manuals');
  });

  it("answers like API Gateway where it would: unknown resource, payload over 10 MB, response over Lambda's 6 MB", async () => {
    const missing = await fetch(`${url}/nothing-here`);
    assert.equal(missing.status, 403);
    assert.deepEqual(await missing.json(), { message: 'Missing Authentication Token' });
    opts.maxRequestBytes = 1000;
    const big = await fetch(`${url}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question: 'x'.repeat(2000) }) });
    assert.equal(big.status, 413);
    delete opts.maxRequestBytes;
    opts.maxResponseBytes = 100;
    const large = await fetch(`${url}/api/openapi.json`);
    assert.equal(large.status, 502);
    delete opts.maxResponseBytes;
  });
});
