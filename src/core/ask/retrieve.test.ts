import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Chunk, SearchHit } from '../model/types.js';
import type { Embedder } from '../ports/embedder.js';
import type { KnowledgeBase, SearchQuery } from '../ports/knowledge-base.js';
import { queryTerms, words } from './query-terms.js';
import { DEFAULT_TUNING, joinedPairs, retrieve } from './retrieve.js';
import { stem } from './term-match.js';

const chunk = (id: string, page: number, text: string, manualId = 'm1'): Chunk => ({
  id,
  manualId,
  ownerId: 'u1',
  pageNumber: page,
  pageLabel: null,
  heading: null,
  text,
  ordinal: page,
});

/** A knowledge base whose two legs return fixed rankings, recording the queries it received. */
class ScriptedKb implements KnowledgeBase {
  queries: SearchQuery[] = [];
  constructor(
    private readonly keyword: Chunk[],
    private readonly dense: Chunk[],
  ) {}
  async search(q: SearchQuery): Promise<SearchHit[]> {
    this.queries.push(q);
    const list = q.vector ? this.dense : q.text ? this.keyword : [];
    return list.map((c, i) => ({ chunk: c, manualName: 'Manual', score: q.vector ? 0.6 - i * 0.05 : 1 - i * 0.1 }));
  }
  async indexChunks() {}
  async putVectors() {}
  async chunksWithoutVectors() {
    return [];
  }
  async deleteManual() {
    return { chunks: 0, vectors: 0 };
  }
}

const embedder = (fail = false): Embedder => ({
  dimensions: 2,
  modelId: 'test',
  embed: async (texts) => {
    if (fail) throw new Error('worker died');
    return texts.map(() => Float32Array.from([1, 0]));
  },
});

describe('retrieve', () => {
  const port = chunk('a', 47, 'Forward UDP ports 3478 and 5349 for the TURN server.');
  const reset = chunk('b', 12, 'Hold the reset button to restore the defaults.');
  const vague = chunk('c', 90, 'Network settings overview.');

  it('keeps a strong keyword hit above a middling vector hit and boosts chunks found by both legs', async () => {
    const kb = new ScriptedKb([port, reset], [vague, reset, port]);
    const hits = await retrieve({ kb, embedder: embedder() }, { question: 'Which ports does the TURN server need?', owners: ['u1'], limit: 5 });
    assert.deepEqual(
      hits.map((h) => h.chunk.id),
      ['a', 'b', 'c'],
    );
    // Keyword, vector, and the feedback query (the question plus the passages' own terms).
    assert.equal(kb.queries.length, 3);
    assert.match(kb.queries[2]!.text, /^Which ports does the TURN server need\? /);
    assert.ok(kb.queries.every((q) => q.owners.length === 1 && q.owners[0] === 'u1'));
  });

  it('returns one passage per page', async () => {
    const same = chunk('a2', 47, 'More about ports on the same page.');
    const kb = new ScriptedKb([port, same, reset], []);
    const hits = await retrieve({ kb, embedder: null }, { question: 'ports', owners: ['u1'], limit: 5 });
    assert.deepEqual(
      hits.map((h) => h.chunk.id),
      ['a', 'b'],
    );
  });

  it('falls back to keywords when there is no embedder or it fails, and passes the manual filter', async () => {
    for (const e of [null, embedder(true)]) {
      const kb = new ScriptedKb([reset], [vague]);
      const hits = await retrieve({ kb, embedder: e }, { question: 'reset button', owners: ['u1', 'shared'], manualIds: ['m1'], limit: 5 });
      assert.deepEqual(
        hits.map((h) => h.chunk.id),
        ['b'],
      );
      assert.deepEqual(kb.queries[0]!.manualIds, ['m1']);
    }
  });

  it('scores evidence on an absolute scale', async () => {
    const kb = new ScriptedKb([reset], []);
    const [hit] = await retrieve({ kb, embedder: null }, { question: 'How do I restore the defaults with the reset button?', owners: ['u1'], limit: 5 });
    assert.equal(hit!.score, 1);
    const [weak] = await retrieve({ kb, embedder: null }, { question: 'reset the modem firmware over wifi', owners: ['u1'], limit: 5 });
    assert.ok(weak!.score < 0.34, String(weak!.score));
  });
});

/** A small keyword index over real text: a chunk matches the query terms it contains (BM25-like order). */
class WordKb implements KnowledgeBase {
  queries: SearchQuery[] = [];
  constructor(private readonly chunks: Chunk[]) {}
  private has(c: Chunk, term: string, prefix = false) {
    const ws = words(`${c.heading ?? ''} ${c.text}`).map(stem);
    const t = words(term).map(stem);
    if (prefix && t.length === 1 && t[0]!.length >= 4) return ws.some((w) => w.startsWith(t[0]!));
    return ws.some((_, i) => t.every((w, j) => ws[i + j] === w));
  }
  async search(q: SearchQuery): Promise<SearchHit[]> {
    this.queries.push(q);
    if (!q.text) return [];
    const terms = queryTerms(q.text).map((t) => t.words.join(' '));
    const has = (c: Chunk, t: string) => this.has(c, t, q.prefix);
    const idf = (t: string) => Math.log((this.chunks.length + 1) / (this.chunks.filter((c) => has(c, t)).length + 0.5));
    return this.chunks
      .map((c) => ({ c, s: terms.filter((t) => has(c, t)).reduce((a, t) => a + idf(t), 0) / Math.sqrt(c.text.split(/\s+/).length) }))
      .filter((x) => x.s > 0)
      .sort((a, b) => b.s - a.s)
      .slice(0, q.limit)
      .map(({ c, s }) => ({ chunk: c, manualName: 'Manual', score: s }));
  }
  async pageChunks(_owners: readonly string[], pages: { manualId: string; pageNumber: number }[]) {
    return this.chunks.filter((c) => pages.some((p) => p.manualId === c.manualId && p.pageNumber === c.pageNumber));
  }
  async documentFrequencies(_owners: readonly string[], terms: string[]) {
    return { total: this.chunks.length, df: Object.fromEntries(terms.map((t) => [t, this.chunks.filter((c) => this.has(c, t)).length])) };
  }
  async indexChunks() {}
  async putVectors() {}
  async chunksWithoutVectors() {
    return [];
  }
  async deleteManual() {
    return { chunks: 0, vectors: 0 };
  }
}

const on = (page: number, i: number, text: string): Chunk => ({ ...chunk(`p${page}c${i}`, page, text), id: `p${page}c${i}`, ordinal: page * 10 + i });

describe('retrieve: bridges to the manual\'s own terms', () => {
  it('feedback: a question in plain words also finds the passage that names the option by its keyword', async () => {
    // The option's own entry shares one word with the question; the chapter around it says more
    // with the question's words and names the option, so its keyword is fed back.
    const kb = new WordKb([
      on(10, 0, 'Routes stay in the kernel tables when BIRD stops only if the kernel protocol has the persist option.'),
      on(10, 1, 'The kernel protocol copies routes to the kernel tables when BIRD stops or starts, see persist below.'),
      on(20, 0, 'persist switch: leave all routes in the tables at exit, instead of cleaning them up.'),
      on(31, 0, 'Routes from a peer are dropped when the peer stops answering.'),
      on(32, 0, 'Static routes point to a gateway; if the gateway stops, its routes go.'),
      on(33, 0, 'Babel routes expire when a neighbour stops sending hellos.'),
      on(34, 0, 'The watchdog stops BIRD when one loop takes too long; routes are then withdrawn.'),
      on(35, 0, 'OSPF routes are recomputed when an area border router stops.'),
      on(36, 0, 'RIP routes time out when updates stop for 180 seconds.'),
    ]);
    const question = 'How do I keep the routes in place when BIRD stops?';
    const rank = async (feedbackWeight: number) => {
      const hits = await retrieve({ kb, embedder: null }, { question, owners: ['u1'], limit: 5 }, { ...DEFAULT_TUNING, feedbackWeight, contextWeight: 0 });
      return hits.findIndex((h) => h.chunk.pageNumber === 20);
    };
    assert.equal(await rank(0), -1, 'without feedback the option entry is not in the top 5');
    const withFeedback = await rank(0.6);
    assert.ok(withFeedback >= 0 && withFeedback < 5, `with feedback it is (rank ${withFeedback})`);
    const feedbackQuery = kb.queries.at(-1)!;
    assert.match(feedbackQuery.text, /^How do I keep the routes in place when BIRD stops\? .*persist/);
    assert.deepEqual(feedbackQuery.owners, ['u1']);
  });

  it('prefix leg: the user\'s short word finds the manual\'s longer one ("admin" -> "administrator")', async () => {
    const kb = new WordKb([
      on(3, 0, 'Keep a copy of the password file: back it up.'),
      on(4, 0, 'Password fields go back to empty after a reload.'),
      on(7, 0, 'The administrator password, if forgotten, is reset from the app page.'),
    ]);
    const question = 'I forgot the admin password. How do I get back in?';
    const rank = async (prefixWeight: number) =>
      (await retrieve({ kb, embedder: null }, { question, owners: ['u1'], limit: 5 }, { ...DEFAULT_TUNING, prefixWeight, feedbackWeight: 0, contextWeight: 0 })).findIndex(
        (h) => h.chunk.pageNumber === 7,
      );
    assert.equal(await rank(0), 2);
    assert.ok((await rank(1)) < 2);
    assert.ok(kb.queries.some((q) => q.prefix === true && q.owners[0] === 'u1'));
  });

  it('joined words: two words of the question the manual writes as one are searched its way ("log in" -> "login")', async () => {
    const kb = new WordKb([
      on(2, 0, 'After five wrong password attempts, login is blocked for ten minutes.'),
      on(3, 0, 'Type the password in the log window and wait.'),
    ]);
    const hits = await retrieve({ kb, embedder: null }, { question: 'Why can I not log in after typing a wrong password?', owners: ['u1'], limit: 5 });
    assert.equal(hits[0]!.chunk.pageNumber, 2);
    const keyword = kb.queries.find((q) => q.text && !q.prefix)!;
    assert.match(keyword.text, / login$/); // "login" is in the manual; "wrongpassword" and "typinga" are not
    assert.deepEqual(joinedPairs('Can I log in with a head phone set up?'), ['login', 'headphone', 'phoneset', 'setup']);
  });

  it('passage context: a page whose neighbouring chunks cover the question together outranks one chunk covering part of it', async () => {
    const kb = new WordKb([
      on(5, 0, 'Other computers cannot reach it by default.'),
      on(5, 1, 'Edit upsd.conf and add a LISTEN line for the data server.'),
      on(9, 0, 'Other computers on the network show the upsd.conf data server line status.'),
    ]);
    const question = 'Other computers on the network cannot reach the data server: which line do I add to upsd.conf?';
    const pages = async (contextWeight: number) =>
      (await retrieve({ kb, embedder: null }, { question, owners: ['u1'], limit: 5 }, { ...DEFAULT_TUNING, contextWeight, feedbackWeight: 0 })).map((h) => h.chunk.pageNumber);
    assert.equal((await pages(0))[0], 9);
    assert.equal((await pages(1))[0], 5);
  });
});
