import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { UnpdfPdfReader } from '../../src/adapters/embedded/unpdf-pdf-reader.js';
import { loadEmbeddedConfig } from '../../src/config/config.js';
import type { PdfReader } from '../../src/core/ports/pdf-reader.js';
import { startServer } from '../../src/entry/server.js';
import { buildPdf, corruptPdf } from '../helpers/api-pdfs.js';
import { assertOneLineFailure, runManuel, succeeded } from '../helpers/run-command.js';

/** `manuel dlq list|retry|drop` as an admin runs them, against a real server with the DLQ on. */

let root: string;
let server: { url: string; close(): Promise<void> };

/** The server's PDF reader crashes once (a transient failure), then reads: with MaxRetryAttempts 1 the first upload is dead-lettered. */
let crashes = 1;
const flakyReader: PdfReader = {
  read: async (pdf) => {
    if (crashes-- > 0) throw new Error('pdf.js crashed');
    return new UnpdfPdfReader().read(pdf);
  },
};

const manuel = (config: string, args: string[]) => runManuel(args, { configDir: join(root, config), server: server.url });
const listJson = async () => JSON.parse(succeeded(await manuel('admin', ['dlq', 'list', '--json'])).stdout) as { dead_letters: Record<string, any>[]; count: number; size: number };

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'manuel-'));
  const config = loadEmbeddedConfig(
    { PORT: '0', HOST: '127.0.0.1', MANUEL_DATA_DIR: join(root, 'data'), LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' },
    { EmbeddingWorkers: 0, AdminEmail: 'root@example.com', EnableAdvancedErrorHandling: true, MaxRetryAttempts: 1 },
  );
  server = await startServer(config, { pdfReader: flakyReader, worker: { pollMs: 50 } });
});

after(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('manuel dlq', { concurrency: false }, () => {
  let id = '';

  test('list shows a dead-lettered upload as a table, and --json the API answer', async () => {
    succeeded(await manuel('admin', ['signup', '--email', 'root@example.com', '--password', 'correct horse battery']));
    succeeded(await manuel('user', ['signup', '--email', 'ada@example.com', '--password', 'correct horse battery']));
    assert.match(succeeded(await manuel('admin', ['dlq', 'list'])).stdout, /^The dead-letter queue is empty\n$/);
    const pdf = join(root, 'toaster.pdf');
    writeFileSync(pdf, buildPdf([['To descale the toaster, hold the crumb tray lever for five seconds.']]));
    const up = await manuel('user', ['upload', pdf]);
    assert.notEqual(up.code, 0, 'the upload failed');

    const list = await listJson();
    assert.equal(list.size, 1);
    id = list.dead_letters[0]!.id;
    assert.equal(list.dead_letters[0]!.error_type, 'internal_error');
    const table = succeeded(await manuel('admin', ['dlq', 'list'])).stdout.trimEnd().split('\n');
    assert.match(table[0]!, /^ID\s+DEAD AT\s+ATTEMPTS\s+RETRIES\s+ERROR TYPE\s+MANUAL\s+ERROR$/);
    assert.match(table[1]!, new RegExp(`^${id}\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d\\s+1\\s+0\\s+internal_error\\s+toaster\\.pdf \\[failed\\]\\s+pdf\\.js crashed$`));
    assert.equal(table[2], '1 dead letter');
  });

  test('retry runs the job again; once it succeeds the letter is gone and the manual answers', async () => {
    const r = succeeded(await manuel('admin', ['dlq', 'retry', id]));
    assert.match(r.stdout, /^Retrying job \S+ of toaster\.pdf \[(queued|processing)\] \(retry 1\)/);
    const end = Date.now() + 20_000;
    while ((await listJson()).size > 0) {
      assert.ok(Date.now() < end, 'the retried job never left the DLQ');
      await new Promise((res) => setTimeout(res, 200));
    }
    const answer = JSON.parse(succeeded(await manuel('user', ['ask', '--json', 'How do I descale the toaster?'])).stdout);
    assert.equal(answer.sources[0]?.manual_name, 'toaster.pdf');
  });

  test('drop removes a letter; the manual stays failed', async () => {
    const pdf = join(root, 'corrupt.pdf');
    writeFileSync(pdf, corruptPdf());
    await manuel('user', ['upload', pdf]);
    const [letter] = (await listJson()).dead_letters;
    assert.equal(letter?.error_type, 'invalid_pdf');
    const r = succeeded(await manuel('admin', ['dlq', 'drop', letter!.id]));
    assert.equal(r.stdout, `Dropped ${letter!.id} (corrupt.pdf [failed] stays failed)\n`);
    assert.equal((await listJson()).size, 0);
    const manuals = JSON.parse(succeeded(await manuel('user', ['manuals', 'list', '--json'])).stdout);
    assert.equal(manuals.manuals.find((m: { name: string }) => m.name === 'corrupt.pdf')?.status, 'failed');
  });

  test('unknown ids, bad options and non-admins fail on one line', async () => {
    assertOneLineFailure(await manuel('admin', ['dlq', 'retry', 'no-such-letter']), /Dead letter not found/);
    assertOneLineFailure(await manuel('admin', ['dlq', 'drop', 'no-such-letter']), /Dead letter not found/);
    const usage = await manuel('admin', ['dlq', 'list', '--limit', '0']); // commander's own usage error, as for the other commands
    assert.notEqual(usage.code, 0);
    assert.match(usage.stderr, /^error: option '-n, --limit <n>' argument '0' is invalid\. a whole number from 1 to 1000\n$/);
    assertOneLineFailure(await manuel('user', ['dlq', 'list']), /administrator/);
    const failed = await manuel('admin', ['--json', 'dlq', 'retry', 'no-such-letter']);
    assert.notEqual(failed.code, 0);
    assert.equal(JSON.parse(failed.stdout).error_type, 'not_found', 'with --json the error body is on stdout');
  });
});
