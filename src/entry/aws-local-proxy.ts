/**
 * A local stand-in for API Gateway (REST API, Lambda proxy integration, binaryMediaTypes `*\/*`): an HTTP
 * request becomes the v1 proxy event API Gateway would send, the function that owns the resource
 * (src/entry/lambda/function-routes.ts) handles it, and its proxy result becomes the HTTP response. The
 * limits that shape what works on AWS are kept: a 10 MB request payload, a 6 MB function response (the
 * base64 of a PDF counts), the 29 s integration timeout of the context given to the function.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { matchRoute, type HttpFunctionName } from './lambda/function-routes.js';

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface ApiGatewayProxyOptions {
  handlers: Partial<Record<HttpFunctionName, ProxyHandler>>;
  /** Requests no API resource matches (API Gateway: 403 Missing Authentication Token); e.g. the web app's files. */
  unmatched?: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
  stage?: string;
  /** API Gateway's payload cap (10 MB). */
  maxRequestBytes?: number;
  /** Lambda's synchronous response cap (6 MB of JSON, the base64 body included). */
  maxResponseBytes?: number;
  /** Integration timeout handed to the function's context (29 s). */
  timeoutMs?: number;
  onError?: (e: unknown, fn: string) => void;
}

const MB = 1024 * 1024;

/** The function context Lambda would pass (only what handlers read is meaningful). */
export function lambdaContext(functionName: string, timeoutMs: number, requestId: string = randomUUID()): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function peer(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? '127.0.0.1';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/** The REST v1 proxy event for a request whose body has been read. */
export function toProxyEvent(req: IncomingMessage, body: Buffer, resource: string, pathParameters: Record<string, string> | null, stage: string): APIGatewayProxyEvent {
  const url = new URL(req.url ?? '/', 'http://local');
  const multiValueHeaders: Record<string, string[]> = {};
  const headers: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    (multiValueHeaders[name] ??= []).push(value);
    headers[name] = value; // the last one, as API Gateway does
  }
  const mvq: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) (mvq[k] ??= []).push(v);
  const hasQuery = Object.keys(mvq).length > 0;
  const method = req.method ?? 'GET';
  const sourceIp = peer(req);
  const requestId = randomUUID();
  return {
    resource,
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? Object.fromEntries(Object.entries(mvq).map(([k, v]) => [k, v[v.length - 1]!])) : null,
    multiValueQueryStringParameters: hasQuery ? mvq : null,
    pathParameters,
    stageVariables: null,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      protocol: `HTTP/${req.httpVersion}`,
      httpMethod: method,
      identity: {
        accessKey: null, accountId: null, apiKey: null, apiKeyId: null, caller: null, clientCert: null,
        cognitoAuthenticationProvider: null, cognitoAuthenticationType: null, cognitoIdentityId: null, cognitoIdentityPoolId: null,
        principalOrgId: null, sourceIp, user: null, userAgent: req.headers['user-agent'] ?? null, userArn: null,
      },
      path: `/${stage}${url.pathname}`,
      stage,
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: resource,
      domainName: req.headers.host ?? 'localhost',
    },
    // binaryMediaTypes */*: every payload reaches the function base64-encoded.
    body: body.length ? body.toString('base64') : null,
    isBase64Encoded: body.length > 0,
  };
}

async function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) return null;
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts, size);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The request listener of the local API. */
export function apiGatewayProxy(opts: ApiGatewayProxyOptions) {
  const stage = opts.stage ?? 'local';
  const maxRequest = opts.maxRequestBytes ?? 10 * MB;
  const maxResponse = opts.maxResponseBytes ?? 6 * MB;
  const timeoutMs = opts.timeoutMs ?? 29_000;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const path = new URL(req.url ?? '/', 'http://local').pathname;
      const match = matchRoute(req.method ?? 'GET', path);
      const handler = match ? opts.handlers[match.route.fn] : undefined;
      if (!match || !handler) {
        if (opts.unmatched) return void (await opts.unmatched(req, res));
        return send(res, 403, { message: 'Missing Authentication Token' }, { 'x-amzn-errortype': 'MissingAuthenticationTokenException' });
      }
      const body = await readBody(req, maxRequest);
      if (!body) return send(res, 413, { message: 'Request Too Long' });
      const event = toProxyEvent(req, body, match.route.resource, match.pathParameters, stage);
      const result = await handler(event, lambdaContext(match.route.fn, timeoutMs, event.requestContext.requestId));
      if (Buffer.byteLength(JSON.stringify(result)) > maxResponse) {
        // Lambda refuses the payload (Function.ResponseSizeTooLarge) and API Gateway answers 502.
        opts.onError?.(new Error(`response of ${match.route.fn} is over Lambda's ${maxResponse} byte limit`), match.route.fn);
        return send(res, 502, { message: 'Internal server error' });
      }
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(result.headers ?? {})) headers[k.toLowerCase()] = String(v);
      for (const [k, v] of Object.entries(result.multiValueHeaders ?? {})) headers[k.toLowerCase()] = v.map(String);
      const out = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body ?? '');
      delete headers['content-length'];
      delete headers['transfer-encoding'];
      res.writeHead(result.statusCode, { ...headers, 'content-length': String(out.length), 'x-amzn-requestid': event.requestContext.requestId });
      res.end(req.method === 'HEAD' ? undefined : out);
    } catch (e) {
      // An exception out of the handler: Lambda reports a function error, API Gateway answers 502.
      opts.onError?.(e, 'proxy');
      if (!res.headersSent) send(res, 502, { message: 'Internal server error' });
      else res.destroy();
    }
  };
}
