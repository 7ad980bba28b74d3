import type { SessionTokens } from './types';

/** The signed-in session, kept in localStorage so it survives a reload and is shared by tabs. */
export interface Session {
  userId: string;
  email: string;
  /** Shows admin-only links (the server checks every admin request itself). */
  isAdmin?: boolean;
  accessToken: string;
  refreshToken: string;
  /** Epoch ms after which the access token should be refreshed first. */
  expiresAt: number;
}

const KEY = 'manuel.session';
const listeners = new Set<(s: Session | null) => void>();
let endedReason: string | null = null;

function decodeClaims(jwt: string): Record<string, unknown> {
  try {
    const part = jwt.split('.')[1] ?? '';
    return JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export function sessionFromTokens(t: SessionTokens, previous?: Session | null): Session {
  const claims = decodeClaims(t.access_token);
  return {
    userId: t.user?.id ?? String(claims.sub ?? previous?.userId ?? ''),
    email: t.user?.email ?? String(claims.email ?? previous?.email ?? ''),
    isAdmin: t.user?.is_admin ?? (typeof claims.admin === 'boolean' ? claims.admin : (previous?.isAdmin ?? false)),
    accessToken: t.access_token,
    refreshToken: t.refresh_token,
    // Refresh a little early so a request in flight never carries an expired token.
    expiresAt: Date.now() + Math.max(10, t.expires_in - 30) * 1000,
  };
}

export function getSession(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function setSession(s: Session | null, reason?: string): void {
  if (s) localStorage.setItem(KEY, JSON.stringify(s));
  else localStorage.removeItem(KEY);
  endedReason = s ? null : (reason ?? null);
  for (const l of listeners) l(s);
}

/** Why the last session ended (e.g. it expired), shown once on the sign-in screen. */
export const takeEndedReason = (): string | null => {
  const r = endedReason;
  endedReason = null;
  return r;
};

export function onSessionChange(listener: (s: Session | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// Another tab signed in, out or refreshed the tokens.
window.addEventListener('storage', (e) => {
  if (e.key === KEY) for (const l of listeners) l(getSession());
});
