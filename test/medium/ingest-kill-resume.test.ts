import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../src/adapters/embedded/sqlite-db.js';
import { evalManualsDir } from '../helpers/eval-manuals.js';
import { embeddedApp } from './embedded-app.js';

const here = dirname(fileURLToPath(import.meta.url));

const PROFILES: [string, Record<string, unknown>][] = [
  ['minimal', {}],
  // Retries, the DLQ and the worker-thread PDF reader: a killed worker still loses nothing, and nothing is dead-lettered.
  ['EnableAdvancedErrorHandling', { EnableAdvancedErrorHandling: true, MaxRetryAttempts: 3 }],
];

for (const [profile, parameters] of PROFILES) {
  it(`kill -9 mid-ingestion (${profile}): after a restart the job resumes and completes, with no duplicate rows`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'manuel-'));
    const pdf = join(evalManualsDir(), 'openni-user-guide.pdf');
    const child = spawn(process.execPath, [join(here, 'ingest-child.js'), dataDir, pdf, JSON.stringify(parameters)], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const ids = await new Promise<{ jobId: string; manualId: string }>((resolve, reject) => {
        let buf = '';
        child.stdout!.on('data', (d) => {
          buf += d;
          if (buf.includes('\n')) resolve(JSON.parse(buf.split('\n')[0]!));
        });
        child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
      });

      // Watch the shared database from outside until the child is embedding, then kill it hard.
      const probe = openDatabase(join(dataDir, 'manuel.db'));
      const jobRow = () => probe.prepare('SELECT status, stage, attempts, statistics FROM jobs WHERE id = ?').get(ids.jobId) as { status: string; stage: string; attempts: number; statistics: string };
      const end = Date.now() + 30_000;
      while (!(jobRow().stage === 'embedding' && (JSON.parse(jobRow().statistics).embedded_chunks ?? 0) > 0)) {
        if (Date.now() > end) throw new Error(`child never reached embedding: ${JSON.stringify(jobRow())}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const killed = jobRow();
      assert.equal(killed.status, 'processing', 'the dead worker still holds the job');
      const embeddedBefore = JSON.parse(killed.statistics).embedded_chunks as number;
      probe.close();

      // Restart on the same data dir: the job is resumed at once, not after its 2-minute lease.
      const t = Date.now();
      const env = await embeddedApp({ dataDir, parameters });
      try {
        const done = await env.waitForJob(ids.jobId, 'alice', 20_000);
        assert.equal(done.status, 'completed', JSON.stringify(done.failureReasons));
        assert.equal(done.attempts, 2);
        assert.ok(Date.now() - t < 20_000);
        const manuals = await env.app.manuals.list(['alice']);
        assert.equal(manuals.length, 1, 'no manual lost or listed twice');
        const m = manuals[0]!;
        assert.equal(m.status, 'completed');
        assert.ok(m.chunks > embeddedBefore);
        assert.equal(m.embeddedChunks, m.chunks);
        const counts = env.app.db
          .prepare('SELECT (SELECT COUNT(*) FROM kb_chunks WHERE manual_id = ?) AS chunks, (SELECT COUNT(*) FROM kb_vectors WHERE manual_id = ?) AS vectors, (SELECT COUNT(*) FROM jobs) AS jobs')
          .get(m.id, m.id) as { chunks: number; vectors: number; jobs: number };
        assert.deepEqual(counts, { chunks: m.chunks, vectors: m.chunks, jobs: 1 });
        assert.equal(env.app.db.pragma('integrity_check', { simple: true }), 'ok');
        if (env.app.ops.deadLetters) assert.equal(await env.app.ops.deadLetters.size(), 0, 'a killed worker is not a dead letter');
      } finally {
        await env.cleanup(true);
      }
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}
