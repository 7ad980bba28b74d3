import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { loadEmbeddedConfig } from '../../config/config.js';
import { createEmbedded, type EmbeddedApp } from '../../wiring/embedded.js';
import { buildPdf } from '../../../test/helpers/api-pdfs.js';
import { httpFunction, type HttpHandler } from './http-function.js';

/** An API Gateway REST (v1) proxy integration event, every field as API Gateway sends it. */
function restEvent(o: { method: string; path: string; resource?: string; headers?: Record<string, string>; query?: Record<string, string>; body?: string | null; isBase64Encoded?: boolean; sourceIp?: string }): APIGatewayProxyEvent {
  const headers = { Host: 'abc123.execute-api.eu-west-1.amazonaws.com', 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': o.sourceIp ?? '198.51.100.7', ...o.headers };
  return {
    resource: o.resource ?? o.path,
    path: o.path,
    httpMethod: o.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: o.query ?? null,
    multiValueQueryStringParameters: o.query ? Object.fromEntries(Object.entries(o.query).map(([k, v]) => [k, [v]])) : null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: o.method,
      identity: {
        accessKey: null, accountId: null, apiKey: null, apiKeyId: null, caller: null, clientCert: null,
        cognitoAuthenticationProvider: null, cognitoAuthenticationType: null, cognitoIdentityId: null, cognitoIdentityPoolId: null,
        principalOrgId: null, sourceIp: o.sourceIp ?? '198.51.100.7', user: null, userAgent: 'test', userArn: null,
      },
      path: `/prod${o.path}`,
      stage: 'prod',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTimeEpoch: Date.now(),
      resourceId: 'res1',
      resourcePath: o.resource ?? o.path,
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
    },
    body: o.body ?? null,
    isBase64Encoded: o.isBase64Encoded ?? false,
  };
}

/** A REST event with multiValueHeaders gets its response headers back the same way. */
const header = (res: { headers?: Record<string, unknown>; multiValueHeaders?: Record<string, unknown[]> }, name: string) => res.multiValueHeaders?.[name]?.[0] ?? res.headers?.[name];

const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

describe('Lambda HTTP function: API Gateway REST proxy events through the Hono app', () => {
  let dir: string;
  let services: EmbeddedApp;
  let handler: HttpHandler;
  let builds = 0;
  let token: string;
  let manualId: string;
  const pdf = buildPdf([['Lambda handler page one', 'The blue lever opens the hatch.'], ['Second page text']]);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'manuel-lambda-'));
    const config = loadEmbeddedConfig({ MANUEL_DATA_DIR: dir, LOG_LEVEL: 'silent' }, { EmbeddingWorkers: 0 });
    handler = httpFunction(async () => {
      builds++;
      services = await createEmbedded(config, { embedder: null, transcriber: null, worker: { start: false } });
      return services;
    });
  });
  after(async () => {
    await services?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs up with a JSON body and answers JSON (not base64)', async () => {
    const res = await handler(restEvent({ method: 'POST', path: '/api/auth/signup', resource: '/api/auth/{proxy+}', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: 'lambda@example.test', password: 'correct horse battery' }) }), context);
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.isBase64Encoded, false);
    const body = JSON.parse(res.body);
    assert.ok(body.access_token);
    token = body.access_token;
  });

  it('takes a multipart upload sent base64-encoded (binaryMediaTypes */*) intact', async () => {
    const boundary = '----manuel-lambda-boundary';
    const multipart = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nHatch manual\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="hatch.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
      pdf,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await handler(
      restEvent({ method: 'POST', path: '/api/manuals/upload', resource: '/api/manuals/{proxy+}', headers: { Authorization: `Bearer ${token}`, 'Content-Type': `multipart/form-data; boundary=${boundary}` }, body: multipart.toString('base64'), isBase64Encoded: true }),
      context,
    );
    assert.equal(res.statusCode, 202, res.body);
    const body = JSON.parse(res.body);
    assert.equal(body.size, pdf.length, 'the bytes arrived intact');
    assert.equal(body.name, 'Hatch manual');
    manualId = body.manual_id;
    assert.equal(await services.worker.runOnce(), true);
  });

  it('returns the PDF base64-encoded with isBase64Encoded, byte for byte', async () => {
    const res = await handler(restEvent({ method: 'GET', path: `/api/manuals/${manualId}/file`, resource: '/api/manuals/{proxy+}', headers: { Authorization: `Bearer ${token}` } }), context);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.isBase64Encoded, true);
    assert.equal(header(res, 'content-type'), 'application/pdf');
    assert.deepEqual(Buffer.from(res.body, 'base64'), pdf);
  });

  it('returns a page image as base64 PNG', async () => {
    const res = await handler(restEvent({ method: 'GET', path: `/api/manuals/${manualId}/pages/1.png`, resource: '/api/manuals/{proxy+}', headers: { Authorization: `Bearer ${token}` }, query: { highlight: 'blue lever' } }), context);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.isBase64Encoded, true);
    assert.equal(header(res, 'content-type'), 'image/png');
    assert.deepEqual(Buffer.from(res.body, 'base64').subarray(0, 8), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });

  it('answers a question with a citation, and errors keep their JSON shape', async () => {
    const res = await handler(restEvent({ method: 'POST', path: '/api/query', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ question: 'What opens the hatch?' }) }), context);
    assert.equal(res.statusCode, 200, res.body);
    const a = JSON.parse(res.body);
    assert.equal(a.sources[0].manual_id, manualId);
    assert.equal(a.sources[0].page_number, 1);
    const denied = await handler(restEvent({ method: 'GET', path: '/api/manuals' }), context);
    assert.equal(denied.statusCode, 401);
    const err = JSON.parse(denied.body);
    assert.deepEqual(Object.keys(err).sort(), ['error', 'error_type', 'request_id', 'timestamp']);
  });

  it('built the services once for the container', async () => {
    const res = await handler(restEvent({ method: 'GET', path: '/api/openapi.json' }), context);
    assert.equal(res.statusCode, 200);
    assert.equal(builds, 1);
  });

  it('judges the caller by the address API Gateway saw (requestContext.identity.sourceIp)', async () => {
    const d = mkdtempSync(join(tmpdir(), 'manuel-lambda-ip-'));
    const config = loadEmbeddedConfig({ MANUEL_DATA_DIR: d, LOG_LEVEL: 'silent' }, { EmbeddingWorkers: 0, EnableAdvancedSecurity: true, IPAllowlist: '203.0.113.0/24' });
    const s = await createEmbedded(config, { embedder: null, transcriber: null, worker: { start: false } });
    try {
      const guarded = httpFunction(async () => s);
      const inside = await guarded(restEvent({ method: 'GET', path: '/api/limits', sourceIp: '203.0.113.9' }), context);
      assert.equal(inside.statusCode, 401, inside.body); // allowed through, then asked to sign in
      const outside = await guarded(restEvent({ method: 'GET', path: '/api/limits', sourceIp: '198.51.100.7' }), context);
      assert.equal(outside.statusCode, 403, outside.body);
      assert.equal(JSON.parse(outside.body).error_type, 'ip_not_allowed');
    } finally {
      await s.close();
      rmSync(d, { recursive: true, force: true });
    }
  });
});
