import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usageLines } from './usage-view.js';

test('usage view: today, month, status, history and recent questions', () => {
  const usage = {
    daily: { count: 3, limit: 50, remaining: 47, cost_eur: 0.0125, operations: { query: 2, transcribe: 1 } },
    monthly: { count: 9, limit: 1000, remaining: 991, cost_eur: 0.04, operations: { query: 9 } },
    historical: [
      { date: '2025-03-09', daily_count: 1 },
      { date: '2025-03-10', daily_count: 3 },
    ],
    recent_queries: [{ question: 'How do I reset it?', at: '2025-03-10T09:15:00.000Z', response_time_ms: 40, voice: true }],
  };
  assert.deepEqual(usageLines(usage, { status: 'OK' }), [
    'Today      3 of 50 requests, 47 left, 0.0125 EUR (query 2, transcribe 1)',
    'This month 9 of 1000 requests, 991 left, 0.0400 EUR (query 9)',
    'Status     OK',
    '',
    'Last 2 days: 03-09 1 | 03-10 3',
    '',
    'Recent questions:',
    '  2025-03-10 09:15  "How do I reset it?" (spoken, 40 ms)',
  ]);
});

test('usage view falls back to a plain listing for another shape', () => {
  assert.deepEqual(usageLines({ used: 1 }, { left: 2 }), ['Usage', '  used: 1', '', 'Quota', '  left: 2']);
});
