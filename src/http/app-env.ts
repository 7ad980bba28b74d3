import type { Logger } from '../core/ports/logger.js';

export interface AuthUser {
  id: string;
  email: string;
  isAdmin: boolean;
}

/** Hono context variables set by the middleware (request id, request logger, authenticated user). */
export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    user: AuthUser;
  };
}
