import assert from 'node:assert/strict';
import { it } from 'node:test';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ManuelError } from '../../src/core/errors.js';
import { DynamoDbUserRepo } from '../../src/adapters/aws/dynamodb-user-repo.js';
import { SqliteUserRepo } from '../../src/adapters/embedded/sqlite-user-repo.js';
import { InMemoryUserRepo } from '../helpers/fakes.js';
import { onDynaliteAndMoto } from './dynamodb-contract-tables.js';
import { tempDb } from './sqlite-temp.js';
import { userRepoContract } from './user-repo.contract.js';

userRepoContract('SqliteUserRepo', () => {
  const t = tempDb();
  return { repo: new SqliteUserRepo(t.db), cleanup: t.cleanup };
});
userRepoContract('InMemoryUserRepo (fake)', () => ({ repo: new InMemoryUserRepo() }));

// DynamoDB (the aws shape's users table): a fresh table per test on each emulator.
const dynalite = onDynaliteAndMoto('DynamoDbUserRepo', (label, backend) =>
  userRepoContract(`DynamoDbUserRepo (${label})`, async () => {
    const d = backend();
    return { repo: new DynamoDbUserRepo(d.doc, await d.freshTable('users')) };
  }),
);

it('DynamoDbUserRepo: an e-mail guard left without a profile (a create that died half-way) is taken back after 20 minutes, not before', async () => {
  const d = dynalite();
  const table = await d.freshTable('users');
  let now = Date.parse('2026-01-01T10:00:00Z');
  const repo = new DynamoDbUserRepo(d.doc, table, () => now);
  const ghost = { pk: 'EMAIL#cy@example.org', sk: 'EMAIL', id: 'ghost', email: 'cy@example.org', name: null, passwordHash: 'x', isAdmin: false, createdAt: 't', claimedAt: now };
  await d.doc.send(new PutCommand({ TableName: table, Item: ghost }));
  const cy = { id: 'u-cy', email: 'Cy@example.org', name: 'Cy', passwordHash: 'scrypt$1', isAdmin: false, createdAt: '2026-01-01T10:05:00.000Z' };
  now += 5 * 60_000;
  await assert.rejects(repo.create(cy), (e: unknown) => e instanceof ManuelError && e.code === 'conflict', 'a young guard may be a create in flight');
  now += 20 * 60_000;
  await repo.create(cy);
  assert.deepEqual(await repo.byEmail('cy@example.org'), cy);
  assert.deepEqual(await repo.byId('u-cy'), cy);
  assert.equal(await repo.count(), 1);
  now += 60 * 60_000;
  await assert.rejects(repo.create({ ...cy, id: 'u-cy2' }), (e: unknown) => e instanceof ManuelError && e.code === 'conflict', 'a guard with its profile is never taken back');
});
