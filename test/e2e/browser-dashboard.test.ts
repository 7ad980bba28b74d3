/**
 * The admin dashboard in Debian's Chromium against the real server (in-process, random port) with
 * monitoring on: real traffic (answers, a cache hit, 404s, 401s, an upload), minutes closed by moving
 * the monitor's clock, then the screen: six uPlot charts with data, the cost table, the alarms, top
 * errors; a non-admin sees no link and a 403 message; a server without monitoring says so (503).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { intercept } from '../../src/adapters/metrics/intercept.js';
import { printerPdf } from '../helpers/api-pdfs.js';
import { uploadPdf } from '../helpers/ask-helpers.js';
import { artifactPath, cspViolations, hasHorizontalScroll, launchBrowser, newPage, noBrowserReason, PASSWORD, PHONE, signInInUi, uniqueEmail } from '../helpers/browser.js';
import { repoRoot } from '../helpers/eval-manuals.js';
import { ManualClock } from '../helpers/fakes.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const MIN = 60_000;

/** Polls a condition of the test process (requests seen) for up to 10 s. */
async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 100));
}

/** Real traffic of every kind the charts show, in the monitor's current minute. */
async function traffic(t: TestServer, token: string, round: number): Promise<void> {
  await uploadPdf(t, token, printerPdf(round), `printer-${round}.pdf`); // different bytes each round
  for (let i = 0; i < 3; i++) assert.equal((await t.request('/api/query', { token, json: { question: `How do I replace the toner? (${round})` } })).status, 200);
  for (let i = 0; i < 4; i++) assert.equal((await t.request(`/api/manuals/manual-missing${i}`, { token })).status, 404);
  for (let i = 0; i < 2; i++) assert.equal((await t.request('/api/manuals')).status, 401);
}

describe('admin dashboard in a real browser', { skip: noBrowserReason, timeout: 240_000 }, () => {
  let t: TestServer;
  let off: TestServer;
  let browser: Browser;
  const clock = new ManualClock(Math.floor(Date.now() / MIN) * MIN + 10_000);
  const adminEmail = uniqueEmail('dash-admin');
  let queries = 6; // answers priced at 0.01 EUR (two traffic rounds of three, then the quiet minutes)

  before(async () => {
    t = await startTestServer({
      parameters: { EnableAdvancedErrorHandling: true, PriceQueryEur: 0.01, ErrorRateThreshold: 5, LatencyThreshold: 5000, DailyCostThreshold: 100 },
      monitoring: { clock, start: false },
    });
    const admin = await t.signup(adminEmail, PASSWORD); // the first account is the admin
    const monitor = t.server.services.ops.monitor!;
    await traffic(t, admin, 1);
    clock.advance(MIN);
    await monitor.tick();
    // Eight quieter minutes (answers, mostly cache hits, and a few 404s), so the charts have a shape.
    for (let m = 0; m < 8; m++) {
      for (let i = 0; i < 1 + (m % 4); i++) assert.equal((await t.request('/api/query', { token: admin, json: { question: `Where are paper jams removed? (${m % 3})` } })).status, 200);
      if (m % 2) assert.equal((await t.request('/api/manuals/manual-missing', { token: admin })).status, 404);
      queries += 1 + (m % 4);
      clock.advance(MIN);
      await monitor.tick();
    }
    // The last minute: more traffic and a burst of 5xx (a broken database read), recorded as errors.
    await traffic(t, admin, 2);
    const real = t.server.services.manuals;
    t.server.services.manuals = intercept(real, { list: async () => Promise.reject(new Error('SQLITE_IOERR: disk I/O error')) });
    for (let i = 0; i < 25; i++) assert.equal((await t.request('/api/manuals', { token: admin })).status, 500);
    t.server.services.manuals = real;
    clock.advance(MIN);
    await monitor.tick(); // the error rate over 5 minutes is far above 5 %: ErrorRateThreshold fires
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    await off?.close();
  });

  test('an admin opens the dashboard from the menu: charts with data, cost per day, alarms, top errors', async () => {
    const { page } = await newPage(browser, t.url);
    await signInInUi(page, adminEmail);
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    await page.locator('.chart canvas').nth(5).waitFor();
    assert.equal(await page.locator('.chart canvas').count(), 6);

    const charts = await page.locator('.chart').evaluateAll((els) =>
      els.map((e) => ({ title: e.getAttribute('data-chart'), points: Number(e.getAttribute('data-points')), values: Number(e.getAttribute('data-values')) })),
    );
    assert.deepEqual(
      charts.map((c) => c.title),
      ['Requests per minute', 'Errors per minute', 'Latency', 'Cache hit rate', 'Ingestion', 'Dead-letter queue'],
    );
    for (const c of charts) assert.equal(c.points, 180, `${c.title}: one point per minute of the 3-hour window`);
    const values = Object.fromEntries(charts.map((c) => [c.title, c.values]));
    assert.ok(values['Latency']! >= 4, 'p50 and p95 for both minutes with requests');
    assert.ok(values['Cache hit rate']! >= 2, 'a hit rate for the minutes with answers');
    // Summaries for screen readers carry the figures the canvas draws.
    const requests = await page.locator('.chart[data-chart="Requests per minute"] .visually-hidden').innerText();
    const total = Number(/Requests: (\d+) in total/.exec(requests)?.[1]);
    assert.ok(total >= 2 * (1 + 3 + 4 + 2) + 25, requests);
    const errorsSummary = await page.locator('.chart[data-chart="Errors per minute"] .visually-hidden').innerText();
    assert.match(errorsSummary, /5xx: 25 in total/);
    assert.match(errorsSummary, /4xx: (\d+) in total/);
    assert.ok(Number(/4xx: (\d+)/.exec(errorsSummary)![1]) >= 12, errorsSummary);
    const ingestion = await page.locator('.chart[data-chart="Ingestion"] .visually-hidden').innerText();
    assert.match(ingestion, /Pages ingested: 4 in total/);
    assert.match(ingestion, /Jobs queued: 2 in total/);
    // uPlot's legend names every series.
    const legend = await page.locator('.chart[data-chart="Latency"] .u-legend').innerText();
    assert.match(legend, /p50/);
    assert.match(legend, /p95/);
    // The canvas is really painted.
    const inked = await page.locator('.chart[data-chart="Requests per minute"] canvas').evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
      return n;
    });
    assert.ok(inked > 200, `painted pixels: ${inked}`);

    // Cost per day by operation: today, query and upload, with their counts.
    const cost = page.locator('table.cost-table');
    const heads = await cost.locator('thead th').allInnerTexts();
    assert.equal(heads[0], 'Day (UTC)');
    assert.equal(heads.at(-1), 'Total');
    const queryColumn = heads.indexOf('query');
    assert.ok(queryColumn > 0, heads.join(', '));
    const today = clock.now().toISOString().slice(0, 10);
    const row = cost.locator('tbody tr', { has: page.locator(`th:text-is("${today}")`) });
    const cells = await row.locator('th, td').allInnerTexts();
    const eurText = (queries / 100).toFixed(2);
    assert.ok(cells[queryColumn]!.includes(`${eurText} (${queries})`) || cells[queryColumn]!.includes(`${eurText.replace('.', ',')} (${queries})`), `${cells[queryColumn]} for ${queries} answers at 0.01 EUR`);
    assert.ok(cells.at(-1)!.includes(eurText) || cells.at(-1)!.includes(eurText.replace('.', ',')), cells.at(-1));

    // Alarms with their state: the 5xx burst fired ErrorRateThreshold.
    const rate = page.locator('tr[data-alarm="ErrorRateThreshold"]');
    assert.equal(await rate.getAttribute('data-state'), 'alarm');
    assert.match(await rate.innerText(), /In alarm/);
    assert.equal(await page.locator('table.alarm-table tbody tr').count(), 5, 'every alarm has a threshold');
    assert.match(await page.locator('.dashboard > p[role=status]').innerText(), /1 alarm firing/);

    // Top errors: the 5xx burst, with its count.
    const err = page.locator('table.error-table tbody tr', { hasText: 'SQLITE_IOERR' });
    assert.match(await err.innerText(), /25/);

    assert.deepEqual(cspViolations.get(page) ?? [], [], 'uPlot works under the Content-Security-Policy');
    await page.getByLabel('Window').selectOption({ label: '1 hour' });
    await page.waitForFunction(() => document.querySelector('.chart')?.getAttribute('data-points') === '60');
    await page.locator('.chart canvas').nth(5).waitFor();
    await page.screenshot({ path: artifactPath('dashboard.png'), fullPage: true });
    await page.context().close();
  });

  test('the window selector reloads the figures for 1 hour; it refreshes by itself', async () => {
    const { page } = await newPage(browser, t.url);
    await page.clock.install(); // runs at normal speed until moved on by hand
    await signInInUi(page, adminEmail);
    await page.goto('/#/dashboard');
    await page.locator('.chart canvas').first().waitFor();
    const asked: string[] = [];
    page.on('request', (r) => r.url().includes('/api/admin/dashboard') && asked.push(new URL(r.url()).search));
    await page.getByLabel('Window').selectOption({ label: '1 hour' });
    await page.waitForFunction(() => document.querySelector('.chart')?.getAttribute('data-points') === '60');
    assert.deepEqual(asked, ['?minutes=60']);
    // The 30 s refresh, without waiting 30 s: the page's clock is moved on.
    await page.clock.runFor(31_000);
    await until(() => asked.length >= 2);
    assert.deepEqual(asked, ['?minutes=60', '?minutes=60']);
    // Hidden tab: no refresh.
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await page.clock.runFor(61_000);
    assert.equal(asked.length, 2, 'no request while hidden');
    // Visible again: at once.
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await until(() => asked.length >= 3);
    assert.equal(asked.length, 3, 'refreshed when shown again');
    await page.context().close();
  });

  test('a non-admin sees no Dashboard link and gets a clear 403 message at its address', async () => {
    const { page } = await newPage(browser, t.url);
    const email = uniqueEmail('dash-user');
    await t.signup(email, PASSWORD);
    await signInInUi(page, email);
    assert.equal(await page.getByRole('link', { name: 'Dashboard' }).count(), 0);
    await page.goto('/#/dashboard');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal(await alert.innerText(), 'Only an administrator can see the dashboard.');
    assert.equal(await alert.getAttribute('data-status'), '403');
    assert.equal(await page.locator('.chart').count(), 0);
    await page.context().close();
  });

  test('with monitoring off, the admin is told so (503), on a phone without sideways scrolling', async () => {
    off = await startTestServer();
    const email = uniqueEmail('dash-off');
    await off.signup(email, PASSWORD);
    const { page } = await newPage(browser, off.url, PHONE);
    await signInInUi(page, email);
    await page.getByRole('link', { name: 'Dashboard' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /^Monitoring is off on this server.*EnableAdvancedErrorHandling or EnableXRayTracing/);
    assert.equal(await alert.getAttribute('data-status'), '503');
    assert.equal(await hasHorizontalScroll(page), false);
    await page.context().close();
  });
});

test('the committed screenshot is refreshed from the run (docs/screenshots/dashboard.png)', { skip: noBrowserReason || !process.env.UPDATE_SCREENSHOTS }, () => {
  mkdirSync(join(repoRoot, 'docs', 'screenshots'), { recursive: true });
  copyFileSync(artifactPath('dashboard.png'), join(repoRoot, 'docs', 'screenshots', 'dashboard.png'));
});
