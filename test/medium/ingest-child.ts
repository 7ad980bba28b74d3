/**
 * Child process for the kill -9 test: submits a manual and ingests it with a slow embedder, so the
 * parent can SIGKILL it mid-job. Prints {"jobId","manualId"} once the job is enqueued.
 * Usage: node ingest-child.js <dataDir> <pdfPath> [parametersJson]
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { submitManual } from '../../src/core/ingest/submit-manual.js';
import { FakeEmbedder } from '../helpers/fakes.js';
import { embeddedApp } from './embedded-app.js';

const [dataDir, pdfPath, parameters] = process.argv.slice(2);
const slow = new FakeEmbedder();
slow.delayMs = 400;
// A long lease: resuming must not depend on it running out, the restart notices the dead worker.
const { app } = await embeddedApp({ dataDir: dataDir!, embedder: slow, worker: { leaseMs: 120_000 }, parameters: JSON.parse(parameters ?? '{}') });
const { job, manual } = await submitManual(app, { ownerId: 'alice', fileName: basename(pdfPath!), data: readFileSync(pdfPath!), source: 'upload' });
process.stdout.write(`${JSON.stringify({ jobId: job.id, manualId: manual.id })}\n`);
setInterval(() => {}, 1 << 30);
