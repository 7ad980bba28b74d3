import { it } from 'node:test';
import { DynamoDbUserRepo } from '../../src/adapters/aws/dynamodb-user-repo.js';
import { SqliteUserRepo } from '../../src/adapters/embedded/sqlite-user-repo.js';
import { InMemoryUserRepo } from '../helpers/fakes.js';
import { motoSkip } from '../helpers/aws-emulators.js';
import { useDynalite, useMoto } from './dynamodb-contract-tables.js';
import { tempDb } from './sqlite-temp.js';
import { userRepoContract } from './user-repo.contract.js';

userRepoContract('SqliteUserRepo', () => {
  const t = tempDb();
  return { repo: new SqliteUserRepo(t.db), cleanup: t.cleanup };
});
userRepoContract('InMemoryUserRepo (fake)', () => ({ repo: new InMemoryUserRepo() }));

// DynamoDB (the aws shape's users table): a fresh table per test on each emulator.
const dynalite = useDynalite();
userRepoContract('DynamoDbUserRepo (dynalite)', async () => {
  const d = dynalite();
  return { repo: new DynamoDbUserRepo(d.doc, await d.freshTable('users')) };
});
const moto = useMoto();
if (moto) {
  userRepoContract('DynamoDbUserRepo (moto)', async () => {
    const d = moto();
    return { repo: new DynamoDbUserRepo(d.doc, await d.freshTable('users')) };
  });
} else it('DynamoDbUserRepo (moto)', { skip: motoSkip() }, () => {});
