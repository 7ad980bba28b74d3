/**
 * The WAF's false-positive check: zero real questions blocked. Every eval question typed and as a
 * speech recogniser would write it, 200+ technical questions about many kinds of manuals (shell
 * commands, paths, SQL words, <placeholders>, &&, $VARS, config lines, Windows paths, URLs), and
 * ordinary non-question requests with technical-looking names, all with EnableWAF on.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildPdf } from '../helpers/api-pdfs.js';
import { loadQa, repoRoot } from '../helpers/eval-manuals.js';
import { runPool } from '../helpers/run-pool.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const technical = JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'waf', 'technical-questions.json'), 'utf8')) as string[];

const DIGITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
/** What a recogniser writes: lower case, no punctuation, digits spoken one by one. */
const spoken = (q: string) =>
  q
    .toLowerCase()
    .replace(/\d/g, (d) => ` ${DIGITS[Number(d)]} `)
    .replace(/[^a-z' ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/** Display names and file names people give manuals. */
const NAMES = [
  'NUT user manual (v2.8.0).pdf', 'Router RT-AX58U — Quick Start Guide.pdf', "O'Reilly - TCP_IP Network Administration.pdf", 'HL-L2350DW manual [EN].pdf',
  'Zigbee2MQTT & Home Assistant.pdf', 'Manual #2 (final).pdf', '50% faster setup.pdf', 'select-the-paper-size.pdf', 'update & drop-in replacement notes.pdf',
  'C++ SDK reference.pdf', 'Setup; network (v1.2).pdf', 'a && b wiring.pdf', '$HOME directory guide.pdf', '<device> placeholders.pdf', 'Union Pacific SD70 operator manual.pdf',
  'Cat 6 cabling.pdf', 'ping-pong robot.pdf', 'eth0 & wlan0 setup.pdf', 'Ubiquiti EdgeRouter X (ER-X) guide.pdf', 'Bosch Serie | 6 dishwasher.pdf',
];

describe('WAF legitimate traffic (EnableWAF on): zero false positives', () => {
  let t: TestServer;
  let token: string;
  before(async () => {
    t = await startTestServer({ parameters: { EnableWAF: true, DailyQuotaLimit: 0, MonthlyQuotaLimit: 0 } });
    token = await t.signup();
  });
  after(() => t.close());

  it(`passes every eval question typed and spoken, and ${technical.length} technical questions`, async (ctx) => {
    assert.ok(technical.length >= 200);
    const qa = loadQa();
    const questions = [...qa.map((q) => q.question), ...qa.map((q) => spoken(q.question)), ...technical, ...technical.map(spoken)];
    const blocked: string[] = [];
    await runPool(questions, 6, async (question) => {
      const res = await t.request('/api/query', { token, json: { question } });
      if (res.status !== 200) blocked.push(`${res.status} ${question}`);
      await res.body?.cancel();
    });
    ctx.diagnostic(`${questions.length} questions, ${blocked.length} not answered`);
    assert.deepEqual(blocked, []);
    assert.equal(await t.server.services.metrics.value('waf_blocks_total'), 0);
  });

  it('passes sign-in, listing, multipart and JSON uploads with technical names, URL import and page requests', async () => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(buildPdf([["Reset", "Hold the reset button for ten seconds."]]))], { type: 'application/pdf' }), NAMES[0]);
    form.append('name', NAMES[1]!);
    const up = await t.request('/api/manuals/upload', { token, body: form });
    assert.equal(up.status, 202, await up.clone().text());
    const { manual_id, job_id } = (await up.json()) as { manual_id: string; job_id: string };
    assert.equal((await t.waitForJob(token, job_id)).status, 'completed');

    for (const [i, name] of NAMES.entries()) {
      const pdf = buildPdf([[`Manual ${i}`, `Page text number ${i} about ${name}.`]]);
      const res = await t.request('/api/manuals/upload', { token, json: { file_name: name, file_data: pdf.toString('base64'), content_type: 'application/pdf' } });
      assert.equal(res.status, 202, `${name}: ${await res.text()}`);
    }
    // The viewer highlights the cited passage: text quoted from a manual, commands and all.
    const passage = 'Run cd /etc; ls -la | grep fstab && cat /etc/fstab, then SELECT * FROM users WHERE id = 1; <device> is ${HOME}/dev';
    const highlighted = `/api/manuals/${manual_id}/pages/1.png?highlight=${encodeURIComponent(passage)}`;
    for (const path of ['/api/manuals', `/api/manuals/${manual_id}`, `/api/manuals/${manual_id}/file`, `/api/manuals/${manual_id}/pages/1.png`, highlighted, '/api/user/usage', '/api/user/quota', '/api/openapi.json', '/']) {
      const res = await t.request(path, { token });
      assert.notEqual(res.status, 403, path);
      await res.body?.cancel();
    }
    const login = await t.request('/api/auth/login', { json: { email: 'nobody@example.test', password: "p@ss'; w0rd && $HOME <x>" } });
    assert.equal(login.status, 401, 'a strange password is a wrong password, not an attack');
    // Offline, the import fails to download, but it is not blocked.
    const imp = await t.request('/api/manuals/download', { token, json: { url: 'https://downloads.example.com/manuals/ups/nut-user-manual.pdf?lang=en&v=2.8', filename: 'nut user manual.pdf' } });
    assert.notEqual(imp.status, 403);
    assert.equal(await t.server.services.metrics.value('waf_blocks_total'), 0);
  });
});
