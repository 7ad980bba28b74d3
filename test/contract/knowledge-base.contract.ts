import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Chunk } from '../../src/core/model/types.js';
import type { KnowledgeBase } from '../../src/core/ports/knowledge-base.js';

export interface KbCapabilities {
  /** Ranks by vectors when a query carries one. */
  vectors: boolean;
  vocabulary: boolean;
}

const chunk = (manualId: string, ownerId: string, page: number, i: number, text: string, heading: string | null = null): Chunk => ({
  id: `${manualId}:${page}:${i}`,
  manualId,
  ownerId,
  pageNumber: page,
  pageLabel: String(page),
  heading,
  text,
  ordinal: page * 10 + i,
});

function unit(values: number[]): Float32Array {
  const n = Math.hypot(...values);
  return Float32Array.from(values, (x) => x / n);
}

export function knowledgeBaseContract(name: string, make: () => { kb: KnowledgeBase; cleanup?: () => void }, can: KbCapabilities): void {
  describe(`KnowledgeBase contract: ${name}`, () => {
    let kb: KnowledgeBase;
    let cleanup: (() => void) | undefined;
    beforeEach(async () => {
      ({ kb, cleanup } = make());
      await kb.indexChunks('ma', 'alice', 'Router A', [
        chunk('ma', 'alice', 1, 0, 'Forward UDP ports 3478 and 49152-50175 on your router for the TURN server.', '5.3 Port Forwarding'),
        chunk('ma', 'alice', 2, 0, 'Press the reset button for ten seconds to restore factory settings.'),
      ]);
      await kb.indexChunks('mb', 'bob', 'Router B', [
        chunk('mb', 'bob', 7, 0, 'Bob: press the reset button twice to reboot the router.'),
        chunk('mb', 'bob', 8, 0, 'Forward UDP ports 3478 on the router as well.'),
      ]);
      await kb.indexChunks('ms', 'shared', 'Library', [chunk('ms', 'shared', 3, 0, 'The shared library explains the reset button in general.')]);
    });
    afterEach(() => cleanup?.());

    const search = (text: string, owners: string[], extra: { manualIds?: string[]; vector?: Float32Array; limit?: number } = {}) =>
      kb.search({ text, owners, limit: extra.limit ?? 10, ...(extra.manualIds ? { manualIds: extra.manualIds } : {}), vector: extra.vector ?? null });

    it('finds chunks by keyword with manual name, page and label, best first', async () => {
      const hits = await search('Which UDP ports for the TURN server?', ['alice']);
      assert.ok(hits.length >= 1);
      assert.equal(hits[0]!.chunk.id, 'ma:1:0');
      assert.equal(hits[0]!.manualName, 'Router A');
      assert.equal(hits[0]!.chunk.pageNumber, 1);
      assert.equal(hits[0]!.chunk.pageLabel, '1');
      for (const h of hits) assert.ok(h.score >= 0 && h.score <= 1);
      const range = await search('49152-50175', ['alice']);
      assert.equal(range[0]?.chunk.id, 'ma:1:0');
    });

    it('never returns chunks of an owner the caller cannot see', async () => {
      for (const q of ['reset button router', 'Forward UDP ports 3478', 'Bob reboot twice']) {
        const hits = await search(q, ['alice', 'shared']);
        assert.ok(hits.every((h) => ['alice', 'shared'].includes(h.chunk.ownerId)), q);
        const v = can.vectors ? await search('', ['alice'], { vector: unit([1, 0, 0]) }) : [];
        assert.ok(v.every((h) => h.chunk.ownerId === 'alice'));
      }
      assert.deepEqual(await search('reset button', []), []);
      assert.deepEqual(
        (await search('reset button', ['alice', 'shared'])).map((h) => h.chunk.manualId).sort(),
        ['ma', 'ms'],
      );
      // Naming another owner's manual does not widen the search.
      assert.deepEqual(await search('reset button', ['alice'], { manualIds: ['mb'] }), []);
      assert.deepEqual(
        (await search('reset button', ['alice', 'shared'], { manualIds: ['ms'] })).map((h) => h.chunk.id),
        ['ms:3:0'],
      );
    });

    it("ranks an owner's chunks with that owner's statistics: another account's uploads do not move them", async () => {
      await kb.indexChunks('mc', 'carol', 'Carol', [
        chunk('mc', 'carol', 1, 0, 'The alpha setting and the alpha mode: alpha.'),
        chunk('mc', 'carol', 2, 0, 'The beta setting of the widget.'),
        chunk('mc', 'carol', 3, 0, 'The gamma setting of the widget.'),
      ]);
      const ranking = async () => (await search('alpha beta', ['carol'])).map((h) => [h.chunk.id, h.score] as const);
      const before = await ranking();
      // In Carol's manual, "alpha" and "beta" are each in one chunk of three: the chunk saying alpha three times leads.
      assert.deepEqual(
        before.map(([id]) => id),
        ['mc:1:0', 'mc:2:0'],
      );
      // Dave's manuals say "alpha" everywhere: over the whole index "alpha" becomes a common word and "beta" a rare one.
      await kb.indexChunks(
        'md',
        'dave',
        'Dave',
        Array.from({ length: 30 }, (_, i) => chunk('md', 'dave', i + 1, 0, `Alpha release notes, alpha channel ${i}.`)),
      );
      assert.deepEqual(await ranking(), before);
      assert.equal((await search('alpha beta', ['dave']))[0]?.chunk.ownerId, 'dave');
    });

    it('treats query syntax as plain words', async () => {
      for (const q of ['"reset', 'reset AND OR NOT', 'NEAR(reset button)', 'reset*', "what's the -- port?", '(', '***', '']) {
        const hits = await search(q, ['alice']);
        assert.ok(Array.isArray(hits), q);
      }
    });

    it('replaces the chunks of a manual on re-index and tracks missing vectors', async () => {
      assert.deepEqual((await kb.chunksWithoutVectors('ma', 10)).map((c) => c.id), ['ma:1:0', 'ma:2:0']);
      await kb.putVectors([{ chunkId: 'ma:1:0', vector: unit([1, 0, 0]) }, { chunkId: 'nope:1:0', vector: unit([0, 1, 0]) }]);
      assert.deepEqual((await kb.chunksWithoutVectors('ma', 10)).map((c) => c.id), ['ma:2:0']);
      assert.equal((await kb.chunksWithoutVectors('ma', 1)).length, 1);
      await kb.indexChunks('ma', 'alice', 'Router A', [chunk('ma', 'alice', 4, 0, 'Completely new text about antennas.')]);
      assert.deepEqual((await search('reset button', ['alice'])).map((h) => h.chunk.id), []);
      assert.deepEqual((await search('antennas', ['alice'])).map((h) => h.chunk.id), ['ma:4:0']);
      assert.deepEqual((await kb.chunksWithoutVectors('ma', 10)).map((c) => c.id), ['ma:4:0']);
    });

    it('deletes a manual with counts and leaves the others', async () => {
      await kb.putVectors([{ chunkId: 'ma:2:0', vector: unit([0, 1, 0]) }]);
      assert.deepEqual(await kb.deleteManual('ma'), { chunks: 2, vectors: 1 });
      assert.deepEqual(await kb.deleteManual('ma'), { chunks: 0, vectors: 0 });
      assert.deepEqual(await search('reset button', ['alice']), []);
      assert.equal((await search('reset button', ['bob'])).length, 1);
    });

    if (can.vectors) {
      it('ranks by cosine similarity when the query carries a vector', async () => {
        await kb.putVectors([
          { chunkId: 'ma:1:0', vector: unit([1, 0, 0]) },
          { chunkId: 'ma:2:0', vector: unit([0.6, 0.8, 0]) },
          { chunkId: 'mb:7:0', vector: unit([1, 0, 0]) },
        ]);
        const hits = await search('', ['alice', 'shared'], { vector: unit([0, 1, 0]) });
        assert.deepEqual(hits.map((h) => h.chunk.id), ['ma:2:0', 'ma:1:0']);
        assert.ok(Math.abs(hits[0]!.score - 0.8) < 1e-5);
        // Vectors put after a search are seen by the next one (no stale cache).
        await kb.putVectors([{ chunkId: 'ms:3:0', vector: unit([0, 1, 0]) }]);
        const again = await search('', ['alice', 'shared'], { vector: unit([0, 1, 0]), limit: 1 });
        assert.deepEqual(again.map((h) => h.chunk.id), ['ms:3:0']);
        await kb.deleteManual('ms');
        assert.deepEqual((await search('', ['alice', 'shared'], { vector: unit([0, 1, 0]), limit: 1 })).map((h) => h.chunk.id), ['ma:2:0']);
      });
    }

    if (can.vocabulary) {
      it('lists distinctive terms of the visible manuals only', async () => {
        const vocab = await kb.vocabulary!(['alice'], 50);
        const lower = vocab.map((v) => v.toLowerCase());
        assert.ok(lower.includes('reset') || lower.includes('forward') || lower.includes('udp'), vocab.join(','));
        assert.ok(!lower.includes('bob'));
        assert.ok(!lower.includes('the'));
        assert.ok((await kb.vocabulary!(['alice'], 2)).length <= 2);
      });
    }
  });
}
