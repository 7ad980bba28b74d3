/**
 * Embedding throughput of the bundled encoder on real chunks (no cache): chunks/s with 1 and 2 worker
 * threads, and the process RSS with the workers loaded. Prints JSON.
 * Usage: npx tsc -p . && node dist/bench/embed-throughput.js [chunks=160]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalEmbedder } from '../src/adapters/embedded/local-embedder.js';
import { UnpdfPdfReader } from '../src/adapters/embedded/unpdf-pdf-reader.js';
import { chunkPages, embeddingText } from '../src/core/ingest/chunker.js';
import { evalManualsDir } from '../test/helpers/eval-manuals.js';

const n = Number(process.argv[2]) || 160;
const mb = (bytes: number) => Math.round(bytes / 1048576);

const { pages } = await new UnpdfPdfReader().read(new Uint8Array(readFileSync(join(evalManualsDir(), 'gpredict-user-manual.pdf'))));
const texts = chunkPages(pages, { manualId: 'bench', ownerId: 'bench' })
  .map(embeddingText)
  .slice(0, n);
const baseline = mb(process.memoryUsage().rss);
const runs = [];
for (const workers of [1, 2]) {
  let t0 = Date.now();
  const embedder = await LocalEmbedder.create({ workers });
  const startMs = Date.now() - t0;
  const rssLoaded = mb(process.memoryUsage().rss);
  t0 = Date.now();
  await embedder.embed(texts);
  const s = (Date.now() - t0) / 1000;
  runs.push({ workers, chunks: texts.length, start_ms: startMs, chunks_per_s: +(texts.length / s).toFixed(1), rss_mb_loaded: rssLoaded, rss_mb_after: mb(process.memoryUsage().rss) });
  await embedder.close();
}
console.log(JSON.stringify({ rss_mb_before_workers: baseline, avg_words: Math.round(texts.reduce((a, t) => a + t.split(/\s+/).length, 0) / texts.length), runs }, null, 2));
