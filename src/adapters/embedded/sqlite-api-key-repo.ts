import { errors } from '../../core/errors.js';
import type { ApiKeyRecord, ApiKeyRepo } from '../../core/ports/api-key-repo.js';
import { constraintViolated, type SqliteDb } from './sqlite-db.js';
import { migrate } from './sqlite-migrations.js';

interface Row {
  key_id: string;
  user_id: string;
  name: string;
  sealed_secret: string;
  secret_sha256: string;
  created_at: string;
}

const toRecord = (r: Row): ApiKeyRecord => ({
  keyId: r.key_id,
  userId: r.user_id,
  name: r.name,
  sealedSecret: r.sealed_secret,
  secretSha256: r.secret_sha256,
  createdAt: r.created_at,
});

export class SqliteApiKeyRepo implements ApiKeyRepo {
  constructor(private readonly db: SqliteDb) {
    migrate(db, 'api_keys', [
      `CREATE TABLE IF NOT EXISTS api_keys (
        key_id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        name TEXT NOT NULL,
        sealed_secret TEXT NOT NULL,
        secret_sha256 TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS api_keys_user ON api_keys(user_id, created_at)`,
    ]);
  }

  async create(r: ApiKeyRecord): Promise<void> {
    try {
      this.db
        .prepare('INSERT INTO api_keys (key_id, user_id, name, sealed_secret, secret_sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(r.keyId, r.userId, r.name, r.sealedSecret, r.secretSha256, r.createdAt);
    } catch (e) {
      if (constraintViolated(e)) throw errors.conflict('This API key already exists');
      throw e;
    }
  }

  async byId(keyId: string): Promise<ApiKeyRecord | null> {
    const r = this.db.prepare('SELECT * FROM api_keys WHERE key_id = ?').get(keyId) as Row | undefined;
    return r ? toRecord(r) : null;
  }

  async listForUser(userId: string): Promise<ApiKeyRecord[]> {
    return (this.db.prepare('SELECT * FROM api_keys WHERE user_id = ? ORDER BY created_at, key_id').all(userId) as Row[]).map(toRecord);
  }

  async listAll(): Promise<ApiKeyRecord[]> {
    return (this.db.prepare('SELECT * FROM api_keys ORDER BY created_at, key_id').all() as Row[]).map(toRecord);
  }

  async delete(userId: string, keyId: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM api_keys WHERE key_id = ? AND user_id = ?').run(keyId, userId).changes > 0;
  }
}
