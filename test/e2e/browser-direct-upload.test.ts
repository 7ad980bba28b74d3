/**
 * The web app in Chromium against aws:local, whose local API Gateway refuses bodies over 10 MB and
 * responses over 6 MB like AWS: a 12 MB PDF goes up by direct upload (XHR PUT to a presigned s3rver URL,
 * CORS from the bucket), is ingested, and the cited page opens, its PDF fetched through the 302 to a
 * presigned S3 GET (ADR 0030).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startAwsLocal, type AwsLocal } from '../../src/entry/aws-local.js';
import { bigPdf } from '../helpers/api-pdfs.js';
import { motoSkip } from '../helpers/aws-emulators.js';
import { cspViolations, launchBrowser, newPage, noBrowserReason, signUpInUi, uniqueEmail, uploadInUi, waitForIngestionInUi } from '../helpers/browser.js';

const MB = 1024 * 1024;
const FILE = 'time-circuits.pdf';

describe('web app: direct upload of a large PDF against aws:local', { skip: noBrowserReason ?? motoSkip(), timeout: 180_000, concurrency: false }, () => {
  let local: AwsLocal;
  let browser: Browser;
  let page: Page;
  let dir = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'manuel-browser-direct-'));
    writeFileSync(join(dir, FILE), bigPdf(12 * MB, [['Time circuits manual'], ['To set the destination time, type it on the time circuits keypad before the car reaches 88 miles per hour.']]));
    local = await startAwsLocal({ port: 0, models: { embedder: null, transcriber: null }, scheduleMs: 0, logLevel: process.env.TEST_LOG_LEVEL ?? 'silent' });
    browser = await launchBrowser();
    ({ page } = await newPage(browser, local.url));
  });
  after(async () => {
    await browser?.close();
    await local?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a 12 MB PDF uploads (PUT straight to S3), is ingested, and its cited page opens', async () => {
    const puts: string[] = [];
    page.on('request', (r) => r.method() === 'PUT' && puts.push(new URL(r.url()).origin));
    await signUpInUi(page, uniqueEmail('web-direct'));
    await uploadInUi(page, [join(dir, FILE)]);
    await waitForIngestionInUi(page, FILE, 120_000);
    assert.deepEqual(puts, [local.endpoints!.s3]); // the bytes went to object storage, not through the API
    await page.getByRole('link', { name: 'Ask' }).click();
    await page.getByLabel('Your question').fill('How do I set the destination time on the time circuits keypad?');
    await page.getByRole('button', { name: 'Ask', exact: true }).click();
    await page.locator('.answer-text').waitFor();
    await page.locator('.source-page').first().waitFor({ timeout: 30_000 }).catch(async (e) => assert.fail(`${e}: ${await page.locator('main').innerText()}`));
    await page.getByRole('link', { name: /^Open / }).first().click();
    await page.locator('.page-frame[data-rendered-page]').waitFor({ timeout: 60_000 });
    assert.deepEqual(cspViolations.get(page) ?? [], []);
  });
});
