import type { Context } from 'hono';

/** True when the request's If-None-Match names this ETag (or `*`): the client's copy is current. */
export function matchesIfNoneMatch(c: Context, etag: string): boolean {
  const header = c.req.header('if-none-match');
  if (!header) return false;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag.replace(/^W\//, '') === bare; // weak comparison, as RFC 9110 asks for If-None-Match
  });
}

/** A 304 carrying the validators and caching headers a 200 would have had. */
export function notModified(headers: Record<string, string | null | undefined>): Response {
  const h = new Headers();
  for (const [k, v] of Object.entries(headers)) if (v) h.set(k, v);
  return new Response(null, { status: 304, headers: h });
}
