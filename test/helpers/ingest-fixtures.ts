/** Wiring of the in-memory fakes for use-case unit tests (submit, ingest, worker, manage, bootstrap). */
import { SHARED_OWNER } from '../../src/core/model/types.js';
import { FakeEmbedder, FakeKnowledgeBase, FakePdfInspector, FakePdfReader, InMemoryBlobStore, InMemoryJobQueue, InMemoryManualRepo, ManualClock, MemoryLogger, fakePdf } from './fakes.js';

export function fakeWorld() {
  const clock = new ManualClock();
  return {
    clock,
    manuals: new InMemoryManualRepo(),
    jobs: new InMemoryJobQueue({ now: () => new Date() }),
    blobs: new InMemoryBlobStore(),
    kb: new FakeKnowledgeBase(),
    pdfReader: new FakePdfReader(),
    inspector: new FakePdfInspector(),
    embedder: new FakeEmbedder() as FakeEmbedder | null,
    logger: new MemoryLogger(),
  };
}

const TOPICS = ['router', 'antenna', 'battery', 'firmware', 'display', 'sensor', 'speaker', 'printer', 'camera', 'charger', 'keyboard', 'modem'];
const ACTIONS = ['press', 'rotate', 'unplug', 'clean', 'check', 'replace', 'tighten', 'inspect'];

/**
 * Pages of manual-like prose, each about its own topic (the chunker drops lines that repeat on
 * many pages as running headers, so identical pages would come out empty).
 */
export function manualPages(n = 3, sentences = 12): string[] {
  return Array.from({ length: n }, (_, p) => {
    const topic = TOPICS[p % TOPICS.length]!;
    const lines = Array.from({ length: sentences }, (_, i) => {
      const action = ACTIONS[(i + p) % ACTIONS.length]!;
      return `To ${action} the ${topic} unit ${p}-${i}, ${action} the ${topic} cover gently and wait ${i + p + 2} seconds before the ${topic} light turns green.`;
    });
    return [`Caring for the ${topic}`, '', ...lines].join('\n');
  });
}

export const samplePdf = (seed = 'a', pages = 3) => fakePdf(manualPages(pages).map((t) => `${t} (${seed})`));
export { SHARED_OWNER };
