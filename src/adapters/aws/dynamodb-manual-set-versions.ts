/**
 * Manual-set versions in the usage table (docs/decisions/0019): one item per owner,
 *   pk VERSION#<owner>  sk VERSION  v (number)
 * bumped with an atomic `ADD v 1` (1 WRU; parallel bumps from any number of Lambdas all count), read
 * with one strongly consistent BatchGetItem for the owners a question can see (1 RRU per owner:
 * usually 2, the user and the shared library), so a bump is seen by the very next read anywhere.
 */
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ManualSetVersions } from '../../core/ports/manual-set-versions.js';
import { batchGet } from './dynamodb-items.js';

const key = (owner: string) => ({ pk: `VERSION#${owner}`, sk: 'VERSION' });

export class DynamoDbManualSetVersions implements ManualSetVersions {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async read(owners: readonly string[]): Promise<number[]> {
    if (owners.length === 0) return [];
    // BatchGetItem refuses a key given twice.
    const items = await batchGet(this.doc, this.table, [...new Set(owners)].map(key));
    const byPk = new Map(items.map((i) => [i.pk as string, Number(i.v ?? 0)]));
    return owners.map((o) => byPk.get(key(o).pk) ?? 0);
  }

  async bump(owner: string): Promise<void> {
    await this.doc.send(new UpdateCommand({ TableName: this.table, Key: key(owner), UpdateExpression: 'ADD v :one', ExpressionAttributeValues: { ':one': 1 } }));
  }
}
