import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openDatabase } from './sqlite-db.js';
import { SqliteWriteBatch } from './sqlite-write-batch.js';

function withDb(fn: (db: ReturnType<typeof openDatabase>) => Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'manuel-batch-'));
    const db = openDatabase(join(dir, 'x.db'));
    db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER NOT NULL)');
    try {
      await fn(db);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

describe('SqliteWriteBatch (group commit)', () => {
  it(
    'runs the writes of one turn in order, in one transaction, and answers each with its own result',
    withDb(async (db) => {
      const batch = new SqliteWriteBatch(db);
      const insert = db.prepare('INSERT INTO t (k, n) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET n = n + excluded.n RETURNING n');
      const seen: boolean[] = [];
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          batch.run(() => {
            seen.push(db.inTransaction);
            return (insert.get('a', 1) as { n: number }).n;
          }),
        ),
      );
      assert.deepEqual(results, Array.from({ length: 20 }, (_, i) => i + 1), 'in the order queued');
      assert.ok(seen.every(Boolean), 'inside a transaction');
      assert.equal(db.inTransaction, false, 'committed');
    }),
  );

  it(
    'undoes and rejects only the write that failed; the others of its batch commit',
    withDb(async (db) => {
      const batch = new SqliteWriteBatch(db);
      const insert = db.prepare('INSERT INTO t (k, n) VALUES (?, ?)');
      const ok1 = batch.run(() => insert.run('a', 1));
      const bad = batch.run(() => {
        insert.run('b', 1); // undone with its savepoint
        insert.run('a', 2); // primary key taken: throws
      });
      const ok2 = batch.run(() => insert.run('c', 1));
      await ok1;
      await ok2;
      await assert.rejects(bad, /UNIQUE/);
      assert.deepEqual(
        db.prepare('SELECT k FROM t ORDER BY k').all().map((r) => (r as { k: string }).k),
        ['a', 'c'],
      );
    }),
  );

  it(
    'a failing write makes the batch run again: the others are applied once, with the results they would have had',
    withDb(async (db) => {
      const batch = new SqliteWriteBatch(db);
      const add = db.prepare('INSERT INTO t (k, n) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET n = n + excluded.n RETURNING n');
      let runs = 0;
      const count = () =>
        batch.run(() => {
          runs++;
          return (add.get('a', 1) as { n: number }).n;
        });
      const first = count();
      const bad = batch.run(() => {
        add.get('a', 100); // undone with the piece
        throw new Error('refused');
      });
      const second = count();
      assert.equal(await first, 1);
      await assert.rejects(bad, /refused/);
      assert.equal(await second, 2, 'counted after the first only: the failed piece left nothing');
      assert.equal((db.prepare("SELECT n FROM t WHERE k = 'a'").get() as { n: number }).n, 2, 'each good piece applied once');
      assert.equal(runs, 3, 'the good pieces ran once plainly (rolled back) and once guarded');

      // A batch where nothing fails is run once, without savepoints.
      runs = 0;
      assert.deepEqual(await Promise.all([count(), count()]), [3, 4]);
      assert.equal(runs, 2);
    }),
  );

  it(
    'rejects the whole batch when its transaction cannot begin (another writer holds the lock)',
    withDb(async (db) => {
      const other = openDatabase(db.name);
      other.pragma('busy_timeout = 0');
      const blocked = new SqliteWriteBatch(other);
      db.exec('BEGIN IMMEDIATE');
      try {
        const a = blocked.run(() => other.prepare('INSERT INTO t (k, n) VALUES (?, ?)').run('x', 1));
        const b = blocked.run(() => 42);
        await assert.rejects(a, /busy|locked/i);
        await assert.rejects(b, /busy|locked/i);
      } finally {
        db.exec('ROLLBACK');
        other.close();
      }
      assert.equal((db.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n, 0);
    }),
  );
});
