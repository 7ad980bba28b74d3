import { existsSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from './eval-manuals.js';

/**
 * Debian's Chromium driven by playwright-core (never `playwright install`: no browser downloads).
 * /usr/bin/chromium is a shell wrapper; the binary behind it starts faster and takes the same flags.
 */
export const chromiumPath =
  process.env.CHROMIUM_PATH ?? ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p)) ?? '';

/** A reason to skip browser tests on a machine without Chromium (CI installs it). */
export const noBrowserReason = chromiumPath ? undefined : 'Chromium is not installed (apt-get install chromium)';

export interface LaunchOptions {
  /** Absolute path of a WAV file the fake microphone plays (once) when capture starts. */
  fakeAudioFile?: string;
}

export async function launchBrowser(opts: LaunchOptions = {}): Promise<Browser> {
  const args = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage', '--no-first-run'];
  if (opts.fakeAudioFile) {
    args.push(
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${opts.fakeAudioFile}%noloop`,
      '--autoplay-policy=no-user-gesture-required',
    );
  }
  return chromium.launch({ executablePath: chromiumPath, headless: true, args, timeout: 60_000 });
}

/** Console reports of CSP refusals, per page (see newPage). */
export const cspViolations = new WeakMap<Page, string[]>();

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

export async function newPage(browser: Browser, baseUrl: string, viewport = DESKTOP): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  // Surface page errors in the test output: a blank screen usually starts as one of these.
  page.on('pageerror', (e) => console.error('[browser pageerror]', e.message));
  // The server's Content-Security-Policy refusing something the app needs shows up only here.
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) {
      console.error('[browser csp]', m.text());
      cspViolations.set(page, [...(cspViolations.get(page) ?? []), m.text()]);
    }
  });
  return { context, page };
}

/** test-artifacts/ at the repository root (git-ignored), created on demand. */
export function artifactPath(name: string): string {
  const dir = join(repoRoot, 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

let seq = 0;
export const uniqueEmail = (tag: string) => `${tag}-${process.pid}-${Date.now().toString(36)}-${++seq}@example.test`;
export const PASSWORD = 'correct horse battery staple';

/** Signs up through the UI and waits for the signed-in shell. */
export async function signUpInUi(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto('/');
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Uploads files with the file picker of the Manuals screen. */
export async function uploadInUi(page: Page, files: string[]): Promise<void> {
  await page.getByRole('link', { name: 'Manuals' }).click();
  await page.locator('input[type=file]').setInputFiles(files);
}

/** Waits until the upload list shows the file as completed (ingestion finished), failing fast on failure. */
export async function waitForIngestionInUi(page: Page, fileName: string, timeoutMs = 180_000): Promise<void> {
  const item = page.locator('.upload', { hasText: fileName });
  await item.and(page.locator('[data-phase=completed], [data-phase=failed]')).waitFor({ timeout: timeoutMs });
  const phase = await item.getAttribute('data-phase');
  if (phase !== 'completed') throw new Error(`ingestion of ${fileName} ended ${phase}: ${await item.innerText()}`);
}

/** True when the document is wider than the viewport (the page scrolls sideways). */
export const hasHorizontalScroll = (page: Page) =>
  page.evaluate(() => document.scrollingElement!.scrollWidth > window.innerWidth);

/** Signs in through the UI (an existing account) and waits for the signed-in shell. */
export async function signInInUi(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Uploads one manual, waits for its ingestion and its "Ready" row; returns the row's meta line (pages · passages). */
export async function uploadManualInUi(page: Page, path: string, timeoutMs?: number): Promise<string> {
  const name = basename(path);
  await uploadInUi(page, [path]);
  // Upload progress, then queued/processing, then completed: all without a reload.
  await waitForIngestionInUi(page, name, timeoutMs);
  const row = page.locator('.manual', { hasText: name });
  await row.locator('.badge', { hasText: 'Ready' }).waitFor();
  return row.locator('.meta').innerText();
}

/** Asks a typed question on the Ask screen; returns the answer and the sources' page labels. */
export async function askInUi(page: Page, question: string): Promise<{ answer: string; pages: string[] }> {
  await page.getByRole('link', { name: 'Ask' }).click();
  await page.getByLabel('Your question').fill(question);
  await page.getByRole('button', { name: 'Ask', exact: true }).click();
  await page.locator('.answer-text').waitFor();
  return { answer: await page.locator('.answer-text').innerText(), pages: await page.locator('.source-page').allInnerTexts() };
}

/** Opens a source of the answer shown (`Open <manual>, page <n>`) and waits for that page to render; returns its highlight boxes. */
export async function openCitedPageInUi(page: Page, manual: string, pageNumber: number): Promise<number> {
  await page.getByRole('link', { name: new RegExp(`^Open ${manual}, page ${pageNumber}\\b`) }).first().click();
  const frame = page.locator(`.page-frame[data-rendered-page="${pageNumber}"]`);
  await frame.waitFor();
  return Number(await frame.getAttribute('data-highlights'));
}

/** Dark pixels sampled on the page viewer's canvas: > 0 once it is really painted (not blank white). */
export const inkedPixels = (page: Page) =>
  page.evaluate(() => {
    const c = document.querySelector('.page-frame canvas') as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let dark = 0;
    for (let i = 0; i < d.length; i += 16) if (d[i]! < 100) dark++;
    return dark;
  });
