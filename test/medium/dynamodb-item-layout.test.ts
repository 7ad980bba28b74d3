/**
 * What the contract suites cannot see of the DynamoDB adapters (docs/decisions/0019), on dynalite:
 * expired items are ignored although still stored (TTL is lazy; dynalite never deletes), an
 * interrupted delete heals itself, and the ingest backlog reads only the RUNNABLE index.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DeleteCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbIngestBacklog } from '../../src/adapters/aws/dynamodb-ingest-backlog.js';
import { DynamoDbJobQueue } from '../../src/adapters/aws/dynamodb-job-queue.js';
import { DynamoDbManualRepo } from '../../src/adapters/aws/dynamodb-manual-repo.js';
import { DynamoDbUsageRepo } from '../../src/adapters/aws/dynamodb-usage-repo.js';
import { sampleJob } from '../contract/job-queue.contract.js';
import { sampleManual } from '../contract/manual-repo.contract.js';
import { onDynamo } from '../contract/dynamodb-contract-tables.js';
import { ManualClock } from '../helpers/fakes.js';

onDynamo('dynalite', (s) => {
  it('usage events and ledger lines past their retention are ignored while still stored', async () => {
    const clock = new ManualClock(Date.parse('2025-03-10T12:00:00.000Z'));
    const repo = new DynamoDbUsageRepo(s.doc, s.table, { retentionDays: 30, clock });
    await repo.record({ userId: 'u', operation: 'query', at: '2025-01-05T10:00:00.000Z', costEur: 1 }); // expired 2025-02-04
    await repo.record({ userId: 'u', operation: 'query', at: '2025-03-01T10:00:00.000Z', costEur: 2 });
    const stored = await s.doc.send(new QueryCommand({ TableName: s.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'EVENTS#u' } }));
    assert.equal(stored.Count, 2, 'both events are still in the table');
    assert.equal(stored.Items?.[0]?.expires_at, Date.parse('2025-02-04T10:00:00.000Z') / 1000);
    assert.deepEqual(await repo.totals('u', '2000-01-01T00:00:00.000Z'), { count: 1, costEur: 2, byOperation: { query: 1 } });
    assert.deepEqual((await repo.recent('u', 10)).map((e) => e.costEur), [2]);
    // January's ledger line expires a retention after January ends (2025-03-03): gone; March's stays.
    assert.deepEqual(await repo.dailyTotals('2025-01-01', '2025-03-31'), [{ day: '2025-03-01', operation: 'query', count: 1, costEur: 2 }]);
    const ledger = await s.doc.send(new GetCommand({ TableName: s.table, Key: { pk: 'COSTS#u', sk: '2025-03-01#query' } }));
    assert.equal(ledger.Item?.expires_at, Date.parse('2025-04-01T00:00:00.000Z') / 1000 + 30 * 86_400);
  });

  it('a manual whose delete was cut short (guard left behind) can be uploaded again', async () => {
    const repo = new DynamoDbManualRepo(s.doc, s.table);
    await repo.create(sampleManual());
    // The delete removed the manual, then the process died before its guard and refs went.
    await s.doc.send(new DeleteCommand({ TableName: s.table, Key: { pk: 'OWNER#alice', sk: 'MANUAL#m1' } }));
    assert.equal(await repo.findByHash('alice', sampleManual().contentHash), null);
    await repo.create(sampleManual({ id: 'm2' }));
    assert.equal((await repo.findByHash('alice', sampleManual().contentHash))?.id, 'm2');
    await assert.rejects(repo.create(sampleManual({ id: 'm3' })), /already exists/, 'a live guard still refuses');
  });

  it('the isolation is in the key: a manual is addressed only under its owner', async () => {
    const repo = new DynamoDbManualRepo(s.doc, s.table);
    await repo.create(sampleManual({ ownerId: 'bob' }));
    const underAlice = await s.doc.send(new GetCommand({ TableName: s.table, Key: { pk: 'OWNER#alice', sk: 'MANUAL#m1' }, ConsistentRead: true }));
    assert.equal(underAlice.Item, undefined);
    assert.equal(await repo.ownerOf('m1'), 'bob');
    assert.equal((await repo.get('m1', ['bob']))?.id, 'm1');
  });

  it('the ingest backlog counts queued and leased jobs and the chunks they still have to embed', async () => {
    const clock = new ManualClock();
    const queue = new DynamoDbJobQueue(s.doc, s.table, clock);
    const backlog = new DynamoDbIngestBacklog(s.doc, s.table, true);
    for (const id of ['a', 'b', 'c', 'd']) await queue.enqueue(sampleJob(id));
    await queue.claim('w1', 60_000); // a
    await queue.claim('w2', 60_000); // b
    await queue.heartbeat('a', 'w1', 60_000, { stage: 'embedding', statistics: { chunks: 100, embedded_chunks: 36 } });
    await queue.heartbeat('b', 'w2', 60_000, { stage: 'indexing', statistics: { pages: 3 } });
    await queue.claim('w3', 60_000); // c
    await queue.complete('c', { chunks: 9 });
    assert.deepEqual([await backlog.queued(), await backlog.inProgress(), await backlog.embeddingBacklog()], [1, 2, 64]);
    assert.equal(await new DynamoDbIngestBacklog(s.doc, s.table, false).embeddingBacklog(), 0, 'no embedder: no embedding backlog');
    // A finished job has left the index: it is never read again by claims or the backlog.
    const done = await s.doc.send(new GetCommand({ TableName: s.table, Key: { pk: 'JOB#c', sk: 'JOB' } }));
    assert.equal(done.Item?.gsi1pk, undefined);
  });
});
