/**
 * Embedding throughput of the bundled encoder on real chunks (no cache): chunks/s with 1 and 2 worker
 * threads, and process RSS with the workers loaded and after embedding. Each worker count runs in its
 * own child process so memory figures do not leak from one run into the next. Prints JSON.
 * Usage: npx tsc -p . && node dist/bench/embed-throughput.js [chunks=160] [batchSize=8]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalEmbedder } from '../src/adapters/embedded/local-embedder.js';
import { UnpdfPdfReader } from '../src/adapters/embedded/unpdf-pdf-reader.js';
import { chunkPages, embeddingText } from '../src/core/ingest/chunker.js';
import { evalManualsDir } from '../test/helpers/eval-manuals.js';

const n = Number(process.argv[2]) || 160;
const batchSize = Number(process.argv[3]) || 8;
const mb = (bytes: number) => Math.round(bytes / 1048576);

async function run(workers: number) {
  const { pages } = await new UnpdfPdfReader().read(new Uint8Array(readFileSync(join(evalManualsDir(), 'gpredict-user-manual.pdf'))));
  const texts = chunkPages(pages, { manualId: 'bench', ownerId: 'bench' })
    .map(embeddingText)
    .slice(0, n);
  const before = mb(process.memoryUsage().rss);
  let t0 = Date.now();
  const embedder = await LocalEmbedder.create({ workers, batchSize });
  const startMs = Date.now() - t0;
  const loaded = mb(process.memoryUsage().rss);
  t0 = Date.now();
  await embedder.embed(texts);
  const s = (Date.now() - t0) / 1000;
  const result = { workers, batch_size: batchSize, chunks: texts.length, start_ms: startMs, chunks_per_s: +(texts.length / s).toFixed(1), rss_mb_before: before, rss_mb_loaded: loaded, rss_mb_after: mb(process.memoryUsage().rss) };
  await embedder.close();
  return result;
}

if (process.env.EMBED_BENCH_WORKERS) {
  console.log(JSON.stringify(await run(Number(process.env.EMBED_BENCH_WORKERS))));
} else {
  const self = fileURLToPath(import.meta.url);
  const runs = [1, 2].map((w) => JSON.parse(execFileSync(process.execPath, [self, String(n), String(batchSize)], { env: { ...process.env, EMBED_BENCH_WORKERS: String(w) } }).toString()));
  console.log(JSON.stringify({ runs }, null, 2));
}
