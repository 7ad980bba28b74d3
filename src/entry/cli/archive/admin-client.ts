import { signRequest } from '../../../http/signing/request-signer.js';
import { serverKeyId } from '../../../http/signing/server-keys.js';
import { CliError, connectionError } from '../cli-error.js';
import { normaliseServer } from '../cli-context.js';

export interface AdminClientOptions {
  url: string;
  adminToken: string;
  /** One of the server's HMACSigningKey secrets: its admin routes need a signature with it under EnableAdvancedSecurity. */
  serverKey?: string;
}

/**
 * The export/import commands talk to two deployments at once with an administrator's token given
 * on the command line, so they do not use the stored session of `manuel login`.
 */
export class AdminClient {
  readonly base: string;
  private readonly key: { keyId: string; secret: string } | null;

  constructor(private readonly o: AdminClientOptions) {
    this.base = normaliseServer(o.url);
    // The key id is derived from the secret, as the server does (src/http/signing/server-keys.ts).
    this.key = o.serverKey ? { keyId: serverKeyId(o.serverKey), secret: o.serverKey } : null;
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const bytes = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const res = await this.send(method, path, bytes, bytes ? 'application/json' : undefined);
    return (await res.json()) as T;
  }

  async bytes(path: string): Promise<Buffer> {
    return Buffer.from(await (await this.send('GET', path)).arrayBuffer());
  }

  /** Multipart: encoded first, so the exact bytes can be signed (Content-Digest). */
  async form<T>(path: string, fields: Record<string, string>, file: { name: string; data: Buffer }): Promise<T> {
    const fd = new FormData();
    for (const [k, v] of Object.entries(fields)) fd.append(k, v);
    fd.append('file', new Blob([new Uint8Array(file.data)], { type: 'application/pdf' }), file.name);
    const encoded = new Response(fd);
    const type = encoded.headers.get('content-type')!;
    const res = await this.send('POST', path, Buffer.from(await encoded.arrayBuffer()), type);
    return (await res.json()) as T;
  }

  /**
   * A PDF put through the server's direct upload (POST /api/manuals/uploads, PUT to its url, which is
   * object storage on AWS): what carries a manual past API Gateway's 10 MB request limit. Returns the
   * upload id to hand to the import route; null when the server has no direct uploads (older: 404).
   */
  async stage(file: { name: string; data: Buffer; sha256: string }): Promise<string | null> {
    let ticket: { upload_id: string; url: string; headers: Record<string, string> };
    try {
      ticket = await this.json('POST', '/api/manuals/uploads', { filename: file.name, size: file.data.length, sha256: file.sha256 });
    } catch (e) {
      if (e instanceof CliError && / HTTP 404 /.test(e.message)) return null;
      throw e;
    }
    // Relative: the server's own PUT route (its token is in the url); absolute: presigned. Neither takes our credentials.
    const target = ticket.url.startsWith('/') ? `${this.base}${ticket.url}` : ticket.url;
    let res: Response;
    try {
      res = await fetch(target, { method: 'PUT', headers: ticket.headers, body: new Uint8Array(file.data) });
    } catch (e) {
      throw connectionError(new URL(target).origin, e);
    }
    if (!res.ok) throw new CliError(`PUT of ${file.name} to ${new URL(target).origin}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
    return ticket.upload_id;
  }

  private async send(method: string, path: string, body?: Buffer, contentType?: string): Promise<Response> {
    const url = `${this.base}${path}`;
    const headers: Record<string, string> = { authorization: `Bearer ${this.o.adminToken}`, accept: 'application/json' };
    if (contentType) headers['content-type'] = contentType;
    if (this.key) Object.assign(headers, await signRequest({ method, url, headers, body: body ?? null }, this.key));
    let res: Response;
    try {
      res = await fetch(url, { method, headers, ...(body ? { body: new Uint8Array(body) } : {}) });
    } catch (e) {
      throw connectionError(this.base, e);
    }
    if (!res.ok) {
      const text = await res.text();
      let detail = text.slice(0, 300);
      let type = '';
      try {
        const parsed = JSON.parse(text) as { error?: string; error_type?: string };
        type = parsed.error_type ?? '';
        detail = `${type}: ${parsed.error ?? ''}`;
      } catch {
        /* not JSON */
      }
      const hint =
        type === 'invalid_signature'
          ? ' (its admin routes need signed requests: give one of its HMACSigningKey secrets with --server-key)'
          : res.status === 401 || res.status === 403
            ? ' (an administrator token of that server is needed)'
            : '';
      throw new CliError(`${method} ${path} on ${this.base}: HTTP ${res.status} ${detail}${hint}`);
    }
    return res;
  }
}
