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
    /** The client's address (the socket's, or from X-Forwarded-For behind a trusted proxy). */
    clientIp: string;
    /** https when the socket is TLS, or a trusted proxy's X-Forwarded-Proto says so (HSTS). */
    clientProto: 'http' | 'https';
    /** How the caller authenticated: a bearer token (interactive) or a signed request with an API key. */
    authMethod: 'bearer' | 'signature';
    /** What this request cost in EUR (priced routes: query, transcribe), for the RequestCostThreshold alarm. */
    requestCostEur: number;
  };
}
