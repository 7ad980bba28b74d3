/**
 * Manuals in the fileTracking table (docs/decisions/0019). Four kinds of item per manual:
 *   manual     pk OWNER#<owner>  sk MANUAL#<id>     every Manual field; gsi1 QUARANTINED / <uploadDate>#<id>
 *                                                   only while quarantined and not released (sparse)
 *   pointer    pk MANUAL#<id>    sk OWNER           ownerId: id -> owner, and the id's uniqueness
 *   hash guard pk OWNER#<owner>  sk HASH#<sha256>   manualId: one manual per owner and content
 *   blob ref   pk BLOB#<blobKey> sk MANUAL#<id>     ownerId: who points at a shared blob
 * The owner is in the manual's key, so a read can only address the owners it was given: isolation is
 * structural, not a filter that could be forgotten. Costs (strongly consistent, items < 1 KB):
 *   get            BatchGetItem, one key per visible owner: 1 RRU per owner (2 for a user + shared)
 *   list           one Query per visible owner on its partition: 1 RRU per 4 KB of manuals (~8 manuals)
 *   findByHash     GetItem guard + GetItem manual: 2 RRU
 *   countByBlobKey Query COUNT on BLOB#<key>: 1 RRU (a few refs per 4 KB)
 *   listQuarantined Query on gsi1 QUARANTINED (eventually consistent, admins only): 0.5 RRU per 4 KB
 *   update         GetItem pointer + UpdateItem: 1 RRU + 1 WRU (+1 WRU when quarantine state moves)
 *   create         4 PutItem (2 conditional): 4 WRU;  delete: GetItem + 4 deletes: 1 RRU + 4 WRU
 * No transactions (dynalite has none): create writes the guards first and undoes them on failure;
 * delete removes the manual first, so an interruption leaves at worst a stale guard (taken over by the
 * next create of that content, see claimGuard) or a blob ref (the blob is kept: the safe direction).
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { errors } from '../../core/errors.js';
import type { Manual } from '../../core/model/types.js';
import type { ManualRepo } from '../../core/ports/manual-repo.js';
import { batchDelete, batchGet, conditionFailed, queryAll, queryCount, type Item, type ItemKey } from './dynamodb-items.js';

type Patch = Partial<Omit<Manual, 'id' | 'ownerId'>>;

const FIELDS = [
  'id', 'ownerId', 'name', 'fileName', 'contentHash', 'blobKey', 'size', 'pages', 'chunks', 'embeddedChunks',
  'status', 'uploadDate', 'error', 'source', 'quarantineReason', 'quarantineReleasedAt',
] as const satisfies readonly (keyof Manual)[];

const UPDATABLE: ReadonlySet<string> = new Set(FIELDS.filter((f) => f !== 'id' && f !== 'ownerId'));
const QUARANTINED = 'QUARANTINED';
const ownerPk = (owner: string) => `OWNER#${owner}`;
const manualKey = (owner: string, id: string): ItemKey => ({ pk: ownerPk(owner), sk: `MANUAL#${id}` });
const pointerKey = (id: string): ItemKey => ({ pk: `MANUAL#${id}`, sk: 'OWNER' });
const guardKey = (owner: string, hash: string): ItemKey => ({ pk: ownerPk(owner), sk: `HASH#${hash}` });
const blobKeyOf = (blobKey: string, id: string): ItemKey => ({ pk: `BLOB#${blobKey}`, sk: `MANUAL#${id}` });

const quarantined = (m: Pick<Manual, 'quarantineReason' | 'quarantineReleasedAt'>) => m.quarantineReason != null && m.quarantineReleasedAt == null;
const quarantineIndex = (m: Manual) => (quarantined(m) ? { gsi1pk: QUARANTINED, gsi1sk: `${m.uploadDate}#${m.id}` } : {});

function toManual(item: Item): Manual {
  const m = {} as Record<string, unknown>;
  for (const f of FIELDS) m[f] = item[f] ?? null;
  return m as unknown as Manual;
}

const newestFirst = (a: Manual, b: Manual) => (a.uploadDate === b.uploadDate ? (a.id < b.id ? 1 : -1) : a.uploadDate < b.uploadDate ? 1 : -1);

export class DynamoDbManualRepo implements ManualRepo {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(m: Manual): Promise<void> {
    const manual = Object.fromEntries(FIELDS.map((f) => [f, m[f]]));
    await this.putNew({ ...pointerKey(m.id), ownerId: m.ownerId });
    try {
      await this.claimGuard(m);
    } catch (e) {
      await this.doc.send(new DeleteCommand({ TableName: this.table, Key: pointerKey(m.id) })).catch(() => undefined);
      throw e;
    }
    try {
      await Promise.all([
        this.doc.send(new PutCommand({ TableName: this.table, Item: { ...manualKey(m.ownerId, m.id), ...manual, ...quarantineIndex(m) } })),
        this.doc.send(new PutCommand({ TableName: this.table, Item: { ...blobKeyOf(m.blobKey, m.id), ownerId: m.ownerId } })),
      ]);
    } catch (e) {
      await batchDelete(this.doc, this.table, [pointerKey(m.id), guardKey(m.ownerId, m.contentHash), blobKeyOf(m.blobKey, m.id), manualKey(m.ownerId, m.id)]).catch(() => undefined);
      throw e;
    }
  }

  /** A PutItem that refuses to overwrite: the id is taken -> conflict. */
  private async putNew(item: Item): Promise<void> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (e) {
      if (conditionFailed(e)) throw errors.conflict('This manual already exists');
      throw e;
    }
  }

  /** One manual per owner and content. A guard left by an interrupted delete (its manual gone) is taken over. */
  private async claimGuard(m: Manual): Promise<void> {
    const key = guardKey(m.ownerId, m.contentHash);
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...key, manualId: m.id }, ConditionExpression: 'attribute_not_exists(pk)' }));
      return;
    } catch (e) {
      if (!conditionFailed(e)) throw e;
    }
    const held = await this.doc.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
    const holder = held.Item?.manualId as string | undefined;
    const alive = holder ? await this.doc.send(new GetCommand({ TableName: this.table, Key: manualKey(m.ownerId, holder), ConsistentRead: true })) : null;
    if (alive?.Item || !holder) throw errors.conflict('This manual already exists');
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...key, manualId: m.id }, ConditionExpression: 'manualId = :old', ExpressionAttributeValues: { ':old': holder } }));
    } catch (e) {
      if (conditionFailed(e)) throw errors.conflict('This manual already exists');
      throw e;
    }
  }

  async get(id: string, visibleOwners: readonly string[]): Promise<Manual | null> {
    const owners = [...new Set(visibleOwners)];
    if (owners.length === 0) return null;
    const [item] = await batchGet(this.doc, this.table, owners.map((o) => manualKey(o, id)));
    return item ? toManual(item) : null;
  }

  async list(visibleOwners: readonly string[]): Promise<Manual[]> {
    const owners = [...new Set(visibleOwners)];
    const pages = await Promise.all(
      owners.map((o) =>
        queryAll(this.doc, {
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
          ExpressionAttributeValues: { ':pk': ownerPk(o), ':m': 'MANUAL#' },
          ConsistentRead: true,
        }),
      ),
    );
    return pages.flat().map(toManual).sort(newestFirst);
  }

  async listQuarantined(): Promise<Manual[]> {
    const items = await queryAll(this.doc, {
      TableName: this.table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :q',
      ExpressionAttributeValues: { ':q': QUARANTINED },
      ScanIndexForward: false,
    });
    // The index may lag a release by a moment: the item itself decides.
    return items.map(toManual).filter(quarantined).sort(newestFirst);
  }

  async findByHash(ownerId: string, contentHash: string): Promise<Manual | null> {
    const guard = await this.doc.send(new GetCommand({ TableName: this.table, Key: guardKey(ownerId, contentHash), ConsistentRead: true }));
    const id = guard.Item?.manualId as string | undefined;
    if (!id) return null;
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: manualKey(ownerId, id), ConsistentRead: true }));
    return r.Item ? toManual(r.Item) : null;
  }

  /** Whose manual this is, whoever asks (for the answer-cache versions, never for a read path). */
  async ownerOf(id: string): Promise<string | null> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: pointerKey(id), ConsistentRead: true }));
    return (r.Item?.ownerId as string | undefined) ?? null;
  }

  async update(id: string, patch: Patch): Promise<void> {
    const keys = (Object.keys(patch) as string[]).filter((k): k is keyof Patch => UPDATABLE.has(k) && patch[k as keyof Patch] !== undefined);
    if (keys.length === 0) return;
    const owner = await this.ownerOf(id);
    if (owner === null) return;
    let before: Manual;
    try {
      const r = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: manualKey(owner, id),
          UpdateExpression: `SET ${keys.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: Object.fromEntries(keys.map((k, i) => [`#f${i}`, k])),
          ExpressionAttributeValues: Object.fromEntries(keys.map((k, i) => [`:v${i}`, patch[k]])),
          ReturnValues: 'ALL_OLD',
        }),
      );
      before = toManual(r.Attributes ?? {});
    } catch (e) {
      if (conditionFailed(e)) return; // deleted meanwhile: nothing to update, as in SQLite
      throw e;
    }
    const after: Manual = { ...before, ...(patch as Partial<Manual>) };
    await this.moveDerived(before, after);
  }

  /** Keeps the quarantine index entry, the hash guard and the blob ref in step with the manual. */
  private async moveDerived(before: Manual, after: Manual): Promise<void> {
    const idxBefore = quarantineIndex(before);
    const idxAfter = quarantineIndex(after);
    if (idxBefore.gsi1sk !== idxAfter.gsi1sk) {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: manualKey(after.ownerId, after.id),
          UpdateExpression: idxAfter.gsi1pk ? 'SET gsi1pk = :pk, gsi1sk = :sk' : 'REMOVE gsi1pk, gsi1sk',
          ExpressionAttributeValues: idxAfter.gsi1pk ? { ':pk': idxAfter.gsi1pk, ':sk': idxAfter.gsi1sk } : undefined,
          ConditionExpression: 'attribute_exists(pk)',
        }),
      ).catch((e: unknown) => {
        if (!conditionFailed(e)) throw e;
      });
    }
    if (before.contentHash !== after.contentHash) {
      await this.claimGuard(after);
      await batchDelete(this.doc, this.table, [guardKey(before.ownerId, before.contentHash)]);
    }
    if (before.blobKey !== after.blobKey) {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...blobKeyOf(after.blobKey, after.id), ownerId: after.ownerId } }));
      await batchDelete(this.doc, this.table, [blobKeyOf(before.blobKey, before.id)]);
    }
  }

  async delete(id: string): Promise<boolean> {
    const owner = await this.ownerOf(id);
    if (owner === null) return false;
    const r = await this.doc.send(new DeleteCommand({ TableName: this.table, Key: manualKey(owner, id), ReturnValues: 'ALL_OLD' }));
    const old = r.Attributes ? toManual(r.Attributes) : null;
    const refs: ItemKey[] = [pointerKey(id)];
    if (old) {
      refs.push(blobKeyOf(old.blobKey, id));
      // The guard goes only if it is still this manual's (a later upload of the same content may hold it).
      await this.doc
        .send(new DeleteCommand({ TableName: this.table, Key: guardKey(owner, old.contentHash), ConditionExpression: 'manualId = :id', ExpressionAttributeValues: { ':id': id } }))
        .catch((e: unknown) => {
          if (!conditionFailed(e)) throw e;
        });
    }
    await batchDelete(this.doc, this.table, refs);
    return old !== null;
  }

  async countByBlobKey(blobKey: string): Promise<number> {
    return queryCount(this.doc, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `BLOB#${blobKey}` },
      ConsistentRead: true,
    });
  }
}
