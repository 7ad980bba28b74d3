import { it } from 'node:test';
import assert from 'node:assert/strict';
import { PromMetrics } from './prom-metrics.js';

it('counts by label set and sums over the labels not asked for', async () => {
  const m = new PromMetrics();
  m.count('waf_blocks_total', { rule: 'a' });
  m.count('waf_blocks_total', { rule: 'a' });
  m.count('waf_blocks_total', { rule: 'b' }, 3);
  assert.equal(await m.value('waf_blocks_total', { rule: 'a' }), 2);
  assert.equal(await m.value('waf_blocks_total'), 5);
  assert.equal(await m.value('never_counted'), 0);
  m.observe('request_seconds', 0.2, { route: '/x' });
  const text = await m.text();
  assert.match(text, /manuel_waf_blocks_total\{rule="b"\} 3/);
  assert.match(text, /manuel_request_seconds_bucket/);
});

it('reads gauges at scrape time only; a failing or empty reader exports nothing rather than failing the scrape', async () => {
  const m = new PromMetrics();
  let depth = 3;
  let reads = 0;
  m.gauge('queue_depth', 'jobs waiting', () => (reads++, depth));
  m.gauge('breaker_state', 'state', async () => [{ labels: { service: 'answer' }, value: 1 }], ['service']);
  m.gauge('broken', 'always fails', async () => Promise.reject(new Error('db locked')), ['x']);
  m.gauge('absent', 'no DLQ', () => [], ['queue']);
  assert.equal(reads, 0);
  let text = (await m.scrape()).body;
  assert.match(text, /^manuel_queue_depth 3$/m);
  assert.match(text, /^manuel_breaker_state\{service="answer"\} 1$/m);
  assert.doesNotMatch(text, /^manuel_broken\{/m);
  assert.doesNotMatch(text, /^manuel_absent\{/m);
  depth = 7;
  m.gauge('queue_depth', 'jobs waiting', () => depth * 2); // registered again: the new reader wins
  text = (await m.scrape()).body;
  assert.match(text, /^manuel_queue_depth 14$/m);
  assert.match((await m.scrape()).contentType, /^text\/plain; version=0\.0\.4/);
});

it('passes every count to its listener', () => {
  const m = new PromMetrics();
  const seen: string[] = [];
  m.onCount((name, labels, n) => seen.push(`${name}:${JSON.stringify(labels)}:${n}`));
  m.count('answers_total', { cache_status: 'hit' });
  assert.deepEqual(seen, ['answers_total:{"cache_status":"hit"}:1']);
});
