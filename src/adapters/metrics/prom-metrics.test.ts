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
