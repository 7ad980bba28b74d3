import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { it } from 'node:test';
import { embeddingThreadsPerWorker, workerCount } from './cluster.js';

it('one process in the minimal profile, one per core with EnablePerformanceOptimization, unless told', () => {
  assert.equal(workerCount({ EnablePerformanceOptimization: false }), 1);
  assert.equal(workerCount({ EnablePerformanceOptimization: true }), availableParallelism());
  assert.equal(workerCount({ EnablePerformanceOptimization: false }, '3'), 3);
  assert.equal(workerCount({ EnablePerformanceOptimization: true }, 1), 1);
  assert.equal(workerCount({ EnablePerformanceOptimization: false }, ''), 1, 'an empty MANUEL_WORKERS is no setting');
});

it('divides the embedding threads among the workers instead of multiplying them, at least one each', () => {
  assert.equal(embeddingThreadsPerWorker(2, 2), 1);
  assert.equal(embeddingThreadsPerWorker(4, 2), 2);
  assert.equal(embeddingThreadsPerWorker(2, 8), 1);
  assert.equal(embeddingThreadsPerWorker(0, 4), 0, 'keyword search only stays so');
});
