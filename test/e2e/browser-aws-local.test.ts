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
import { artifactPath, askInUi, cspViolations, inkedPixels, launchBrowser, newPage, noBrowserReason, openCitedPageInUi, signUpInUi, uniqueEmail, uploadManualInUi } from '../helpers/browser.js';

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
    assert.match(await uploadManualInUi(page, join(evalManualsDir(), MANUAL), 120_000), /44 pages · \d+ passages/);
  });

  test('ask: answer, sources with page numbers; open the cited page rendered with its highlight', async () => {
    const { answer, pages } = await askInUi(page, QUESTION);
    assert.ok(answer.length > 20);
    assert.ok(pages.some((p) => p.startsWith(`page ${EXPECTED_PAGE}`)), `page ${EXPECTED_PAGE} among ${pages.join(', ')}`);

    assert.ok((await openCitedPageInUi(page, MANUAL, EXPECTED_PAGE)) >= 1);
    assert.ok(await page.locator('.hl').first().isVisible());
    const inked = await inkedPixels(page);
    assert.ok(inked > 500, `dark pixels sampled: ${inked}`);
    await page.screenshot({ path: artifactPath('browser-aws-local-cited-page.png') });
    assert.deepEqual(cspViolations.get(page) ?? [], []);
  });
});
