import assert from 'node:assert/strict';
import { it } from 'node:test';
import { openDatabase } from '../../src/adapters/embedded/sqlite-db.js';
import { SqliteDeadLetterQueue } from '../../src/adapters/embedded/sqlite-dead-letter-queue.js';
import { deadLetterQueueContract, sampleLetter } from './dead-letter-queue.contract.js';
import { tempDb } from './sqlite-temp.js';

deadLetterQueueContract('SqliteDeadLetterQueue', () => {
  const t = tempDb();
  return { dlq: new SqliteDeadLetterQueue(t.db), cleanup: t.cleanup };
});

it('SqliteDeadLetterQueue: letters survive a restart, and two connections to one file keep one letter per manual', async () => {
  const t = tempDb();
  const other = openDatabase(t.file);
  try {
    const a = new SqliteDeadLetterQueue(t.db);
    const b = new SqliteDeadLetterQueue(other);
    await Promise.all([a.add(sampleLetter('j1', { manualId: 'm' })), b.add(sampleLetter('j2', { manualId: 'm' }))]);
    assert.equal(await a.size(), 1);
    t.db.close();
    const reopened = new SqliteDeadLetterQueue(openDatabase(t.file));
    assert.equal((await reopened.list())[0]?.manualId, 'm');
  } finally {
    other.close();
    t.cleanup();
  }
});

it('SqliteDeadLetterQueue: a long error is kept to 2000 characters', async () => {
  const t = tempDb();
  try {
    const l = await new SqliteDeadLetterQueue(t.db).add(sampleLetter('j', { error: 'x'.repeat(5000) }));
    assert.equal(l.error.length, 2000);
  } finally {
    t.cleanup();
  }
});
