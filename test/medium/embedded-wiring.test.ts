import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { bootstrapLibrary } from '../../src/core/library/bootstrap.js';
import { listManuals } from '../../src/core/manuals/manage-manuals.js';
import { SHARED_OWNER } from '../../src/core/model/types.js';
import { checkQuota, recordUsage } from '../../src/core/usage/quota.js';
import { buildPdf } from '../helpers/api-pdfs.js';
import { embeddedApp } from './embedded-app.js';

const page = (topic: string) => [`Caring for the ${topic}`, `Press the ${topic} reset button for five seconds.`, `The ${topic} light turns green when it is ready.`];

it('createEmbedded: keyword-only defaults, a worker that wakes on enqueue, the shared library, quotas and a clean close', async () => {
  const env = await embeddedApp({ embedder: null, worker: { pollMs: 60_000 } });
  const { app } = env;
  try {
    assert.equal(app.embedder, null);
    assert.equal(app.worker.isRunning(), true);
    assert.equal(await app.pingDb!(), true);
    assert.equal(app.answerWriter.id, 'extractive');
    assert.match(app.version!, /^\d+\.\d+\.\d+/);

    // Bootstrap through the wiring: enqueueing wakes the worker although its poll is a minute.
    const dir = join(app.dataDir, 'library');
    mkdirSync(dir);
    writeFileSync(join(dir, 'kettle.pdf'), buildPdf([page('kettle'), page('toaster')]));
    const populated = await bootstrapLibrary(app, { action: 'populate', dir });
    assert.equal(populated.submitted, 1);
    const done = await env.waitForJob(populated.files[0]!.job_id!, SHARED_OWNER, 5000);
    assert.equal(done.status, 'completed');
    assert.equal(done.statistics.embedded_chunks, 0);
    const seen = await listManuals(app, { userId: 'any-user' });
    assert.deepEqual(seen.map((m) => [m.name, m.status, m.pages]), [['kettle.pdf', 'completed', 2]]);
    const hits = await app.kb.search({ text: 'toaster reset', owners: ['any-user', SHARED_OWNER], limit: 3 });
    assert.equal(hits[0]?.chunk.pageNumber, 2);

    // Quotas on the real usage table.
    const limits = { DailyQuotaLimit: 2, MonthlyQuotaLimit: 10 };
    for (let i = 0; i < 2; i++) {
      await checkQuota(app, { userId: 'u', parameters: limits });
      await recordUsage(app, { userId: 'u', operation: 'query' });
    }
    await assert.rejects(checkQuota(app, { userId: 'u', parameters: limits }), /Quota exceeded/);

    const cleared = await bootstrapLibrary(app, { action: 'clear', dir });
    assert.equal(cleared.deleted, 1);
    assert.equal(cleared.files_deleted, 1);
  } finally {
    await env.cleanup();
  }
  assert.equal(app.worker.isRunning(), false);
  assert.equal(app.db.open, false);
  await app.close(); // idempotent
});

it('EnablePerformanceOptimization: warmUp runs the answer path on the index’s own passages and writes nothing; off, there is no warm-up', async () => {
  const off = await embeddedApp({ worker: { start: false } });
  try {
    assert.equal(off.app.warmUp, undefined);
  } finally {
    await off.cleanup();
  }
  const env = await embeddedApp({ parameters: { EnablePerformanceOptimization: true }, worker: { start: false } });
  const { app } = env;
  try {
    const empty = await app.warmUp!();
    assert.equal(empty.questions, 0, 'an empty index: nothing to ask');
    assert.equal(empty.error, undefined);
    const texts = ['Hold the reset button for ten seconds to restore factory settings.', 'Descale the kettle monthly with citric acid.', 'The toaster browns evenly at setting four.'];
    const chunks = texts.map((text, i) => ({ id: `k:${i}`, manualId: 'k', ownerId: 'alice', pageNumber: i + 1, pageLabel: null, heading: null, text, ordinal: i }));
    await app.kb.indexChunks('k', 'alice', 'Kitchen', chunks);
    await app.kb.putVectors(await app.embedder!.embed(texts).then((vs) => vs.map((vector, i) => ({ chunkId: `k:${i}`, vector }))));
    const changes = () => app.db.prepare('SELECT total_changes()').pluck().get() as number;
    const before = changes();
    const r = await app.warmUp!();
    assert.equal(r.error, undefined);
    assert.equal(r.questions, 3);
    assert.equal(changes(), before, 'no row written: no usage, history, cache or job');
  } finally {
    await env.cleanup();
  }
});
