/**
 * The web app in Debian's Chromium against the real server (in-process, random port): sign up, upload
 * a real manual, watch ingestion finish in the UI, ask, open the cited page with its highlight; then
 * isolation between users, a non-PDF upload's error, and the phone viewport. One ingestion serves all.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { evalManualsDir } from '../helpers/eval-manuals.js';
import {
  artifactPath,
  askInUi,
  cspViolations,
  hasHorizontalScroll,
  inkedPixels,
  launchBrowser,
  newPage,
  noBrowserReason,
  openCitedPageInUi,
  PASSWORD,
  PHONE,
  signUpInUi,
  uniqueEmail,
  uploadInUi,
  uploadManualInUi,
  waitForIngestionInUi,
} from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const MANUAL = 'openni-user-guide.pdf';
const QUESTION = 'What does OpenNI mean by a production chain?';
const EXPECTED_PAGE = 10; // the eval set's label for this question (on-13)
const DAILY_QUOTA = 2;

/** A plain local web server holding the manual, for "import from URL". */
async function servePdf(): Promise<{ url: string; server: Server }> {
  const pdf = readFileSync(join(evalManualsDir(), MANUAL));
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/pdf' }).end(pdf));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/docs/${MANUAL}`, server };
}

describe('web app in a real browser', { skip: noBrowserReason, timeout: 240_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let citedUrl = ''; // the viewer's URL for the cited page, shared later
  const email = uniqueEmail('web');

  before(async () => {
    // A tiny daily quota so the quota message can be reached; private URLs for the local import.
    server = await startTestServer({ parameters: { DailyQuotaLimit: DAILY_QUOTA, AllowPrivateUrls: true } });
    browser = await launchBrowser();
    ({ page } = await newPage(browser, server.url));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('sign up, upload a real manual and see ingestion complete by itself', async () => {
    await signUpInUi(page, email);
    // Upload progress, then queued/processing, then completed: all without a reload.
    assert.match(await uploadManualInUi(page, join(evalManualsDir(), MANUAL)), /44 pages · \d+ passages/);
  });

  test('the session survives a reload; sign out, a wrong password, sign in again', async () => {
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.locator('.manual', { hasText: MANUAL }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.equal(await page.getByRole('alert').innerText(), 'Wrong email or password.');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  });

  test('ask a typed question: answer, sources with page numbers, recent questions', async () => {
    const { answer, pages } = await askInUi(page, QUESTION);
    assert.ok(answer.length > 20);
    assert.ok(pages.length > 0, 'sources are listed');
    assert.ok(pages.some((p) => p.startsWith(`page ${EXPECTED_PAGE}`)), `page ${EXPECTED_PAGE} among ${pages.join(', ')}`);
    assert.equal(await page.locator('.recent li').first().innerText(), QUESTION);
    await page.screenshot({ path: artifactPath('browser-answer.png'), fullPage: true });
  });

  test('open the source: the cited page is rendered with the passage highlighted', async () => {
    const boxes = await openCitedPageInUi(page, MANUAL, EXPECTED_PAGE);
    assert.ok(boxes >= 1, `highlight boxes: ${boxes}`);
    assert.ok(await page.locator('.hl').first().isVisible());
    assert.match(page.url(), new RegExp(`#/manuals/[^/]+/pages/${EXPECTED_PAGE}\\?hl=`));
    citedUrl = page.url();
    // The canvas has really been painted (not blank white).
    const inked = await inkedPixels(page);
    assert.ok(inked > 500, `dark pixels sampled: ${inked}`);
    await page.screenshot({ path: artifactPath('browser-cited-page.png') });
  });

  test('the shared URL opens the same view; next page and zoom work', async () => {
    const shared = citedUrl;
    const { context: other, page: second } = await newPage(browser, server.url);
    // Same user on "another device": same session storage, then the link.
    const storage = await page.evaluate(() => localStorage.getItem('manuel.session'));
    await second.goto('/');
    await second.evaluate((s) => localStorage.setItem('manuel.session', s!), storage);
    await second.goto(shared);
    await second.reload(); // a hash-only navigation keeps the document: load it afresh like a new device
    await second.locator(`.page-frame[data-rendered-page="${EXPECTED_PAGE}"]`).waitFor();
    assert.ok(Number(await second.locator('.page-frame').getAttribute('data-highlights')) >= 1);
    await other.close();

    await page.getByRole('button', { name: 'Next page' }).click();
    await page.locator(`.page-frame[data-rendered-page="${EXPECTED_PAGE + 1}"]`).waitFor();
    const before = (await page.locator('.page-frame').boundingBox())!.width;
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await page.getByText('125%').waitFor();
    await page.waitForFunction((w) => document.querySelector('.page-frame')!.getBoundingClientRect().width > w * 1.2, before);
    await page.keyboard.press('ArrowLeft');
    await page.locator(`.page-frame[data-rendered-page="${EXPECTED_PAGE}"]`).waitFor();
  });

  test('pdf.js was fetched only when a page was opened', async () => {
    const { context, page: fresh } = await newPage(browser, server.url);
    const scripts: string[] = [];
    fresh.on('request', (r) => r.resourceType() === 'script' && scripts.push(r.url()));
    await fresh.goto('/');
    await fresh.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.ok(scripts.length >= 1);
    assert.ok(!scripts.some((u) => /pdf/i.test(u)), `first load fetched ${scripts.join(', ')}`);
    await context.close();
  });

  test('a second user sees none of the first user\'s manuals, nor its page', async () => {
    const firstUrl = citedUrl;
    const { context, page: other } = await newPage(browser, server.url);
    await signUpInUi(other, uniqueEmail('other'));
    await other.getByRole('link', { name: 'Manuals' }).click();
    await other.getByText('No manuals yet').waitFor();
    assert.equal(await other.locator('.manual').count(), 0);
    await other.goto(firstUrl);
    await other.getByRole('alert').filter({ hasText: /not found/i }).waitFor();
    // The page image route answers the owner with a PNG and anyone else with 404.
    const manualId = /#\/manuals\/([^/]+)\/pages/.exec(firstUrl)![1]!;
    const tokenOf = (p: Page) => p.evaluate(() => JSON.parse(localStorage.getItem('manuel.session')!).accessToken as string);
    const png = `/api/manuals/${manualId}/pages/${EXPECTED_PAGE}.png?scale=1&highlight=production%20chain`;
    const mine = await server.request(png, { token: await tokenOf(page) });
    assert.equal(mine.status, 200);
    assert.equal(mine.headers.get('content-type'), 'image/png');
    writeFileSync(artifactPath('server-page-image.png'), Buffer.from(await mine.arrayBuffer()));
    assert.equal((await server.request(png, { token: await tokenOf(other) })).status, 404);
    await other.getByLabel('Your question').count(); // the app is still there, not a blank page
    await context.close();
  });

  test('a file that is not a PDF shows an actionable error', async () => {
    const fake = artifactPath('not-a-manual.pdf');
    writeFileSync(fake, 'These are plain words, not a PDF at all.\n');
    await uploadInUi(page, [fake]);
    const item = page.locator('.upload', { hasText: 'not-a-manual.pdf' });
    await item.locator('.error').waitFor();
    assert.match(await item.locator('.error').innerText(), /not a PDF/);
  });

  test('phone viewport (390×844): no horizontal scrolling on any screen', async () => {
    const { context, page: phone } = await newPage(browser, server.url, PHONE);
    await phone.goto('/');
    assert.equal(await hasHorizontalScroll(phone), false, 'sign-in screen');
    await signUpInUi(phone, uniqueEmail('phone'));
    await phone.getByLabel('Your question').fill('How long do the Wait UpdateAll functions block before they time out?');
    await phone.getByRole('button', { name: 'Ask', exact: true }).click();
    await phone.locator('.answer-text, .error').first().waitFor();
    assert.equal(await hasHorizontalScroll(phone), false, 'ask screen with an answer');
    await phone.screenshot({ path: artifactPath('browser-phone-ask.png'), fullPage: true });
    await phone.getByRole('link', { name: 'Manuals' }).click();
    await phone.getByRole('heading', { name: /Your manuals/ }).waitFor();
    assert.equal(await hasHorizontalScroll(phone), false, 'manuals screen');
    await phone.screenshot({ path: artifactPath('browser-phone-manuals.png'), fullPage: true });
    await phone.getByRole('link', { name: 'Usage' }).click();
    await phone.getByRole('heading', { name: 'Today' }).waitFor();
    assert.equal(await hasHorizontalScroll(phone), false, 'usage screen');
    // The first user's page at phone width, zoomed in: the page scrolls inside its frame only.
    const storage = await page.evaluate(() => localStorage.getItem('manuel.session'));
    await phone.evaluate((s) => localStorage.setItem('manuel.session', s!), storage);
    await phone.goto(citedUrl + '&zoom=2');
    await phone.reload();
    await phone.locator('.page-frame[data-rendered-page]').waitFor();
    assert.equal(await hasHorizontalScroll(phone), false, 'page viewer zoomed in');
    await phone.screenshot({ path: artifactPath('browser-phone-page.png') });
    await context.close();
  });
  test('an expired access token is refreshed without the user noticing', async () => {
    const before = await page.evaluate(() => JSON.parse(localStorage.getItem('manuel.session')!));
    await page.evaluate(() => {
      const s = JSON.parse(localStorage.getItem('manuel.session')!);
      localStorage.setItem('manuel.session', JSON.stringify({ ...s, accessToken: 'expired.or.forged', expiresAt: Date.now() + 60_000 }));
    });
    await page.reload();
    await page.getByRole('link', { name: 'Manuals' }).click();
    await page.locator('.manual', { hasText: MANUAL }).waitFor(); // the 401 was answered by a refresh
    const after = await page.evaluate(() => JSON.parse(localStorage.getItem('manuel.session')!));
    assert.notEqual(after.refreshToken, before.refreshToken, 'refresh tokens rotate');
    assert.notEqual(after.accessToken, 'expired.or.forged');
  });

  test('search by name, import from a URL, delete with confirmation', async () => {
    await page.getByRole('link', { name: 'Manuals' }).click();
    const search = page.getByPlaceholder('Search by name');
    await search.fill('no such manual');
    await page.getByText('No manual matches').waitFor();
    await search.fill('OPENNI');
    await page.locator('.manual', { hasText: MANUAL }).waitFor();
    await search.fill('');

    const web = await servePdf();
    try {
      await page.getByLabel('Or import from a URL').fill(web.url);
      await page.getByRole('button', { name: 'Import' }).click();
      await waitForIngestionInUi(page, MANUAL);
    } finally {
      web.server.close();
    }

    await page.getByRole('button', { name: `Delete ${MANUAL}` }).first().click();
    await page.getByRole('group', { name: `Confirm deleting ${MANUAL}` }).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await page.locator('.manual', { hasText: MANUAL }).count(), 1);
    await page.getByRole('button', { name: `Delete ${MANUAL}` }).first().click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByText('No manuals yet').waitFor();
  });

  test('usage shows today against the quota; over the quota the message says when it resets', async () => {
    const { context, page: p } = await newPage(browser, server.url);
    await signUpInUi(p, uniqueEmail('quota'));
    for (let i = 0; i < DAILY_QUOTA; i++) {
      await p.getByLabel('Your question').fill(`question number ${i + 1} about the sensor`);
      await p.getByRole('button', { name: 'Ask', exact: true }).click();
      await p.locator('.recent li').nth(i).waitFor();
    }
    await p.getByLabel('Your question').fill('one question too many');
    await p.getByRole('button', { name: 'Ask', exact: true }).click();
    const alert = p.getByRole('alert');
    await alert.waitFor();
    assert.equal(await alert.innerText(), `You have used today's ${DAILY_QUOTA} questions; more tomorrow at 00:00 UTC.`);

    await p.getByRole('link', { name: 'Usage' }).click();
    const today = p.getByLabel('Today', { exact: true });
    await today.waitFor();
    assert.match(await today.innerText(), new RegExp(`${DAILY_QUOTA}\\s*/ ${DAILY_QUOTA} questions`));
    assert.equal(await p.locator('.recent-usage li').count(), DAILY_QUOTA);
    await p.screenshot({ path: artifactPath('browser-usage.png'), fullPage: true });
    await context.close();
  });

  test('the server\'s Content-Security-Policy refused nothing the app needed (pdf.js worker, fonts, images)', () => {
    assert.deepEqual(cspViolations.get(page) ?? [], []);
  });
});
