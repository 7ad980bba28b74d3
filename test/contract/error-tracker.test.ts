import assert from 'node:assert/strict';
import { it } from 'node:test';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbErrorTracker } from '../../src/adapters/aws/dynamodb-error-tracker.js';
import { SqliteErrorTracker } from '../../src/adapters/embedded/sqlite-error-tracker.js';
import { breakableDoc, onDynaliteAndMoto, type DynamoBackend } from './dynamodb-contract-tables.js';
import { errorTrackerContract } from './error-tracker.contract.js';
import { tempDb } from './sqlite-temp.js';

errorTrackerContract('SqliteErrorTracker', () => {
  const t = tempDb();
  return { tracker: new SqliteErrorTracker(t.db), breakStore: () => t.db.exec('DROP TABLE error_records'), cleanup: t.cleanup };
});

// DynamoDB (the aws shape's errorTracking table); breakStore makes every call of its client fail.
const dynamoTracker = async (d: DynamoBackend) => {
  const { doc, breakStore } = breakableDoc(d);
  return { tracker: new DynamoDbErrorTracker(doc, await d.freshTable('errorTracking')), breakStore };
};
const dynalite = onDynaliteAndMoto('DynamoDbErrorTracker', (label, backend) => errorTrackerContract(`DynamoDbErrorTracker (${label})`, () => dynamoTracker(backend())));

it('DynamoDbErrorTracker: an occurrence older than the first seen moves first_seen back; TTL is recording time + ErrorRetentionDays, and an expired record is not listed', async () => {
  const d = dynalite();
  const table = await d.freshTable('errorTracking');
  let now = new Date('2026-01-10T00:00:00.000Z');
  const tracker = new DynamoDbErrorTracker(d.doc, table, { clock: { now: () => now }, retentionDays: 2 });
  const boom = (at: string, requestId: string) => ({ errorType: 'internal_error', message: 'boom', where: 'job:ingest', requestId, at: new Date(at) });
  await tracker.record(boom('2026-01-09T10:05:00.000Z', 'r1'));
  const r = await tracker.record(boom('2026-01-09T10:01:00.000Z', 'r0'));
  assert.equal(r?.first_seen, '2026-01-09T10:01:00.000Z');
  assert.equal(r?.last_seen, '2026-01-09T10:05:00.000Z');
  assert.equal(r?.sample_request_id, 'r1', 'the late one is not the sample');
  assert.equal(r?.count, 2);
  const item = await d.doc.send(new GetCommand({ TableName: table, Key: { pk: `ERR#${r!.fingerprint}`, sk: 'ERR' } }));
  assert.equal(item.Item?.expires_at, Date.parse('2026-01-12T00:00:00.000Z') / 1000);
  assert.equal((await tracker.list()).length, 1);
  now = new Date('2026-01-12T00:00:01.000Z'); // past its TTL; dynalite never deletes it
  assert.deepEqual(await tracker.list(), []);
});
