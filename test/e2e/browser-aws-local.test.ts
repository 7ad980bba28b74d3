/**
 * The web app in Debian's Chromium against `aws:local`: the page and its assets come from aws:local (what
 * CloudFront + S3 serve on AWS), every API call goes through the local API Gateway to the Lambda handlers
 * (Cognito on moto, DynamoDB on dynalite, S3 on s3rver with ProcessManual on its object event). Sign up,
 * upload a real manual, see ingestion complete in the UI, ask, open the cited page rendered with its
 * highlight. Keyword search only (no embedder) keeps ingestion short.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startAwsLocal, type AwsLocal } from '../../src/entry/aws-local.js';
import { motoSkip } from '../helpers/aws-emulators.js';
import { evalManualsDir } from '../helpers/eval-manuals.js';
import { artifactPath, cspViolations, launchBrowser, newPage, noBrowserReason, signUpInUi, uniqueEmail, uploadInUi, waitForIngestionInUi } from '../helpers/browser.js';

const MANUAL = 'openni-user-guide.pdf';
const QUESTION = 'What does OpenNI mean by a production chain?';
const EXPECTED_PAGE = 10; // the eval set's label for this question (on-13), as in browser-ask-flow.test.ts

describe('web app in a real browser against aws:local', { skip: noBrowserReason ?? motoSkip(), timeout: 180_000, concurrency: false }, () => {
  let local: AwsLocal;
  let browser: Browser;
  let page: Page;

  before(async () => {
    local = await startAwsLocal({ port: 0, models: { embedder: null, transcriber: null }, scheduleMs: 0, logLevel: process.env.TEST_LOG_LEVEL ?? 'silent' });
    browser = await launchBrowser();
    ({ page } = await newPage(browser, local.url));
  });
  after(async () => {
    await browser?.close();
    await local?.close();
  });

  test('aws:local serves the web app itself (index and hashed assets)', async () => {
    const res = await fetch(local.url + '/');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    const html = await res.text();
    const asset = html.match(/(?:src|href)="(\/assets\/[^"]+\.js)"/)?.[1];
    assert.ok(asset, html);
    const js = await fetch(local.url + asset);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
  });

  test('sign up through Cognito, upload a real manual, see ingestion complete by itself', async () => {
    await signUpInUi(page, uniqueEmail('web-aws'));
    await uploadInUi(page, [join(evalManualsDir(), MANUAL)]);
    await waitForIngestionInUi(page, MANUAL, 120_000);
    const row = page.locator('.manual', { hasText: MANUAL });
    await row.locator('.badge', { hasText: 'Ready' }).waitFor();
    assert.match(await row.locator('.meta').innerText(), /44 pages · \d+ passages/);
  });

  test('ask: answer, sources with page numbers; open the cited page rendered with its highlight', async () => {
    await page.getByRole('link', { name: 'Ask' }).click();
    await page.getByLabel('Your question').fill(QUESTION);
    await page.getByRole('button', { name: 'Ask', exact: true }).click();
    await page.locator('.answer-text').waitFor();
    assert.ok((await page.locator('.answer-text').innerText()).length > 20);
    const pages = await page.locator('.source-page').allInnerTexts();
    assert.ok(pages.some((p) => p.startsWith(`page ${EXPECTED_PAGE}`)), `page ${EXPECTED_PAGE} among ${pages.join(', ')}`);

    await page.getByRole('link', { name: new RegExp(`^Open ${MANUAL}, page ${EXPECTED_PAGE}\\b`) }).first().click();
    const frame = page.locator(`.page-frame[data-rendered-page="${EXPECTED_PAGE}"]`);
    await frame.waitFor();
    assert.ok(Number(await frame.getAttribute('data-highlights')) >= 1);
    assert.ok(await page.locator('.hl').first().isVisible());
    const inked = await page.evaluate(() => {
      const c = document.querySelector('.page-frame canvas') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let dark = 0;
      for (let i = 0; i < d.length; i += 16) if (d[i]! < 100) dark++;
      return dark;
    });
    assert.ok(inked > 500, `dark pixels sampled: ${inked}`);
    await page.screenshot({ path: artifactPath('browser-aws-local-cited-page.png') });
    assert.deepEqual(cspViolations.get(page) ?? [], []);
  });
});
