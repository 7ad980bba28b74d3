import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DynamoDbJobQueue } from '../../src/adapters/aws/dynamodb-job-queue.js';
import { openDatabase } from '../../src/adapters/embedded/sqlite-db.js';
import { SqliteJobQueue } from '../../src/adapters/embedded/sqlite-job-queue.js';
import { InMemoryJobQueue } from '../helpers/fakes.js';
import { jobQueueContract, sampleJob } from './job-queue.contract.js';
import { onDynamo } from './dynamodb-contract-tables.js';
import { tempDb } from './sqlite-temp.js';

jobQueueContract('SqliteJobQueue', (clock) => {
  const t = tempDb();
  return { queue: new SqliteJobQueue(t.db, clock), cleanup: t.cleanup };
});
jobQueueContract('InMemoryJobQueue (fake)', (clock) => ({ queue: new InMemoryJobQueue(clock) }));
for (const emulator of ['dynalite', 'moto'] as const) {
  onDynamo(emulator, (s) => jobQueueContract(`DynamoDbJobQueue (${emulator})`, (clock) => ({ queue: new DynamoDbJobQueue(s.doc, s.table, clock) })));
}

it('SqliteJobQueue: two connections to one file never claim the same job', async () => {
  const t = tempDb();
  const other = openDatabase(t.file);
  try {
    const q1 = new SqliteJobQueue(t.db);
    const q2 = new SqliteJobQueue(other);
    for (let i = 0; i < 50; i++) await q1.enqueue(sampleJob(`j${String(i).padStart(2, '0')}`));
    const seen: string[] = [];
    for (let i = 0; i < 30; i++) {
      for (const q of [q1, q2]) {
        const j = await q.claim(`w${i}`, 60_000);
        if (j) seen.push(j.id);
      }
    }
    assert.equal(seen.length, 50);
    assert.equal(new Set(seen).size, 50);
  } finally {
    other.close();
    t.cleanup();
  }
});

it('SqliteJobQueue: jobs survive closing and reopening the database', async () => {
  const t = tempDb();
  await new SqliteJobQueue(t.db).enqueue(sampleJob('durable'));
  t.db.close();
  const db = openDatabase(t.file);
  try {
    const j = await new SqliteJobQueue(db).claim('w', 1000);
    assert.equal(j?.id, 'durable');
  } finally {
    db.close();
    t.cleanup();
  }
});

it('SqliteJobQueue: tells its listeners after every enqueue (what wakes the worker)', async () => {
  const t = tempDb();
  try {
    const q = new SqliteJobQueue(t.db);
    let woken = 0;
    q.onEnqueue(() => woken++);
    await q.enqueue(sampleJob('a'));
    await q.enqueue(sampleJob('b'));
    assert.equal(woken, 2);
    await assert.rejects(q.enqueue(sampleJob('a')), 'a duplicate id is refused');
    assert.equal(woken, 2, 'no wake-up for a job that was not stored');
    await q.claim('w', 1000);
    await q.fail('a', ['invalid_pdf: x']);
    await q.requeue('a');
    assert.equal(woken, 3, 'a requeue (DLQ retry) wakes the worker too');
  } finally {
    t.cleanup();
  }
});
