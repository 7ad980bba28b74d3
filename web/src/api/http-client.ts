import { getSession, sessionFromTokens, setSession, type Session } from './session-store';
import type { ErrorBody, SessionTokens } from './types';

/** An API failure with the server's `{error, error_type}` (or a network/unknown failure). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly body: Partial<ErrorBody> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export async function errorFromResponse(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  return errorFromBody(res.status, text);
}

export function errorFromBody(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as Partial<ErrorBody>;
    if (body && typeof body.error_type === 'string') return new ApiError(status, body.error_type, body.error ?? body.error_type, body);
  } catch {
    /* not JSON: fall through */
  }
  return new ApiError(status, status >= 500 ? 'internal_error' : 'http_' + status, `The server answered ${status}`);
}

const networkError = () => new ApiError(0, 'network', 'Cannot reach the Manuel server');

let refreshing: Promise<Session | null> | null = null;

/** Trades the refresh token for new tokens once, however many requests asked at the same time. */
export function refreshSession(): Promise<Session | null> {
  refreshing ??= (async () => {
    const current = getSession();
    if (!current) return null;
    try {
      const res = await fetch('/api/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: current.refreshToken }),
      });
      if (!res.ok) {
        // Another tab may have rotated the token a moment ago: its session is in storage now.
        const latest = getSession();
        if (latest && latest.refreshToken !== current.refreshToken) return latest;
        setSession(null, 'Your session has ended. Please sign in again.');
        return null;
      }
      const next = sessionFromTokens((await res.json()) as SessionTokens, current);
      setSession(next);
      return next;
    } catch {
      return current; // offline: keep the session, the request itself will report the failure
    }
  })().finally(() => (refreshing = null));
  return refreshing;
}

/** A valid access token, refreshed first when it is about to expire. */
export async function accessToken(): Promise<string | null> {
  let s = getSession();
  if (s && Date.now() >= s.expiresAt) s = await refreshSession();
  return s?.accessToken ?? null;
}

export interface RequestOptions {
  method?: string;
  json?: unknown;
  body?: BodyInit;
  auth?: boolean;
  signal?: AbortSignal;
}

/** fetch with the bearer token; a 401 refreshes the session once and retries. */
export async function apiFetch(path: string, opts: RequestOptions = {}): Promise<Response> {
  const send = async (token: string | null) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (opts.json !== undefined) headers['content-type'] = 'application/json';
    try {
      return await fetch(path, {
        method: opts.method ?? (opts.json !== undefined || opts.body ? 'POST' : 'GET'),
        headers,
        body: opts.json !== undefined ? JSON.stringify(opts.json) : opts.body,
        signal: opts.signal,
      });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      throw networkError();
    }
  };
  const auth = opts.auth !== false;
  let res = await send(auth ? await accessToken() : null);
  if (res.status === 401 && auth && getSession()) {
    const s = await refreshSession();
    if (s) res = await send(s.accessToken);
  }
  return res;
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await apiFetch(path, opts);
  if (!res.ok) throw await errorFromResponse(res);
  return (await res.json()) as T;
}
