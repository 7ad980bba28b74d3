import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { NonceStore } from '../../core/ports/nonce-store.js';
import { ttlAt } from './dynamodb-expiry.js';
import { conditionFailed } from './dynamodb-items.js';

/**
 * Signature nonces in the `rateLimits` table, item `NONCE#<nonce>` / `NONCE`: one conditional PutItem
 * per signed request (1 WCU), accepted when no item is there OR the one there has expired. The second
 * half matters: TTL deletes lazily (up to ~48 h late; never on dynalite), and a nonce whose lifetime is
 * over must be usable again. `expires_ms` is the precise end (the condition); `expires_at` the TTL.
 * No fallback while DynamoDB is unreachable: the error goes up (the signed request fails closed).
 */
export class DynamoDbNonceStore implements NonceStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  async checkAndRemember(nonce: string, ttlSeconds: number): Promise<boolean> {
    const now = this.now();
    const end = now + Math.max(1, ttlSeconds) * 1000;
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `NONCE#${nonce}`, sk: 'NONCE', expires_ms: end, expires_at: ttlAt(end) },
          ConditionExpression: 'attribute_not_exists(pk) OR expires_ms <= :now',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return true;
    } catch (e) {
      if (conditionFailed(e)) return false;
      throw e;
    }
  }
}
