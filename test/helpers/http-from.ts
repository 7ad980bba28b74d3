import { request } from 'node:http';

export interface PlainResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): any;
}

/**
 * One HTTP request whose socket is bound to `localAddress` (127.0.0.2: a second client address on
 * loopback), for the tests of the client address, the allowlist and per-address limits.
 */
export function httpFrom(
  localAddress: string,
  url: string,
  opts: { method?: string; headers?: Record<string, string>; json?: unknown; token?: string } = {},
): Promise<PlainResponse> {
  const body = opts.json !== undefined ? JSON.stringify(opts.json) : undefined;
  const headers: Record<string, string> = { ...opts.headers };
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? (body !== undefined ? 'POST' : 'GET'), headers, localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
