/**
 * The aws shape's knowledge base (S3KnowledgeBase) on a local s3rver, for the in-process evaluation
 * (`node dist/bench/eval-cv.js --kb s3`), and what a cold Lambda container pays to load it: per
 * shard, its size, the GET, the decode (gunzip + JSON + vector copy) and the keyword index build,
 * and the heap the loaded shards hold (run node with --expose-gc for a steadier figure).
 */
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { TextIndex } from '../src/adapters/search/bm25-index.js';
import { forgetStems } from '../src/adapters/search/bm25-tokenizer.js';
import { decodeShard } from '../src/adapters/aws/kb-shard-codec.js';
import { S3KnowledgeBase } from '../src/adapters/aws/s3-knowledge-base.js';
import { startS3rver, type S3Emulator } from '../test/helpers/aws-emulators.js';

export async function s3KnowledgeBase(): Promise<{ kb: S3KnowledgeBase; s3: S3Emulator; bucket: string; close: () => Promise<void> }> {
  const s3 = await startS3rver();
  const bucket = await s3.bucket();
  return { kb: new S3KnowledgeBase(s3.client, bucket), s3, bucket, close: () => s3.close() };
}

const heap = () => {
  for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

/** Cold-load figures of every shard under the default prefix, then of a whole owner's first search. */
export async function measureShardLoad(s3: S3Emulator, bucket: string, owners: string[]): Promise<void> {
  const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'kb/owners/' }));
  for (const o of listed.Contents ?? []) {
    forgetStems();
    const t0 = performance.now();
    const res = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }));
    const bytes = await res.Body!.transformToByteArray();
    const t1 = performance.now();
    const record = decodeShard(bytes);
    const t2 = performance.now();
    const index = new TextIndex(record.chunks);
    const t3 = performance.now();
    console.log(
      `  shard ${o.Key!.padEnd(52)} ${(bytes.length / 1024).toFixed(0).padStart(6)} KiB  chunks=${String(record.chunks.length).padStart(5)} vectors=${String(record.vectorRow.filter((r) => r >= 0).length).padStart(5)}x${record.dims}  ` +
        `get=${(t1 - t0).toFixed(1)} ms decode=${(t2 - t1).toFixed(1)} ms index=${(t3 - t2).toFixed(1)} ms (${index.size} docs)`,
    );
  }
  const held: S3KnowledgeBase[] = [];
  for (const owner of owners) {
    forgetStems();
    const before = heap();
    const kb = new S3KnowledgeBase(s3.client, bucket);
    const t0 = performance.now();
    await kb.search({ text: 'reset the device', owners: [owner], limit: 10 });
    const cold = performance.now() - t0;
    const t1 = performance.now();
    await kb.search({ text: 'configure the network', owners: [owner], limit: 10 });
    const warm = performance.now() - t1;
    held.push(kb);
    const bytes = heap() - before;
    console.log(`  owner ${owner}: cold first search (list + get + decode + index) ${cold.toFixed(0)} ms, warm search ${warm.toFixed(1)} ms, memory held ${(bytes / 2 ** 20).toFixed(1)} MiB`);
  }
}
