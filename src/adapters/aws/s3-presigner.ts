import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { BlobPresigner, PresignedRequest } from '../../core/ports/blob-presigner.js';

/** Headers a browser's PUT cannot send: flexible-checksum headers the SDK adds (their values would be the empty body's). */
const dropChecksumHeaders = (command: PutObjectCommand): PutObjectCommand => {
  command.middlewareStack.add(
    (next) => async (args) => {
      const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
      for (const h of Object.keys(headers)) if (/^x-amz-(checksum-|sdk-checksum-algorithm)/i.test(h)) delete headers[h];
      return next(args);
    },
    { step: 'build', name: 'manuelDropChecksumHeaders', priority: 'low' },
  );
  return command;
};

/**
 * Query-string SigV4 URLs for one bucket (@aws-sdk/s3-request-presigner's getSignedUrl on the
 * client's own middleware stack: endpoint, path style, key encoding as for any request). A PUT signs
 * `content-length`, so S3 answers 403 SignatureDoesNotMatch to any other length; no checksum header or
 * parameter is signed, since a browser could not send it.
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
    const signingDate = this.clock();
    const command = dropChecksumHeaders(new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentLength: opts.size }));
    const url = await getSignedUrl(this.client, command, { expiresIn: opts.expiresInSeconds, signingDate, signableHeaders: new Set(['content-length']) });
    return { url, method: 'PUT', headers: { 'Content-Type': opts.contentType }, expiresAt: new Date(signingDate.getTime() + opts.expiresInSeconds * 1000) };
  }

  async presignGet(key: string, opts: { contentType: string; contentDisposition: string; expiresInSeconds: number }): Promise<PresignedRequest> {
    const signingDate = this.clock();
    const command = new GetObjectCommand({ Bucket: this.bucket, Key: key, ResponseContentType: opts.contentType, ResponseContentDisposition: opts.contentDisposition });
    const url = await getSignedUrl(this.client, command, { expiresIn: opts.expiresInSeconds, signingDate });
    return { url, method: 'GET', headers: {}, expiresAt: new Date(signingDate.getTime() + opts.expiresInSeconds * 1000) };
  }
}
