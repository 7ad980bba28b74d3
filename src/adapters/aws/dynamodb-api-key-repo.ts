import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { errors } from '../../core/errors.js';
import type { ApiKeyRecord, ApiKeyRepo } from '../../core/ports/api-key-repo.js';
import { conditionFailed, queryAll, scanAll } from './dynamodb-items.js';
import { KEY } from './dynamodb-tables.js';

/**
 * API keys in the `users` table. Items:
 *   - `APIKEY#<keyId>` / `APIKEY`: the record; in gsi1 under `APIKEYS#<userId>` / `<createdAt>#<keyId>`
 *     so a user's keys list oldest first. `byId` (every signed request) and `delete` use the base
 *     table, strongly consistent: a deleted key stops verifying at once. Only the list goes through the
 *     index, which DynamoDB updates asynchronously (a key may show in the list a moment late).
 *   - `APISECRET#<sha256>` / `APISECRET`: the unique-secret guard, written first with
 *     `attribute_not_exists(pk)`, taken back if the key id is a duplicate, dropped with the key.
 */
export class DynamoDbApiKeyRepo implements ApiKeyRepo {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(r: ApiKeyRecord): Promise<void> {
    const secretKey = { pk: `APISECRET#${r.secretSha256}`, sk: 'APISECRET' };
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...secretKey, keyId: r.keyId }, ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (e) {
      if (conditionFailed(e)) throw errors.conflict('This API key already exists');
      throw e;
    }
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `APIKEY#${r.keyId}`, sk: 'APIKEY', [KEY.gsi1pk]: `APIKEYS#${r.userId}`, [KEY.gsi1sk]: `${r.createdAt}#${r.keyId}`, ...toItem(r) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (e) {
      await this.dropSecretGuard(r.secretSha256, r.keyId);
      if (conditionFailed(e)) throw errors.conflict('This API key already exists');
      throw e;
    }
  }

  async byId(keyId: string): Promise<ApiKeyRecord | null> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: `APIKEY#${keyId}`, sk: 'APIKEY' }, ConsistentRead: true }));
    return r.Item ? toRecord(r.Item) : null;
  }

  async listForUser(userId: string): Promise<ApiKeyRecord[]> {
    const items = await queryAll(this.doc, {
      TableName: this.table,
      IndexName: KEY.gsi1,
      KeyConditionExpression: '#g = :g',
      ExpressionAttributeNames: { '#g': KEY.gsi1pk },
      ExpressionAttributeValues: { ':g': `APIKEYS#${userId}` },
    });
    return items.map(toRecord);
  }

  /** A Scan of the users table for key records (admin export, rare): 1 RRU per 4 KB of the whole table. */
  async listAll(): Promise<ApiKeyRecord[]> {
    const items = await scanAll(this.doc, { TableName: this.table, FilterExpression: 'sk = :k', ExpressionAttributeValues: { ':k': 'APIKEY' }, ConsistentRead: true });
    return items.map(toRecord).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.keyId.localeCompare(b.keyId));
  }

  async delete(userId: string, keyId: string): Promise<boolean> {
    try {
      const r = await this.doc.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: `APIKEY#${keyId}`, sk: 'APIKEY' },
          ConditionExpression: 'userId = :u',
          ExpressionAttributeValues: { ':u': userId },
          ReturnValues: 'ALL_OLD',
        }),
      );
      if (r.Attributes) await this.dropSecretGuard(r.Attributes.secretSha256 as string, keyId);
      return true;
    } catch (e) {
      if (conditionFailed(e)) return false;
      throw e;
    }
  }

  private async dropSecretGuard(sha: string, keyId: string): Promise<void> {
    await this.doc
      .send(new DeleteCommand({ TableName: this.table, Key: { pk: `APISECRET#${sha}`, sk: 'APISECRET' }, ConditionExpression: 'keyId = :k', ExpressionAttributeValues: { ':k': keyId } }))
      .catch(() => {}); // another key's guard, or already gone: nothing to undo
  }
}

const toItem = (r: ApiKeyRecord) => ({ keyId: r.keyId, userId: r.userId, name: r.name, sealedSecret: r.sealedSecret, secretSha256: r.secretSha256, createdAt: r.createdAt });

const toRecord = (i: Record<string, unknown>): ApiKeyRecord => ({
  keyId: i.keyId as string,
  userId: i.userId as string,
  name: i.name as string,
  sealedSecret: i.sealedSecret as string,
  secretSha256: i.secretSha256 as string,
  createdAt: i.createdAt as string,
});
