/**
 * Voice in the browser: Chromium's fake microphone plays a synthesised question (eval/speak.sh),
 * the test holds the microphone button, and the answer shows what was heard and the cited page.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { evalDir, evalManualsDir } from '../helpers/eval-manuals.js';
import { artifactPath, launchBrowser, newPage, noBrowserReason } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const MANUAL = 'openni-user-guide.pdf';
const SPOKEN = 'What does OpenNI mean by a production chain?';
const EXPECTED_PAGE = 10;

/** The question as 16 kHz WAV with half a second of silence around it, or a reason it can't be made. */
function synthesise(dir: string): { wav?: string; reason?: string } {
  const raw = join(dir, 'raw.wav');
  const wav = join(dir, 'question.wav');
  try {
    execFileSync('bash', [join(evalDir, 'speak.sh'), SPOKEN, raw], { stdio: 'ignore' });
    execFileSync('sox', [raw, wav, 'pad', '0.5', '0.8'], { stdio: 'ignore' });
    return { wav };
  } catch (e) {
    return { reason: `cannot synthesise speech (flite/espeak-ng and sox): ${(e as Error).message}` };
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'manuel-voice-'));
const speech = synthesise(tmp);

describe('voice question in a real browser', { skip: noBrowserReason ?? speech.reason, timeout: 180_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    server = await startTestServer();
    browser = await launchBrowser({ fakeAudioFile: speech.wav });
    // The upload path is covered by browser-ask-flow; here the manual is added through the API.
    const session = await server.session();
    const form = new FormData();
    form.append('file', new Blob([readFileSync(join(evalManualsDir(), MANUAL))], { type: 'application/pdf' }), MANUAL);
    const res = await server.request('/api/manuals/upload', { token: session.access_token, body: form });
    assert.equal(res.status, 202);
    const job = await server.waitForJob(session.access_token, ((await res.json()) as { job_id: string }).job_id, 120_000);
    assert.equal(job.status, 'completed');

    ({ page } = await newPage(browser, server.url));
    await page.goto('/');
    await page.evaluate(
      (s) =>
        localStorage.setItem(
          'manuel.session',
          JSON.stringify({ userId: s.user.id, email: s.user.email, accessToken: s.access_token, refreshToken: s.refresh_token, expiresAt: Date.now() + 600_000 }),
        ),
      session,
    );
    await page.reload();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('hold the microphone: level meter while recording, then "You said" and the cited page', async () => {
    const mic = page.getByRole('button', { name: 'Hold to ask by voice' });
    await mic.hover();
    await page.mouse.down();
    const meter = page.getByRole('meter', { name: 'Microphone level' });
    await meter.waitFor();
    // The fake microphone plays the question: the meter must move above silence at some point.
    await page.waitForFunction(() => Number(document.querySelector('[aria-label="Microphone level"]')?.getAttribute('aria-valuenow')) > 5, null, { timeout: 5000 });
    await page.waitForTimeout(3600); // the whole question plus the trailing silence
    await page.mouse.up();

    const said = page.locator('.you-said');
    await said.waitFor({ timeout: 60_000 });
    const transcript = (await said.innerText()).toLowerCase();
    await page.screenshot({ path: artifactPath('browser-voice-answer.png') });
    assert.match(transcript, /^you said:/);
    assert.match(transcript, /production/, `transcript: ${transcript}`);
    assert.match(transcript, /chain/, `transcript: ${transcript}`);
    const pages = await page.locator('.source-page').allInnerTexts();
    assert.ok(pages.some((p) => p.startsWith(`page ${EXPECTED_PAGE}`)), `page ${EXPECTED_PAGE} among ${pages.join(', ')}`);
  });

  test('tap to start, tap to stop also records', async () => {
    const mic = page.getByRole('button', { name: 'Hold to ask by voice' });
    await mic.click(); // a tap latches recording on
    await page.getByRole('button', { name: /Recording/ }).waitFor();
    await page.waitForTimeout(800);
    await page.getByRole('button', { name: /Recording/ }).click();
    // The file played once already: this records silence, which the server reports as no speech
    // (or a transcript of nothing); either way the UI answers with a message, not a blank.
    await page.locator('.you-said, .error').first().waitFor({ timeout: 60_000 });
  });
});
