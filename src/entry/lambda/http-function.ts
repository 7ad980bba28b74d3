import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context as LambdaContext } from 'aws-lambda';
import type { Context } from 'hono';
import { handle } from 'hono/aws-lambda';
import { createApp } from '../../http/app.js';
import type { AppServices } from '../../http/services.js';
import { once } from './once.js';

export type HttpHandler = (event: APIGatewayProxyEvent, context: LambdaContext) => Promise<APIGatewayProxyResult>;

/** The caller's address as API Gateway saw it (REST proxy events carry it in requestContext.identity). */
export function eventSourceIp(c: Context): string | undefined {
  const env = c.env as { requestContext?: { identity?: { sourceIp?: string } } } | undefined;
  return env?.requestContext?.identity?.sourceIp || undefined;
}

/**
 * A Lambda handler over the one Hono app: API Gateway REST proxy event -> Request -> app -> proxy result.
 * The services and the app are built at the container's first invocation and reused by every later one.
 * Bodies: API Gateway (binaryMediaTypes `*\/*`) hands request bodies over base64-encoded and hono decodes
 * them to bytes, so a multipart upload arrives intact; responses whose type is not text or JSON (the PDF,
 * page PNGs) go back base64-encoded with isBase64Encoded, which API Gateway turns into bytes again.
 */
export function httpFunction(services: () => Promise<AppServices>): HttpHandler {
  const ready = once(async () => handle(createApp(await services(), { peerAddress: eventSourceIp })));
  // hono types the event loosely (null vs undefined fields): the same REST v1 shape.
  return async (event, context) => (await ready())(event as never, context) as Promise<APIGatewayProxyResult>;
}
