import { GetCommand, PutCommand, UpdateCommand, DeleteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { errors } from '../../core/errors.js';
import type { User } from '../../core/model/types.js';
import type { UserRepo } from '../../core/ports/user-repo.js';
import { conditionFailed, scanAll } from './dynamodb-items.js';

/**
 * User profiles in the `users` table (with Cognito on AWS the password hash is Cognito's; the profile
 * keeps what the port holds). Items:
 *   - `USER#<id>` / `PROFILE`: the user;
 *   - `EMAIL#<lower-case email>` / `EMAIL`: the same profile again, written first with
 *     `attribute_not_exists(pk)`: the unique-email guard, and a one-read `byEmail`
 *     (users are never updated through this port, so the copy cannot drift; delete removes both);
 *   - `META` / `USER_COUNT`: `n`, ADDed after each create (and -1 after each delete), so `count()` (health probe, first-user
 *     admin) is one read instead of a scan.
 * No transactions (dynalite has none): a create is up to three single-item writes; if the profile
 * write is refused (duplicate id) the email guard is taken back, and a guard left without a profile by
 * a create that died half-way is taken back by the next sign-up with that e-mail (see dropOrphanGuard).
 */
export class DynamoDbUserRepo implements UserRepo {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  async create(u: User): Promise<void> {
    const emailKey = { pk: `EMAIL#${u.email.toLowerCase()}`, sk: 'EMAIL' };
    const profile = toItem(u);
    const claimedAt = this.now();
    for (let attempt = 0; ; attempt++) {
      try {
        await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...emailKey, ...profile, claimedAt }, ConditionExpression: 'attribute_not_exists(pk)' }));
        break;
      } catch (e) {
        if (!conditionFailed(e)) throw e;
        if (attempt > 0 || !(await this.dropOrphanGuard(emailKey))) throw errors.conflict('An account with this email already exists');
      }
    }
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: `USER#${u.id}`, sk: 'PROFILE', ...profile }, ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (e) {
      await this.doc.send(new DeleteCommand({ TableName: this.table, Key: emailKey, ConditionExpression: 'id = :id', ExpressionAttributeValues: { ':id': u.id } })).catch(() => {});
      if (conditionFailed(e)) throw errors.conflict('An account with this id already exists');
      throw e;
    }
    await this.doc.send(new UpdateCommand({ TableName: this.table, Key: { pk: 'META', sk: 'USER_COUNT' }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } }));
  }

  /**
   * A guard whose profile was never written (the creating Lambda died between the two writes) would
   * block its e-mail for good. Past ORPHAN_MS it is taken back, on condition it is still the same claim
   * (a create in flight is far younger), and the create tries once more.
   */
  private async dropOrphanGuard(emailKey: { pk: string; sk: string }): Promise<boolean> {
    const guard = (await this.doc.send(new GetCommand({ TableName: this.table, Key: emailKey, ConsistentRead: true }))).Item;
    if (!guard || typeof guard.claimedAt !== 'number' || this.now() - guard.claimedAt < ORPHAN_MS) return false;
    if (await this.byId(guard.id as string)) return false;
    try {
      await this.doc.send(
        new DeleteCommand({ TableName: this.table, Key: emailKey, ConditionExpression: 'id = :id AND claimedAt = :c', ExpressionAttributeValues: { ':id': guard.id, ':c': guard.claimedAt } }),
      );
      return true;
    } catch (e) {
      if (conditionFailed(e)) return false;
      throw e;
    }
  }

  async byId(id: string): Promise<User | null> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: `USER#${id}`, sk: 'PROFILE' }, ConsistentRead: true }));
    return r.Item ? toUser(r.Item) : null;
  }

  async byEmail(email: string): Promise<User | null> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: `EMAIL#${email.toLowerCase()}`, sk: 'EMAIL' }, ConsistentRead: true }));
    return r.Item ? toUser(r.Item) : null;
  }

  /** A Scan of the table for profiles (admin export, rare): 1 RRU per 4 KB of the whole users table. */
  async list(): Promise<User[]> {
    const items = await scanAll(this.doc, { TableName: this.table, FilterExpression: 'sk = :p', ExpressionAttributeValues: { ':p': 'PROFILE' }, ConsistentRead: true });
    return items.map(toUser).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /**
   * Profile first (then byId, and so verify(), refuses the user at once), then the email guard on
   * condition it is still this user's, then the count. A delete that dies after the profile leaves a
   * guard without a profile, which the next sign-up with that email takes back (dropOrphanGuard).
   */
  async delete(id: string): Promise<boolean> {
    const gone = await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: `USER#${id}`, sk: 'PROFILE' }, ReturnValues: 'ALL_OLD' }));
    const old = gone.Attributes;
    if (!old) return false;
    await this.doc
      .send(new DeleteCommand({ TableName: this.table, Key: { pk: `EMAIL#${(old.email as string).toLowerCase()}`, sk: 'EMAIL' }, ConditionExpression: 'id = :id', ExpressionAttributeValues: { ':id': id } }))
      .catch((e) => {
        if (!conditionFailed(e)) throw e;
      });
    await this.doc.send(new UpdateCommand({ TableName: this.table, Key: { pk: 'META', sk: 'USER_COUNT' }, UpdateExpression: 'ADD n :minus', ExpressionAttributeValues: { ':minus': -1 } }));
    return true;
  }

  async count(): Promise<number> {
    const r = await this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: 'META', sk: 'USER_COUNT' }, ConsistentRead: true }));
    return typeof r.Item?.n === 'number' ? r.Item.n : 0;
  }
}

/** Longer than any create takes (three single-item writes) and than a Lambda's 15-minute limit. */
const ORPHAN_MS = 20 * 60_000;

const toItem = (u: User) => ({ id: u.id, email: u.email, name: u.name, passwordHash: u.passwordHash, isAdmin: u.isAdmin, createdAt: u.createdAt });

const toUser = (i: Record<string, unknown>): User => ({
  id: i.id as string,
  email: i.email as string,
  name: (i.name as string | null | undefined) ?? null,
  passwordHash: i.passwordHash as string,
  isAdmin: i.isAdmin === true,
  createdAt: i.createdAt as string,
});
