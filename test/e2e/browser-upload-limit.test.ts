/**
 * Issue 11 part 6 in Debian's Chromium: the web app refuses a manual over MaxManualSizeMB before
 * sending it (limit from GET /api/limits), and when it cannot know the limit the server's 413 still
 * reaches the page. A 60 MB body over a 50 MB limit, as fetch and as XMLHttpRequest, gets its 413.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newPage, noBrowserReason, signUpInUi, uniqueEmail } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const MB = 1024 * 1024;

describe('over-size manuals in the browser', { skip: noBrowserReason, timeout: 240_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let dir: string;
  let bigFile: string;

  before(async () => {
    server = await startTestServer({ parameters: { MaxManualSizeMB: 50 } });
    browser = await launchBrowser();
    dir = mkdtempSync(join(tmpdir(), 'manuel-big-'));
    bigFile = join(dir, 'too-big.pdf');
    writeFileSync(bigFile, '%PDF-1.4\n');
    truncateSync(bigFile, 60 * MB);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Signs up, opens Manuals and records every upload request the page makes. */
  async function manualsPage(opts: { limitsEndpoint: boolean }): Promise<{ page: Page; uploads: string[] }> {
    const { page } = await newPage(browser, server.url);
    // As an older server would: no limits endpoint.
    if (!opts.limitsEndpoint) await page.route('**/api/limits', (route) => route.fulfill({ status: 404, body: '' }));
    const uploads: string[] = [];
    // The multipart route, or the start of a direct upload (whose 413 comes from the declared size, before any byte).
    page.on('request', (r) => /\/api\/manuals\/uploads?$/.test(r.url()) && uploads.push(r.method()));
    await signUpInUi(page, uniqueEmail('big'));
    await page.getByRole('link', { name: 'Manuals' }).click();
    return { page, uploads };
  }

  test('the app says the limit, and refuses a 60 MB file without sending it', async () => {
    const { page, uploads } = await manualsPage({ limitsEndpoint: true });
    await page.getByText('Drop PDF files here (up to 50 MB each)').waitFor();
    await page.locator('input[type=file]').setInputFiles(bigFile);
    const item = page.locator('.upload', { hasText: 'too-big.pdf' });
    await item.and(page.locator('[data-phase=failed]')).waitFor();
    assert.match(await item.innerText(), /too-big\.pdf is 60 MB: this server accepts manuals up to 50 MB\. It was not sent\./);
    assert.deepEqual(uploads, [], 'no upload request left the page');
    await page.context().close();
  });

  test('without the limits endpoint, the app asks the server, shows its 413, and learns the limit from it', async () => {
    const { page, uploads } = await manualsPage({ limitsEndpoint: false });
    await page.getByText('Drop PDF files here, or').waitFor();
    await page.locator('input[type=file]').setInputFiles(bigFile);
    const item = page.locator('.upload', { hasText: 'too-big.pdf' }).first();
    await item.and(page.locator('[data-phase=failed]')).waitFor({ timeout: 60_000 });
    assert.match(await item.innerText(), /The upload exceeds the limit of 50 MB/);
    assert.deepEqual(uploads, ['POST']);
    // The same file again: refused in the page this time.
    await page.locator('input[type=file]').setInputFiles(bigFile);
    await page.getByText('too-big.pdf is 60 MB: this server accepts manuals up to 50 MB. It was not sent.').waitFor();
    assert.deepEqual(uploads, ['POST'], 'no second upload request');
    await page.context().close();
  });

  test('a 60 MB body from the page, by fetch and by XMLHttpRequest, gets the 413', async () => {
    const token = await server.signup();
    const { page } = await newPage(browser, server.url);
    await page.goto('/health');
    const got = await page.evaluate(async (token) => {
      const blob = new Blob([new Uint8Array(60 * 1024 * 1024)], { type: 'application/pdf' });
      const form = () => {
        const f = new FormData();
        f.append('file', blob, 'big.pdf');
        return f;
      };
      const r = await fetch('/api/manuals/upload', { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form() });
      const viaFetch = [r.status, (await r.json()).error_type];
      const viaXhr = await new Promise<unknown[]>((resolve) => {
        const x = new XMLHttpRequest();
        x.open('POST', '/api/manuals/upload');
        x.setRequestHeader('authorization', `Bearer ${token}`);
        x.onload = () => resolve([x.status, JSON.parse(x.responseText).error_type]);
        x.onerror = () => resolve(['network error', x.status]);
        x.send(form());
      });
      return { viaFetch, viaXhr };
    }, token);
    assert.deepEqual(got, { viaFetch: [413, 'payload_too_large'], viaXhr: [413, 'payload_too_large'] });
    await page.context().close();
  });
});
