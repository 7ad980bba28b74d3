import { SHARED_OWNER } from './types.js';

/** Owner ids a caller may read: their own manuals and the shared library. Every read path uses it. */
export function visibleOwners(userId: string): readonly string[] {
  return userId === SHARED_OWNER ? [SHARED_OWNER] : [userId, SHARED_OWNER];
}
