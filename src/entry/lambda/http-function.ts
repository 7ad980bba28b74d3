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
export function httpFunction(services: () => Promise<AppServices & { afterInvocation?(): Promise<void> }>): HttpHandler {
  const ready = once(async () => {
    const s = await services();
    return { s, handler: handle(createApp(s, { peerAddress: eventSourceIp })) };
  });
  return async (event, context) => {
    const { s, handler } = await ready();
    try {
      // hono types the event loosely (null vs undefined fields): the same REST v1 shape.
      return (await handler(event as never, context)) as APIGatewayProxyResult;
    } finally {
      // Before Lambda freezes the container: metrics lines and alerts of this invocation go out.
      await s.afterInvocation?.().catch((e: unknown) => s.logger.warn({ err: e }, 'after-invocation flush failed'));
    }
  };
}
