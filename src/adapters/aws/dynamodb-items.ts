/**
 * Helpers shared by the DynamoDB adapters of fileTracking, ingestionJobs and usage: read every page of
 * a Query, batch reads and deletes that retry what DynamoDB left unprocessed, the TTL filter, and the
 * test for a failed condition.
 */
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  QueryCommand,
  ScanCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { KEY } from './dynamodb-tables.js';

export type Item = Record<string, unknown>;
export type ItemKey = { pk: string; sk: string };

/** A conditional write whose condition did not hold (the SDK's error name; dynalite and moto use it too). */
export const conditionFailed = (e: unknown): boolean => (e as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

/** Epoch seconds, the unit of the TTL attribute. */
export const epochSeconds = (d: Date | number): number => Math.floor((typeof d === 'number' ? d : d.getTime()) / 1000);

/** TTL deletion is lazy (and dynalite never deletes): an item whose `expires_at` has passed is gone. */
export const live = (item: Item, now: Date): boolean => {
  const exp = item[KEY.ttl];
  return typeof exp !== 'number' || exp > epochSeconds(now);
};

/** Every item of a Query, following LastEvaluatedKey; `max` stops early (the last page may overshoot). */
export async function queryAll(doc: DynamoDBDocumentClient, input: QueryCommandInput, max = Infinity): Promise<Item[]> {
  const out: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const r = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    out.push(...((r.Items ?? []) as Item[]));
    start = r.LastEvaluatedKey;
  } while (start && out.length < max);
  return out;
}

/** Every item of a Scan, following LastEvaluatedKey: reads (and pays for) the whole table; admin exports only. */
export async function scanAll(doc: DynamoDBDocumentClient, input: ScanCommandInput): Promise<Item[]> {
  const out: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const r = await doc.send(new ScanCommand({ ...input, ExclusiveStartKey: start }));
    out.push(...((r.Items ?? []) as Item[]));
    start = r.LastEvaluatedKey;
  } while (start);
  return out;
}

/** The number of items a Query matches (Select COUNT: the items are read, and paid for, but not sent). */
export async function queryCount(doc: DynamoDBDocumentClient, input: QueryCommandInput): Promise<number> {
  let n = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const r = await doc.send(new QueryCommand({ ...input, Select: 'COUNT', ExclusiveStartKey: start }));
    n += r.Count ?? 0;
    start = r.LastEvaluatedKey;
  } while (start);
  return n;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Items by key from one table (100 keys per request), strongly consistent; order not kept, missing keys absent. */
export async function batchGet(doc: DynamoDBDocumentClient, table: string, keys: readonly ItemKey[]): Promise<Item[]> {
  const out: Item[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    let todo: Record<string, unknown>[] | undefined = keys.slice(i, i + 100).map((k) => ({ pk: k.pk, sk: k.sk }));
    for (let round = 0; todo && todo.length > 0; round++) {
      if (round > 0) await pause(Math.min(1000, 20 * 2 ** round));
      const r: BatchGetCommandOutput = await doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: todo, ConsistentRead: true } } }));
      out.push(...((r.Responses?.[table] ?? []) as Item[]));
      todo = r.UnprocessedKeys?.[table]?.Keys;
    }
  }
  return out;
}

/** Deletes by key (25 per request), retrying what DynamoDB left unprocessed. Not atomic as a whole. */
export async function batchDelete(doc: DynamoDBDocumentClient, table: string, keys: readonly ItemKey[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 25) {
    type Req = { DeleteRequest?: { Key: Record<string, unknown> } };
    let todo: Req[] | undefined = keys.slice(i, i + 25).map((k) => ({ DeleteRequest: { Key: { pk: k.pk, sk: k.sk } } }));
    for (let round = 0; todo && todo.length > 0; round++) {
      if (round > 0) await pause(Math.min(1000, 20 * 2 ** round));
      const r = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: todo as never } }));
      todo = r.UnprocessedItems?.[table] as Req[] | undefined;
    }
  }
}
