import type { ConsumeResult, RefreshTokenRecord, RefreshTokenRepo } from '../../core/ports/refresh-token-repo.js';
import type { SqliteDb } from './sqlite-db.js';

interface Row {
  user_id: string;
  expires_at: string;
  used_at: string | null;
}

/** Refresh tokens by sha256; a used token is kept (marked) until expiry so its reuse can be detected. */
export class SqliteRefreshTokenRepo implements RefreshTokenRepo {
  constructor(private readonly db: SqliteDb) {
    db.exec(`CREATE TABLE IF NOT EXISTS refresh_tokens (
      token_hash TEXT PRIMARY KEY,
      user_id TEXT NOT NULL,
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      used_at TEXT
    );
    CREATE INDEX IF NOT EXISTS refresh_tokens_user ON refresh_tokens(user_id);`);
  }

  async save(r: RefreshTokenRecord): Promise<void> {
    this.db
      .prepare('INSERT INTO refresh_tokens (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)')
      .run(r.tokenHash, r.userId, r.createdAt, r.expiresAt);
    // Housekeeping: drop tokens that expired long ago so the table doesn't grow forever.
    this.db.prepare('DELETE FROM refresh_tokens WHERE user_id = ? AND expires_at < ?').run(r.userId, r.createdAt);
  }

  async consume(tokenHash: string, nowIso: string): Promise<ConsumeResult> {
    return this.db.transaction((): ConsumeResult => {
      const row = this.db.prepare('SELECT user_id, expires_at, used_at FROM refresh_tokens WHERE token_hash = ?').get(tokenHash) as Row | undefined;
      if (!row) return { status: 'unknown' };
      if (row.used_at) return { status: 'reused', userId: row.user_id };
      if (row.expires_at <= nowIso) return { status: 'expired' };
      this.db.prepare('UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ?').run(nowIso, tokenHash);
      return { status: 'ok', userId: row.user_id };
    }).immediate();
  }

  async revoke(tokenHash: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM refresh_tokens WHERE token_hash = ?').run(tokenHash).changes > 0;
  }

  async revokeAllForUser(userId: string): Promise<number> {
    return this.db.prepare('DELETE FROM refresh_tokens WHERE user_id = ?').run(userId).changes;
  }
}
