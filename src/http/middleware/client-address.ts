import type { Context, MiddlewareHandler } from 'hono';
import { normaliseIp, type IpList } from '../../config/ip-list.js';
import type { AppEnv } from '../app-env.js';

/** What `clientIp` is when the runtime gives no peer (in-process `app.request()`): never matches an allowlist. */
export const UNKNOWN_CLIENT = 'unknown';

export interface ClientAddressOptions {
  /** TrustedProxies, parsed; null or empty: X-Forwarded-For is never read. */
  trustedProxies: IpList | null;
  /**
   * The transport peer's address. Default: the Node socket (@hono/node-server). The Lambda entry
   * passes one that reads the event's `requestContext` source IP instead.
   */
  peerAddress?: (c: Context) => string | undefined;
  /** Whether the transport itself is TLS. Default: the Node socket is a TLS socket. */
  peerTls?: (c: Context) => boolean;
}

interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string; encrypted?: boolean } };
  server?: NodeBindings;
}
const nodeSocket = (c: Context) => {
  const env = c.env as NodeBindings | undefined;
  return (env?.server ?? env)?.incoming?.socket;
};
export const nodePeerAddress = (c: Context): string | undefined => nodeSocket(c)?.remoteAddress;
const nodePeerTls = (c: Context): boolean => nodeSocket(c)?.encrypted === true;

/**
 * The right-most X-Forwarded-For entry that is not one of our proxies: entries to its left were
 * written by the client and prove nothing. When every entry is a proxy, the left-most one.
 */
export function forwardedClient(header: string, trusted: IpList, peer: string): string {
  const hops = header.split(',').map((h) => h.trim()).filter(Boolean);
  let nearest = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normaliseIp(hops[i]!);
    // Garbage where an address should be: our proxy wrote the entry after it, believe no further.
    if (!hop) return nearest;
    if (!trusted.contains(hop)) return hop;
    nearest = hop;
  }
  return nearest;
}

/**
 * Sets `c.var.clientIp` (position 2, on every route): the socket's address, unless the socket's
 * peer is a trusted proxy; then the right-most untrusted X-Forwarded-For hop. A client's own
 * X-Forwarded-For is ignored unless it comes through a trusted proxy, so it cannot spoof the address.
 * Also `c.var.clientProto`: https when the socket is TLS, or a trusted proxy says so.
 */
export function clientAddress(opts: ClientAddressOptions): MiddlewareHandler<AppEnv> {
  const trusted = opts.trustedProxies && opts.trustedProxies.entries.length > 0 ? opts.trustedProxies : null;
  const peerOf = opts.peerAddress ?? nodePeerAddress;
  const tlsOf = opts.peerTls ?? nodePeerTls;
  return async (c, next) => {
    const raw = peerOf(c);
    const peer = (raw && normaliseIp(raw)) || UNKNOWN_CLIENT;
    let proto: 'http' | 'https' = tlsOf(c) ? 'https' : 'http';
    let client = peer;
    if (trusted && trusted.contains(peer)) {
      const xff = c.req.header('x-forwarded-for');
      if (xff) client = forwardedClient(xff, trusted, peer);
      const xfp = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
      if (xfp === 'https') proto = 'https';
    }
    c.set('clientIp', client);
    c.set('clientProto', proto);
    return next();
  };
}
