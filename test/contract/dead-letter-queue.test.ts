import assert from 'node:assert/strict';
import { it } from 'node:test';
import { openDatabase } from '../../src/adapters/embedded/sqlite-db.js';
import { SqliteDeadLetterQueue } from '../../src/adapters/embedded/sqlite-dead-letter-queue.js';
import { DynamoDbDeadLetterQueue } from '../../src/adapters/aws/dynamodb-dead-letter-queue.js';
import { onDynaliteAndMoto } from './dynamodb-contract-tables.js';
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

// DynamoDB (the aws shape's errorTracking table): a fresh table per test.
const dynalite = onDynaliteAndMoto('DynamoDbDeadLetterQueue', (label, backend) =>
  deadLetterQueueContract(`DynamoDbDeadLetterQueue (${label})`, async () => {
    const d = backend();
    return { dlq: new DynamoDbDeadLetterQueue(d.doc, await d.freshTable('errorTracking')) };
  }),
);

it('DynamoDbDeadLetterQueue: two clients (Lambda instances) failing jobs of one manual at once keep one letter, found by either job', async () => {
  const d = dynalite();
  const table = await d.freshTable('errorTracking');
  const a = new DynamoDbDeadLetterQueue(d.doc, table);
  const b = new DynamoDbDeadLetterQueue(d.twinDoc(), table);
  const letters = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).add(sampleLetter(`j${i}`, { manualId: 'm' }))));
  assert.equal(new Set(letters.map((l) => l.id)).size, 1);
  assert.equal(await a.size(), 1);
  const [kept] = await b.list();
  assert.equal(await a.removeFor({ jobId: kept!.jobId }), 1);
  assert.equal(await a.size(), 0);
  assert.notEqual((await b.add(sampleLetter('again', { manualId: 'm' }))).id, kept!.id, 'no guard of the removed letter left behind');
  assert.equal(await a.size(), 1);
});
