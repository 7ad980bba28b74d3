import { errors } from '../../core/errors.js';
import type { User } from '../../core/model/types.js';
import type { UserRepo } from '../../core/ports/user-repo.js';
import { constraintViolated, type SqliteDb } from './sqlite-db.js';
import { migrate } from './sqlite-migrations.js';

interface Row {
  id: string;
  email: string;
  name: string | null;
  password_hash: string;
  is_admin: number;
  created_at: string;
}

const toUser = (r: Row): User => ({
  id: r.id,
  email: r.email,
  name: r.name,
  passwordHash: r.password_hash,
  isAdmin: r.is_admin === 1,
  createdAt: r.created_at,
});

export class SqliteUserRepo implements UserRepo {
  /** Every authenticated request reads its user: prepared once, not per call. */
  private readonly selectById;

  constructor(private readonly db: SqliteDb) {
    migrate(db, 'users', [
      // NOCASE: "Ann@x.org" and "ann@x.org" are one account.
      `CREATE TABLE IF NOT EXISTS users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        name TEXT,
        password_hash TEXT NOT NULL,
        is_admin INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
      )`,
    ]);
    this.selectById = db.prepare('SELECT * FROM users WHERE id = ?');
  }

  async create(u: User): Promise<void> {
    try {
      this.db
        .prepare('INSERT INTO users (id, email, name, password_hash, is_admin, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(u.id, u.email, u.name, u.passwordHash, u.isAdmin ? 1 : 0, u.createdAt);
    } catch (e) {
      if (constraintViolated(e)) throw errors.conflict('An account with this email already exists');
      throw e;
    }
  }

  async byId(id: string): Promise<User | null> {
    const r = this.selectById.get(id) as Row | undefined;
    return r ? toUser(r) : null;
  }

  async byEmail(email: string): Promise<User | null> {
    const r = this.db.prepare('SELECT * FROM users WHERE email = ?').get(email) as Row | undefined;
    return r ? toUser(r) : null;
  }

  async list(): Promise<User[]> {
    return (this.db.prepare('SELECT * FROM users ORDER BY created_at, id').all() as Row[]).map(toUser);
  }

  async delete(id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM users WHERE id = ?').run(id).changes > 0;
  }

  async count(): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }
}
