import assert from 'node:assert/strict';
import { it } from 'node:test';
import { LocalEmbedder } from '../adapters/embedded/local-embedder.js';
import { createPrimaryEmbedder } from './embedded-primary.js';

it("a cluster's embedder has every EmbeddingWorkers thread loaded before the first question, and none when it is 0", async () => {
  assert.equal(await createPrimaryEmbedder(0, () => {}), null);
  const embedder = await createPrimaryEmbedder(2, (m) => assert.fail(m));
  try {
    assert.ok(embedder instanceof LocalEmbedder);
    assert.equal(embedder.workers, 2, 'both threads loaded at start, not on the first burst of questions');
    const [v] = await embedder.embed(['How do I reset the UPS?']);
    assert.equal(v!.length, 512);
    assert.equal(embedder.workers, 2);
  } finally {
    await (embedder as LocalEmbedder).close();
  }
});
