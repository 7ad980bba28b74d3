import { randomBytes } from 'node:crypto';
import type { HttpResult } from './check-http.js';
import { apiKeyCredentials } from './check-http.js';
import { buildPdf } from '../../../core/pdf/build-pdf.js';
import { CHECK_QUESTIONS, checkManualPages, VOICE_QUESTION } from './check-manual.js';
import type { CheckRun, CheckUser, Criterion } from './check-types.js';
import { row } from './check-types.js';
import { deleteThrowawayUser } from './cleanup.js';
import { serveOnce } from './url-import-source.js';
import { speak } from './voice-sample.js';

export interface FunctionalResult {
  rows: Criterion[];
  userA?: CheckUser;
  userB?: CheckUser;
  /** User A's completed manual, for the load and the security phase. */
  manualId?: string;
}

const PASSWORD = `check-${randomBytes(12).toString('hex')}`;

/** Records each step: a failure is a line of the functional row's reason. */
class Steps {
  readonly failures: string[] = [];
  readonly skipped: string[] = [];
  passed = 0;
  constructor(private readonly run: CheckRun) {}

  /** Status as expected and the body matching the server's documented schema. */
  expect(step: string, res: HttpResult, status: number, method: string, template: string): boolean {
    if (res.status !== status) {
      this.fail(step, `HTTP ${res.status || res.failure} (expected ${status})${res.json?.error ? `: ${res.json.error}` : ''}`);
      return false;
    }
    if (res.json !== undefined) {
      const issues = this.run.doc.validate({ method, path: template }, status, res.json);
      if (issues.length > 0) return this.fail(step, `body does not match /api/openapi.json: ${issues.join('; ')}`);
    }
    this.passed++;
    return true;
  }

  check(step: string, ok: boolean, detail: string): boolean {
    if (ok) this.passed++;
    else this.fail(step, detail);
    return ok;
  }

  fail(step: string, detail: string): false {
    this.failures.push(`${step}: ${detail}`);
    this.run.note(`  ✗ ${step}: ${detail}`);
    return false;
  }

  skip(step: string, why: string): void {
    this.skipped.push(`${step} (${why})`);
    this.run.note(`  - ${step} skipped: ${why}`);
  }
}

export const runId = () => `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

async function signup(run: CheckRun, steps: Steps, tag: string, id: string): Promise<CheckUser | undefined> {
  const email = `manuel-check-${id}-${tag}@example.com`;
  const res = await run.http.send('POST', '/api/auth/signup', { json: { email, password: PASSWORD, name: `manuel check ${tag}` } });
  if (!steps.expect(`signup ${tag}`, res, 201, 'POST', '/api/auth/signup')) return undefined;
  const user: CheckUser = { email, id: res.json.user.id, token: res.json.access_token, refreshToken: res.json.refresh_token };
  run.note(`  user ${tag}: ${email}`);
  run.cleanup.add(`user ${email}`, async () => {
    user.deleted = await deleteThrowawayUser(run.cleanup.http, user, PASSWORD);
  });
  return user;
}

/** Polls the job until it is completed or failed, or the deadline passes. */
async function waitForJob(run: CheckRun, token: string, jobId: string, deadlineMs = 120_000): Promise<HttpResult> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const res = await run.http.send('GET', `/api/ingestion/status?job_id=${encodeURIComponent(jobId)}`, { token });
    if (res.status !== 200 || ['completed', 'failed'].includes(res.json?.status) || Date.now() > end || run.stopping()) return res;
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function runFunctional(run: CheckRun): Promise<FunctionalResult> {
  const s = new Steps(run);
  const iso: string[] = [];
  let isoProbes = 0;
  const id = runId();
  const http = run.http;
  const out: FunctionalResult = { rows: [] };
  run.note('functional: two throwaway users, every endpoint');

  const a = (out.userA = await signup(run, s, 'a', id));
  const b = (out.userB = await signup(run, s, 'b', id));
  if (a && b) {
    // Auth flows: login, refresh (rotation: the old refresh token is spent), logout.
    const login = await http.send('POST', '/api/auth/login', { json: { email: a.email, password: PASSWORD } });
    if (s.expect('login', login, 200, 'POST', '/api/auth/login')) {
      const refreshed = await http.send('POST', '/api/auth/refresh', { json: { refresh_token: login.json.refresh_token } });
      if (s.expect('refresh', refreshed, 200, 'POST', '/api/auth/refresh')) {
        const works = await http.send('GET', '/api/manuals', { token: refreshed.json.access_token });
        s.check('refreshed access token', works.status === 200, `HTTP ${works.status}`);
        const out1 = await http.send('POST', '/api/auth/logout', { json: { refresh_token: refreshed.json.refresh_token } });
        s.expect('logout', out1, 200, 'POST', '/api/auth/logout');
        const after = await http.send('POST', '/api/auth/refresh', { json: { refresh_token: refreshed.json.refresh_token } });
        s.check('refresh after logout refused', after.status === 401, `HTTP ${after.status}`);
      }
    }
    const bad = await http.send('POST', '/api/auth/login', { json: { email: a.email, password: 'not the password' } });
    s.check('login with a wrong password refused', bad.status === 401, `HTTP ${bad.status}`);
    s.expect('limits', await http.send('GET', '/api/limits', { token: a.token }), 200, 'GET', '/api/limits');

    // Upload (multipart) of the check's own manual, then its ingestion.
    const pdf = buildPdf(checkManualPages(id));
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), `manuel-check-${id}.pdf`);
    form.append('name', `manuel check ${id}`);
    const up = await http.send('POST', '/api/manuals/upload', { token: a.token, body: form, timeoutMs: 60_000 });
    if (s.expect('upload (multipart)', up, 202, 'POST', '/api/manuals/upload')) {
      const manualId = up.json.manual_id as string;
      const job = await waitForJob(run, a.token, up.json.job_id);
      if (s.expect('ingestion status', job, 200, 'GET', '/api/ingestion/status') && s.check('ingestion completed', job.json.status === 'completed', `job ${job.json.status}${job.json.failure_reasons?.length ? `: ${job.json.failure_reasons.join(', ')}` : ''} at the deadline`)) {
        out.manualId = manualId;
      }
      const list = await http.send('GET', '/api/manuals', { token: a.token });
      if (s.expect('list', list, 200, 'GET', '/api/manuals')) s.check('list has the manual', list.json.manuals.some((m: { id: string }) => m.id === manualId), 'missing');
      const detail = await http.send('GET', `/api/manuals/${manualId}`, { token: a.token });
      if (s.expect('detail', detail, 200, 'GET', '/api/manuals/{id}')) s.check('detail pages', detail.json.pages === 3, `pages ${detail.json.pages}`);
      const file = await http.send('GET', `/api/manuals/${manualId}/file`, { token: a.token });
      // AWS answers 302 to a presigned S3 GET (ADR 0030): follow it like fetch would, without our token.
      const location = file.status === 302 ? file.headers.get('location') : null;
      const got = location ? await fetch(location).then(async (r) => ({ status: r.status, data: Buffer.from(await r.arrayBuffer()) }), () => ({ status: 0, data: Buffer.alloc(0) })) : file;
      s.check('file', got.status === 200 && got.data.equals(pdf), `HTTP ${file.status}${location ? ` → ${got.status}` : ''}, ${got.data.length} bytes (sent ${pdf.length})`);
      const png = await http.send('GET', `/api/manuals/${manualId}/pages/1.png`, { token: a.token, timeoutMs: 60_000 });
      s.check('page PNG', png.status === 200 && png.data.subarray(1, 4).toString('latin1') === 'PNG', `HTTP ${png.status}, ${png.headers.get('content-type')}`);

      if (out.manualId) {
        for (const q of CHECK_QUESTIONS.slice(0, 3)) {
          const res = await http.send('POST', '/api/query', { token: a.token, json: { question: q.question, manual_ids: [manualId] }, timeoutMs: 60_000 });
          if (!s.expect(`query "${q.question}"`, res, 200, 'POST', '/api/query')) continue;
          const onPage = res.json.sources.some((src: { manual_id: string; page_number: number; chunk_text: string }) => src.manual_id === manualId && src.page_number === q.page && q.expect.test(src.chunk_text));
          s.check(`query "${q.question}" cites page ${q.page}`, onPage, `sources: ${res.json.sources.map((x: { page_number: number }) => x.page_number).join(',') || 'none'}`);
        }
        await voice(run, s, a.token, manualId);
      }

      // Isolation: user B names A's manual and job on every route that takes one.
      const probes: [string, string][] = [];
      for (const [template, ops] of Object.entries(run.doc.doc.paths)) {
        if (!/\{id\}/.test(template) || !template.startsWith('/api/manuals/')) continue;
        const path = template.replace('{id}', encodeURIComponent(manualId)).replace('{page}', '1.png');
        for (const method of Object.keys(ops)) probes.push([method.toUpperCase(), path]);
      }
      probes.push(['GET', `/api/ingestion/status?job_id=${encodeURIComponent(up.json.job_id)}`]);
      for (const [method, path] of probes) {
        const res = await http.send(method, path, { token: b.token });
        isoProbes++;
        if (res.status !== 404 && res.status !== 403) iso.push(`${method} ${path} → ${res.status || res.failure}`);
      }
      const bq = await http.send('POST', '/api/query', { token: b.token, json: { question: CHECK_QUESTIONS[0]!.question, manual_ids: [manualId] }, timeoutMs: 60_000 });
      isoProbes++;
      if (bq.status === 200 && (bq.json.sources ?? []).some((x: { manual_id: string }) => x.manual_id === manualId)) iso.push("POST /api/query naming A's manual → A's pages cited");
      const bq2 = await http.send('POST', '/api/query', { token: b.token, json: { question: CHECK_QUESTIONS[1]!.question }, timeoutMs: 60_000 });
      isoProbes++;
      if (bq2.status === 200 && (bq2.json.sources ?? []).some((x: { manual_id: string }) => x.manual_id === manualId)) iso.push("POST /api/query (all manuals) → A's pages cited");
      const bl = await http.send('GET', '/api/manuals', { token: b.token });
      isoProbes++;
      if (bl.status !== 200 || bl.json.manuals.some((m: { id: string }) => m.id === manualId)) iso.push(`GET /api/manuals → ${bl.status === 200 ? "lists A's manual" : bl.status}`);
      const still = await http.send('GET', `/api/manuals/${manualId}`, { token: a.token });
      s.check("A's manual survives B's delete attempt", still.status === 200, `HTTP ${still.status}`);
    }

    // Upload (JSON base64, like the original API) of a second PDF, then delete it.
    const second = buildPdf([[`Manuel check second manual ${id}`, 'This page exists to be deleted.']]);
    const b64 = await http.send('POST', '/api/manuals/upload', { token: a.token, json: { file_name: `manuel-check-${id}-b64.pdf`, file_data: second.toString('base64'), content_type: 'application/pdf' }, timeoutMs: 60_000 });
    if (s.expect('upload (base64)', b64, 202, 'POST', '/api/manuals/upload')) {
      await waitForJob(run, a.token, b64.json.job_id);
      const del = await http.send('DELETE', `/api/manuals/${b64.json.manual_id}`, { token: a.token });
      if (s.expect('delete', del, 200, 'DELETE', '/api/manuals/{id}')) {
        const gone = await http.send('GET', `/api/manuals/${b64.json.manual_id}`, { token: a.token });
        s.check('deleted manual is gone', gone.status === 404, `HTTP ${gone.status}`);
      }
    }
    await urlImport(run, s, a.token);

    s.expect('usage', await http.send('GET', '/api/user/usage', { token: a.token }), 200, 'GET', '/api/user/usage');
    s.expect('quota', await http.send('GET', '/api/user/quota', { token: a.token }), 200, 'GET', '/api/user/quota');
    await apiKeys(run, s, a.token);
  }

  const schemaNote = `${run.doc.checked.length} bodies checked against /api/openapi.json`;
  const skipped = s.skipped.length ? `; skipped: ${s.skipped.join('; ')}` : '';
  out.rows.push(
    s.failures.length === 0
      ? row('functional', 'Functional: every endpoint, auth flows', 'pass', `${s.passed} steps ok`, `${schemaNote}${skipped}`)
      : row('functional', 'Functional: every endpoint, auth flows', 'fail', `${s.failures.length} of ${s.passed + s.failures.length} steps failed`, `${s.failures.slice(0, 3).join('; ')}${skipped}`),
  );
  out.rows.push(
    isoProbes === 0
      ? row('isolation', "Isolation: user B reaches nothing of user A's", 'fail', 'not measured', 'the functional phase did not get as far as an uploaded manual')
      : iso.length === 0
        ? row('isolation', "Isolation: user B reaches nothing of user A's", 'pass', `${isoProbes}/${isoProbes} refused`, "every route naming A's manual or job answered B 404/403; no query cited A's pages")
        : row('isolation', "Isolation: user B reaches nothing of user A's", 'fail', `${iso.length} of ${isoProbes} leaked`, iso.slice(0, 3).join('; ')),
  );
  return out;
}

async function voice(run: CheckRun, s: Steps, token: string, manualId: string): Promise<void> {
  const wav = await speak(VOICE_QUESTION);
  if (!wav.ok) return s.skip('voice query', wav.reason);
  const form = new FormData();
  form.append('audio', new Blob([new Uint8Array(wav.data)], { type: 'audio/wav' }), 'question.wav');
  form.append('manual_ids', manualId);
  const res = await run.http.send('POST', '/api/query', { token, body: form, timeoutMs: 120_000 });
  if (res.status === 503) return s.skip('voice query', `the server has no speech recogniser (503: ${res.json?.error ?? ''})`);
  if (s.expect('voice query', res, 200, 'POST', '/api/query')) {
    s.check('voice query transcribed', typeof res.json.transcription?.text === 'string' && /kettle|descale|scale/i.test(res.json.transcription.text), `heard "${res.json.transcription?.text}"`);
  }
  const t = await run.http.send('POST', '/api/transcribe', { token, json: { file_data: wav.data.toString('base64'), content_type: 'audio/wav' }, timeoutMs: 120_000 });
  s.expect('transcribe', t, 200, 'POST', '/api/transcribe');
}

async function urlImport(run: CheckRun, s: Steps, token: string): Promise<void> {
  if (!run.doc.has('POST', '/api/manuals/download')) return s.skip('URL import', 'the server has no POST /api/manuals/download');
  const host = new URL(run.options.url).hostname;
  if (!isLoopbackHost(host)) return s.skip('URL import', 'the check can only offer a PDF on this machine, which a remote server cannot reach');
  const pdf = buildPdf([[`Manuel check imported manual ${runId()}`, 'Imported from a URL.']]);
  const source = await serveOnce(pdf);
  try {
    const res = await run.http.send('POST', '/api/manuals/download', { token, json: { url: source.url, filename: 'manuel-check-import.pdf' }, timeoutMs: 60_000 });
    if (res.status === 400 && res.json?.error_type === 'url_not_allowed') return s.skip('URL import', 'the server refuses private addresses (AllowPrivateUrls off) and the check has no public URL to offer');
    if (res.status === 422 || res.status === 502 || res.status === 504) return s.skip('URL import', `the server cannot reach out (${res.status} ${res.json?.error_type ?? ''})`);
    if (s.expect('URL import', res, 202, 'POST', '/api/manuals/download')) {
      const job = await waitForJob(run, token, res.json.job_id);
      s.check('URL import ingested', job.json?.status === 'completed', `job ${job.json?.status}`);
    }
  } finally {
    await source.close();
  }
}

async function apiKeys(run: CheckRun, s: Steps, token: string): Promise<void> {
  if (!run.doc.has('POST', '/api/keys')) return;
  const made = await run.http.send('POST', '/api/keys', { token, json: { name: 'manuel check' } });
  if (!s.expect('API key create', made, 201, 'POST', '/api/keys')) return;
  const keyId = made.json.key_id as string;
  run.cleanup.add(`API key ${keyId}`, async () => void (await run.cleanup.http.send('DELETE', `/api/keys/${keyId}`, { token })));
  const signed = await run.http.send('GET', '/api/manuals', { sign: apiKeyCredentials(`${keyId}:${made.json.secret}`) });
  s.expect('signed request with the API key', signed, 200, 'GET', '/api/manuals');
  s.expect('API key list', await run.http.send('GET', '/api/keys', { token }), 200, 'GET', '/api/keys');
  s.expect('API key revoke', await run.http.send('DELETE', `/api/keys/${keyId}`, { token }), 200, 'DELETE', '/api/keys/{key_id}');
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}
