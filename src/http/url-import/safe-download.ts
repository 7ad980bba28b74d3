import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { errors, isManuelError } from '../../core/errors.js';
import { isPublicAddress } from './address-policy.js';

export interface DownloadOptions {
  maxBytes: number;
  allowPrivate: boolean;
  timeoutMs?: number;
  maxRedirects?: number;
  /** The address policy (default: public addresses only); ignored when allowPrivate is true. */
  addressAllowed?: (ip: string) => boolean;
  /**
   * Keep-alive agents (EnablePerformanceOptimization). Safe with the guard: the lookup below runs on
   * every new connection, and a pooled socket is only reused for the same host and port, to the
   * address that was checked when it connected. Only for one fixed policy per process (the wiring's).
   */
  agents?: { http: http.Agent; https: https.Agent };
  /**
   * Runs each attempt (EnableAdvancedErrorHandling: retries of transient failures with back-off). Every
   * attempt starts from the first URL with the full SSRF checks; the deadline covers them all.
   */
  attempts?: <T>(attempt: (signal: AbortSignal) => Promise<T>, signal: AbortSignal) => Promise<T>;
}

export interface Downloaded {
  data: Buffer;
  finalUrl: string;
  fileName: string | null; // from Content-Disposition or the URL path
  contentType: string | null;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

type Policy = (ip: string) => boolean;

function checkUrl(raw: string, allowed: Policy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw errors.urlNotAllowed('Not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw errors.urlNotAllowed('Only http and https URLs can be imported');
  if (url.username || url.password) throw errors.urlNotAllowed('URLs with credentials are not accepted');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // Node skips the lookup hook for IP literals, so they are checked here.
  if (isIP(host) && !allowed(host)) throw errors.urlNotAllowed(`The address ${host} is private or reserved`);
  return url;
}

/**
 * Resolves the host and refuses it when any of its addresses is non-public. Running inside the
 * socket's connect means the address checked is the address used (no DNS-rebinding gap).
 */
function guardedLookup(allowed: Policy): LookupFunction {
  return ((hostname: string, options: { all?: boolean; family?: number }, callback: (...args: unknown[]) => void) => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(errors.downloadFailed(`Cannot resolve ${hostname}`, { cause: err.code }));
      const bad = addresses.find((a) => !allowed(a.address));
      if (bad) return callback(errors.urlNotAllowed(`${hostname} resolves to a private or reserved address (${bad.address})`));
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  }) as LookupFunction;
}

function fileNameFrom(res: IncomingMessage, url: URL): string | null {
  const cd = res.headers['content-disposition'] ?? '';
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(cd);
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(cd);
  const raw = star ? safeDecode(star[1]!.trim()) : plain ? plain[1]!.trim() : safeDecode(url.pathname.split('/').pop() ?? '');
  const name = raw.replace(/[/\\]/g, '_').trim();
  return name || null;
}

const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

function get(url: URL, allowed: Policy, signal: AbortSignal, agents?: DownloadOptions['agents']): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.get(url, {
      lookup: guardedLookup(allowed),
      // Without pooled agents: a fresh socket per download.
      agent: agents ? (url.protocol === 'https:' ? agents.https : agents.http) : false,
      signal,
      headers: { 'user-agent': 'Manuel/0.1 (+manual import)', accept: 'application/pdf, */*;q=0.5' },
    });
    req.once('response', resolve);
    req.once('error', (e) =>
      reject(isManuelError(e) ? e : signal.aborted ? signal.reason : errors.downloadFailed(`Download failed: ${e.message}`, { cause: (e as NodeJS.ErrnoException).code })),
    );
  });
}

async function readCapped(res: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.destroy();
    throw errors.tooLarge(maxBytes);
  }
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      res.destroy(); // stop downloading at once; never hold more than the cap
      throw errors.tooLarge(maxBytes);
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts, size);
}

/** Fetches a URL for import: http(s) only, public addresses only (re-checked on every redirect), size-capped, with a deadline. */
export async function safeDownload(rawUrl: string, opts: DownloadOptions): Promise<Downloaded> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const allowed: Policy = opts.allowPrivate ? () => true : (opts.addressAllowed ?? isPublicAddress);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(errors.downloadFailed(`The download took longer than ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
  try {
    const url = checkUrl(rawUrl, allowed); // a refused URL is refused once, never retried
    const once = (signal: AbortSignal) => downloadOnce(url, allowed, opts, signal);
    return await (opts.attempts ? opts.attempts(once, controller.signal) : once(controller.signal));
  } finally {
    clearTimeout(timer);
  }
}

async function downloadOnce(first: URL, allowed: Policy, opts: DownloadOptions, signal: AbortSignal): Promise<Downloaded> {
  const { maxBytes, maxRedirects = 5 } = opts;
  let url = first;
  for (let hop = 0; ; hop++) {
    const res = await get(url, allowed, signal, opts.agents);
    const status = res.statusCode ?? 0;
    if (REDIRECTS.has(status) && res.headers.location) {
      res.resume();
      if (hop >= maxRedirects) throw errors.downloadFailed(`More than ${maxRedirects} redirects`);
      url = checkUrl(new URL(res.headers.location, url).toString(), allowed);
      continue;
    }
    if (status < 200 || status >= 300) {
      res.resume();
      throw errors.downloadFailed(`The server answered HTTP ${status}`, { upstream_status: status });
    }
    const data = await readCapped(res, maxBytes).catch((e) => {
      if (signal.aborted) throw signal.reason;
      throw isManuelError(e) ? e : errors.downloadFailed(`Download failed: ${(e as Error).message}`, { cause: (e as NodeJS.ErrnoException).code });
    });
    return { data, finalUrl: url.toString(), fileName: fileNameFrom(res, url), contentType: res.headers['content-type'] ?? null };
  }
}
