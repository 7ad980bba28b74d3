import type { Context, MiddlewareHandler } from 'hono';
import { errors } from '../../core/errors.js';
import { visibleOwners } from '../../core/model/visibility.js';
import type { TokenService } from '../../core/ports/token-service.js';
import type { AppEnv, AuthUser } from '../app-env.js';
import { isAdminRoute, type SignatureAuth } from './signature.js';

/**
 * Paths under /api that need no token. A direct upload's PUT carries its own credential (the ticket
 * url's token, like a presigned S3 URL), checked by its route.
 */
const PUBLIC = [/^\/api\/auth\//, /^\/api\/openapi\.json$/, /^\/api\/docs(\/|$)/];
export const UPLOAD_CONTENT_PATH = /^\/api\/manuals\/uploads\/[^/]+\/content$/;

/**
 * Who is calling, on every /api/* route except sign-in and the API description. Sets `c.var.user`
 * and `c.var.authMethod`:
 * - a bearer JWT (interactive sessions, the web app): never asked to sign, except on admin routes
 *   when `signatures.adminRequiresSignature` (HMACSigningKey set and EnableAdvancedSecurity on);
 * - no bearer token but an RFC 9421 signature by an API key: acts as that key's user. This works
 *   whenever the key exists, flag or not: it is strictly stronger than a bearer token.
 */
export function authMiddleware(tokens: Pick<TokenService, 'verify'>, signatures?: SignatureAuth): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (PUBLIC.some((re) => re.test(c.req.path))) return next();
    if (c.req.method === 'PUT' && UPLOAD_CONTENT_PATH.test(c.req.path)) return next();
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match) {
      const claims = await tokens.verify(match[1]!);
      c.set('user', { id: claims.userId, email: claims.email, isAdmin: claims.isAdmin });
      c.set('authMethod', 'bearer');
      if (signatures?.adminRequiresSignature && isAdminRoute(c.req.path)) await signatures.requireServerSignature(c);
      return next();
    }
    if (signatures?.present(c)) {
      if (signatures.adminRequiresSignature && isAdminRoute(c.req.path)) {
        throw errors.unauthorized('Admin routes need an administrator bearer token, signed with the server key');
      }
      c.set('user', await signatures.apiKeyUser(c));
      c.set('authMethod', 'signature');
      return next();
    }
    throw errors.unauthorized();
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
