import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeWorld, samplePdf } from '../../../test/helpers/ingest-fixtures.js';
import { fakePdf } from '../../../test/helpers/fakes.js';
import { ManuelError } from '../errors.js';
import { ingestManual, PERMANENT_INGEST_ERRORS, type IngestProgress } from './ingest-manual.js';
import { submitManual } from './submit-manual.js';

const isCode = (code: string) => (e: unknown) => e instanceof ManuelError && e.code === code;

async function submitted(data = samplePdf()) {
  const w = fakeWorld();
  const { manual, job } = await submitManual(w, { ownerId: 'alice', fileName: 'a.pdf', data, source: 'upload' });
  return { w, manual, job };
}

describe('ingestManual', () => {
  it('extracts, chunks, indexes and embeds, reporting stages and statistics', async () => {
    const { w, manual, job } = await submitted(samplePdf('a', 4));
    const seen: IngestProgress[] = [];
    const stats = await ingestManual(w, job, (p) => void seen.push(p), { embedBatch: 5 });
    const m = await w.manuals.get(manual.id, ['alice']);
    assert.equal(m?.status, 'completed');
    assert.equal(m?.pages, 4);
    assert.ok(m!.chunks >= 4, `chunks ${m?.chunks}`);
    assert.equal(m?.embeddedChunks, m?.chunks);
    assert.equal(w.kb.chunks.size, m?.chunks);
    assert.equal(w.kb.vectors.size, m?.chunks);
    assert.deepEqual(Object.keys(stats).sort(), ['chunks', 'embed_ms', 'embedded_chunks', 'extract_ms', 'index_ms', 'inflated_bytes', 'inspect_ms', 'pages', 'pdf_objects', 'pdf_streams']);
    assert.equal(stats.embedded_chunks, m?.chunks);
    assert.deepEqual([...new Set(seen.map((p) => p.stage))], ['extracting', 'indexing', 'embedding']);
    assert.ok(w.embedder && (w.embedder as { calls: number[] }).calls.every((n) => n <= 5), 'batched');
    // Searchable by keyword through the index, with pages kept.
    const hits = await w.kb.search({ text: 'antenna cover', owners: ['alice'], limit: 3 });
    assert.ok(hits.length > 0 && hits.every((h) => h.chunk.pageNumber >= 1 && h.chunk.pageNumber <= 4));
  });

  it('without an embedder the manual completes keyword-only', async () => {
    const { w, manual, job } = await submitted();
    w.embedder = null;
    const stats = await ingestManual(w, job, () => {});
    const m = await w.manuals.get(manual.id, ['alice']);
    assert.equal(m?.status, 'completed');
    assert.equal(m?.embeddedChunks, 0);
    assert.equal(stats.embedded_chunks, 0);
    assert.equal(w.kb.vectors.size, 0);
  });

  it('quarantines a PDF with active content, and still indexes its text', async () => {
    const { w, manual, job } = await submitted(fakePdf(['Press reset to restore the router'], { keywords: { JavaScript: 1, OpenAction: 1 } }));
    await ingestManual(w, job, () => {});
    const m = await w.manuals.get(manual.id, ['alice']);
    assert.equal(m?.status, 'completed');
    assert.match(m?.quarantineReason ?? '', /JavaScript.*\/OpenAction/);
    assert.equal(m?.quarantineReleasedAt, null);
    assert.ok(w.kb.chunks.size > 0, 'text is searchable: it is ours, no script runs');
  });

  it('does not quarantine a plain manual, nor one whose only action is /OpenAction', async () => {
    const { w, manual, job } = await submitted(fakePdf(['Press reset to restore the router'], { keywords: { OpenAction: 1 } }));
    await ingestManual(w, job, () => {});
    assert.equal((await w.manuals.get(manual.id, ['alice']))?.quarantineReason, null);
  });

  it('keeps a released manual released when its job runs again', async () => {
    const { w, manual, job } = await submitted(fakePdf(['Press reset to restore the router'], { keywords: { JS: 1 } }));
    await w.manuals.update(manual.id, { quarantineReason: 'The PDF contains JavaScript', quarantineReleasedAt: '2025-01-01T00:00:00.000Z' });
    await ingestManual(w, job, () => {});
    assert.equal((await w.manuals.get(manual.id, ['alice']))?.quarantineReleasedAt, '2025-01-01T00:00:00.000Z');
  });

  it('rejects a bomb before the reader ever sees it (pdf_bomb, a permanent failure)', async () => {
    const { w, job } = await submitted(fakePdf(['x'], { bomb: 'decompression' }));
    const reads = w.pdfReader.reads;
    await assert.rejects(ingestManual(w, job, () => {}), isCode('pdf_bomb'));
    assert.equal(w.pdfReader.reads, reads);
    assert.ok(PERMANENT_INGEST_ERRORS.has('pdf_bomb'));
  });

  it('throws invalid_pdf, encrypted_pdf and no_text from the reader and the text', async () => {
    for (const [data, code] of [
      [Buffer.from('%PDF-1.7\n{broken'), 'invalid_pdf'],
      [fakePdf(['secret'], { encrypted: true }), 'encrypted_pdf'],
      [fakePdf(['', '  \n ', '']), 'no_text'],
    ] as const) {
      const { w, job } = await submitted(data);
      await assert.rejects(ingestManual(w, job, () => {}), isCode(code));
      assert.equal(w.kb.chunks.size, 0);
    }
  });

  it('running again after a crash mid-embedding only embeds what is missing', async () => {
    const { w, manual, job } = await submitted(samplePdf('a', 6));
    const embedder = w.embedder as unknown as { calls: number[]; failOnCall: number };
    embedder.failOnCall = 2;
    await assert.rejects(ingestManual(w, job, () => {}, { embedBatch: 4 }), /embedder crashed/);
    const chunks = (await w.manuals.get(manual.id, ['alice']))!.chunks;
    assert.equal(w.kb.vectors.size, 4, 'the first batch was stored');
    embedder.failOnCall = 0;
    embedder.calls = [];
    await ingestManual(w, job, () => {}, { embedBatch: 4 });
    assert.equal(embedder.calls.reduce((a, b) => a + b, 0), chunks - 4);
    assert.equal(w.kb.chunks.size, chunks, 'no duplicate chunks');
    assert.equal((await w.manuals.get(manual.id, ['alice']))?.embeddedChunks, chunks);
  });

  it('a manual deleted during ingestion leaves nothing in the index', async () => {
    const { w, manual, job } = await submitted();
    await assert.rejects(
      ingestManual(w, job, async (p) => {
        if (p.stage === 'indexing') await w.manuals.delete(manual.id);
      }),
      isCode('not_found'),
    );
    assert.equal(w.kb.chunks.size, 0);
  });
});
