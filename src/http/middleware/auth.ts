import type { Context, MiddlewareHandler } from 'hono';
import { errors } from '../../core/errors.js';
import { visibleOwners } from '../../core/model/visibility.js';
import type { TokenService } from '../../core/ports/token-service.js';
import type { AppEnv, AuthUser } from '../app-env.js';

/** Paths under /api that need no token. */
const PUBLIC = [/^\/api\/auth\//, /^\/api\/openapi\.json$/, /^\/api\/docs(\/|$)/];

/** Bearer JWT on every /api/* route except sign-in and the API description. Sets `c.var.user`. */
export function authMiddleware(tokens: TokenService): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (PUBLIC.some((re) => re.test(c.req.path))) return next();
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw errors.unauthorized();
    const claims = await tokens.verify(match[1]!);
    c.set('user', { id: claims.userId, email: claims.email, isAdmin: claims.isAdmin });
    await next();
  };
}

/** The authenticated caller (only on routes behind authMiddleware). */
export function currentUser(c: Context<AppEnv>): AuthUser {
  const user = c.get('user');
  if (!user) throw errors.unauthorized();
  return user;
}

/** Owner ids the caller may read: their own and the shared library. */
export const callerOwners = (c: Context<AppEnv>): string[] => [...visibleOwners(currentUser(c).id)];

export function requireAdmin(c: Context<AppEnv>): AuthUser {
  const user = currentUser(c);
  if (!user.isAdmin) throw errors.forbidden('Only an administrator may do this');
  return user;
}
