import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import type { BlobPresigner, PresignedRequest } from '../../core/ports/blob-presigner.js';

interface HttpRequestLike {
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string | string[] | null>;
  headers: Record<string, string>;
}

function formatUrl(r: HttpRequestLike): string {
  const query = Object.entries(r.query)
    .flatMap(([k, v]) => (v === null ? [encodeURIComponent(k)] : (Array.isArray(v) ? v : [v]).map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(x)}`)))
    .join('&');
  const port = r.port ? `:${r.port}` : '';
  return `${r.protocol}//${r.hostname}${port}${r.path}${query ? `?${query}` : ''}`;
}

/**
 * Query-string SigV4 URLs for one bucket, made the way @aws-sdk/s3-request-presigner makes them: the
 * client's own middleware stack builds the request (endpoint, path style, key encoding) and a
 * middleware in front of the signer presigns it instead of sending it. The SDK's SignatureV4 signs
 * with S3's settings. A PUT signs `content-length` (S3 answers 403 SignatureDoesNotMatch to any other
 * length) and `x-amz-content-sha256: UNSIGNED-PAYLOAD`; checksum headers the SDK may add are dropped,
 * since a browser could not send them.
 */
export class S3Presigner implements BlobPresigner {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly clock: () => Date;

  constructor(opts: { client: S3Client; bucket: string; clock?: () => Date }) {
    this.client = opts.client;
    this.bucket = opts.bucket;
    this.clock = opts.clock ?? (() => new Date());
  }

  async presignPut(key: string, opts: { size: number; contentType: string; expiresInSeconds: number }): Promise<PresignedRequest> {
    const url = await this.presign(new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentLength: opts.size }), opts.expiresInSeconds);
    return { url, method: 'PUT', headers: { 'Content-Type': opts.contentType }, expiresAt: new Date(this.clock().getTime() + opts.expiresInSeconds * 1000) };
  }

  async presignGet(key: string, opts: { contentType: string; contentDisposition: string; expiresInSeconds: number }): Promise<PresignedRequest> {
    const command = new GetObjectCommand({ Bucket: this.bucket, Key: key, ResponseContentType: opts.contentType, ResponseContentDisposition: opts.contentDisposition });
    const url = await this.presign(command, opts.expiresInSeconds);
    return { url, method: 'GET', headers: {}, expiresAt: new Date(this.clock().getTime() + opts.expiresInSeconds * 1000) };
  }

  private async presign(command: PutObjectCommand | GetObjectCommand, expiresIn: number): Promise<string> {
    const config = this.client.config;
    const signer = new SignatureV4({
      credentials: config.credentials,
      region: config.region,
      service: 's3',
      sha256: config.sha256,
      uriEscapePath: false,
      applyChecksum: false,
    });
    const signingDate = this.clock();
    const stack = this.client.middlewareStack.clone();
    stack.addRelativeTo(
      (() => async (args: { request: unknown }) => {
        const request = args.request as HttpRequestLike;
        for (const h of Object.keys(request.headers)) {
          const l = h.toLowerCase();
          if (l.startsWith('amz-sdk-') || l === 'x-amz-user-agent' || l.startsWith('x-amz-checksum-') || l === 'x-amz-sdk-checksum-algorithm' || l === 'content-type' || l === 'expect') {
            delete request.headers[h];
          }
        }
        request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
        request.headers.host = `${request.hostname}${request.port ? `:${request.port}` : ''}`;
        const presigned = (await signer.presign(request as never, { expiresIn, signingDate })) as unknown as HttpRequestLike;
        return { response: {}, output: { $metadata: { httpStatusCode: 200 }, url: formatUrl(presigned) } };
      }) as never,
      { name: 'manuelPresign', relation: 'before', toMiddleware: 'httpSigningMiddleware', override: true },
    );
    const handler = (command as unknown as { resolveMiddleware(s: unknown, c: unknown, o: unknown): (a: { input: unknown }) => Promise<{ output: { url: string } }> }).resolveMiddleware(
      stack,
      config,
      {},
    );
    const { output } = await handler({ input: command.input });
    return output.url;
  }
}
