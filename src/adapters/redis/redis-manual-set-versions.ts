import type { Redis } from 'ioredis';
import type { ManualSetVersions } from '../../core/ports/manual-set-versions.js';

/** Versions shared by every process on the same Redis: one MGET per question, one INCR per change. */
export class RedisManualSetVersions implements ManualSetVersions {
  constructor(private readonly redis: Redis) {}

  async read(owners: readonly string[]): Promise<number[]> {
    if (owners.length === 0) return [];
    const values = await this.redis.mget(...owners.map(versionKey));
    return values.map((v) => Number(v ?? 0));
  }

  async bump(owner: string): Promise<void> {
    await this.redis.incr(versionKey(owner));
  }
}

/** The key of an owner's version (under the connection's keyPrefix). */
export const versionKey = (owner: string) => `mver:${owner}`;
