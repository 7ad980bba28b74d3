/**
 * Web app figures: JavaScript shipped on first load (gzip) from web/dist — pdf.js must not be in it —
 * and the time from "Ask" to the answer rendered in a real browser, p50 over eval questions.
 *
 *   npm run build && node dist/bench/web-size.js [--no-browser] [--manuals openni-user-guide.pdf,...] [--questions N]
 *
 * Prints figures only (no timed assertions). The browser part starts the real server in-process on a
 * random port with a fresh data dir, uploads the manuals through the UI and asks through the UI.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { evalManualsDir, loadQa, repoRoot } from '../test/helpers/eval-manuals.js';

export interface FirstLoad {
  files: { file: string; bytes: number; gzip: number }[];
  gzipTotal: number;
  rawTotal: number;
  pdfjsInFirstLoad: boolean;
  lazyChunks: { file: string; gzip: number }[];
}

/** The JS files index.html loads before anything else runs: entry modules and their modulepreloads. */
export function firstLoad(distDir = resolve(repoRoot, 'web', 'dist')): FirstLoad {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const urls = new Set<string>();
  for (const m of html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g)) urls.add(m[1]!);
  for (const m of html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)) urls.add(m[1]!);
  // Static imports of the entry are loaded eagerly too (Vite lists them as modulepreload; be sure).
  const queue = [...urls];
  while (queue.length) {
    const u = queue.shift()!;
    const code = readFileSync(join(distDir, u), 'utf8');
    for (const m of code.matchAll(/(?:^|[;}\s])import\s*(?:[\w${},*\s]+from\s*)?["']\.\/([^"']+\.js)["']/g)) {
      const dep = u.replace(/[^/]+$/, '') + m[1];
      if (!urls.has(dep)) {
        urls.add(dep);
        queue.push(dep);
      }
    }
  }
  const files = [...urls].map((u) => {
    const buf = readFileSync(join(distDir, u));
    return { file: u, bytes: buf.length, gzip: gzipSync(buf, { level: 9 }).length, text: buf.toString('utf8') };
  });
  // Markers that only pdf.js's own code contains.
  const pdfjsInFirstLoad = files.some((f) => /GlobalWorkerOptions|RenderingCancelledException/.test(f.text));
  const lazy = JSON.parse(readFileSync(join(distDir, '.vite', 'manifest.json'), 'utf8')) as Record<string, { file: string; isDynamicEntry?: boolean }>;
  const lazyChunks = Object.values(lazy)
    .filter((c) => c.isDynamicEntry)
    .map((c) => ({ file: c.file, gzip: gzipSync(readFileSync(join(distDir, c.file)), { level: 9 }).length }));
  return {
    files: files.map(({ file, bytes, gzip }) => ({ file, bytes, gzip })),
    gzipTotal: files.reduce((n, f) => n + f.gzip, 0),
    rawTotal: files.reduce((n, f) => n + f.bytes, 0),
    pdfjsInFirstLoad,
    lazyChunks,
  };
}

const p50 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN;
};

async function askTimings(manuals: string[], maxQuestions: number): Promise<{ ms: number[]; pageHits: number; asked: number }> {
  const { launchBrowser, newPage, signUpInUi, uploadInUi, waitForIngestionInUi, uniqueEmail } = await import('../test/helpers/browser.js');
  const { startTestServer } = await import('../test/helpers/server.js');
  const dataDir = mkdtempSync(join(tmpdir(), 'manuel-bench-'));
  // The shipped defaults (embeddings on), unlike the tests' keyword-only server.
  const server = await startTestServer({ dataDir, parameters: { EmbeddingWorkers: 2 } });
  const browser = await launchBrowser();
  try {
    const { page } = await newPage(browser, server.url);
    await signUpInUi(page, uniqueEmail('bench'));
    await uploadInUi(
      page,
      manuals.map((m) => join(evalManualsDir(), m)),
    );
    for (const m of manuals) await waitForIngestionInUi(page, m, 600_000);
    await page.getByRole('link', { name: 'Ask' }).click();
    const qa = loadQa()
      .filter((q) => manuals.includes(q.manual))
      .slice(0, maxQuestions);
    const ms: number[] = [];
    let pageHits = 0;
    for (const q of qa) {
      await page.getByLabel('Your question').fill(q.question);
      // Timed inside the page: from the click to the answer's heading being in the DOM with its text.
      const elapsed = await page.evaluate(
        (question) =>
          new Promise<number>((done) => {
            const before = document.querySelector('.answer-text')?.textContent ?? null;
            const t0 = performance.now();
            const obs = new MutationObserver(() => {
              const a = document.querySelector('.answer-text');
              const asked = document.querySelector('.recent li button')?.textContent === question;
              if (a && asked && (a.textContent !== before || before === null)) {
                obs.disconnect();
                requestAnimationFrame(() => done(performance.now() - t0));
              }
            });
            obs.observe(document.body, { subtree: true, childList: true, characterData: true });
            (document.querySelector('.ask-form button[type=submit]') as HTMLButtonElement).click();
          }),
        q.question,
      );
      ms.push(elapsed);
      const first = await page.locator('.source-page').first().textContent();
      if (first && q.pages.some((p) => new RegExp(`^page ${p}\\b`).test(first))) pageHits++;
    }
    return { ms, pageHits, asked: qa.length };
  } finally {
    await browser.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const fl = firstLoad();
  console.log('web first-load JS (gzip -9):');
  for (const f of fl.files) console.log(`  ${f.file}  ${f.bytes} B raw, ${f.gzip} B gzip`);
  console.log(`  total: ${fl.gzipTotal} B gzip (${(fl.gzipTotal / 1024).toFixed(1)} KiB), ${fl.rawTotal} B raw`);
  console.log(`  pdf.js in first load: ${fl.pdfjsInFirstLoad ? 'YES (regression)' : 'no'}`);
  for (const c of fl.lazyChunks) console.log(`  lazy chunk ${c.file}: ${c.gzip} B gzip`);
  if (args.includes('--no-browser')) return;

  const manuals = (opt('--manuals') ?? 'openni-user-guide.pdf,gpredict-user-manual.pdf').split(',');
  const { ms, pageHits, asked } = await askTimings(manuals, Number(opt('--questions') ?? 30));
  console.log(`ask -> answer rendered in the browser over ${asked} eval questions (${manuals.join(', ')}):`);
  console.log(`  p50 ${p50(ms).toFixed(0)} ms, min ${Math.min(...ms).toFixed(0)} ms, max ${Math.max(...ms).toFixed(0)} ms`);
  console.log(`  first source on a labelled page: ${pageHits}/${asked}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
