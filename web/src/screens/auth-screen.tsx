import { useState } from 'preact/hooks';
import { api } from '../api/http-client';
import { sessionFromTokens, setSession, takeEndedReason } from '../api/session-store';
import type { SessionTokens } from '../api/types';
import { friendlyError } from '../lib/friendly-error';

/** Sign in, or create an account (mode switches without leaving the page). */
export function AuthScreen({ initialMode = 'signin' }: { initialMode?: 'signin' | 'signup' }) {
  const [mode, setMode] = useState(initialMode);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(() => takeEndedReason());
  const signup = mode === 'signup';

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = signup ? { email, password, ...(name.trim() ? { name: name.trim() } : {}) } : { email, password };
      const tokens = await api<SessionTokens>(signup ? '/api/auth/signup' : '/api/auth/login', { json: body, auth: false });
      setSession(sessionFromTokens(tokens));
    } catch (err) {
      setError(friendlyError(err, signup ? 'signup' : 'login'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="auth">
      <h1 class="brand">Manuel</h1>
      <p class="tagline">Ask your product manuals, by text or voice, and see the page the answer came from.</p>
      <form class="card" onSubmit={submit} aria-labelledby="auth-title">
        <h2 id="auth-title">{signup ? 'Create an account' : 'Sign in'}</h2>
        {signup && (
          <label>
            Name (optional)
            <input name="name" autoComplete="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
        )}
        <label>
          Email
          <input name="email" type="email" required autoComplete="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            required
            minLength={signup ? 8 : undefined}
            autoComplete={signup ? 'new-password' : 'current-password'}
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {signup && <p class="hint">At least 8 characters.</p>}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Please wait…' : signup ? 'Create account' : 'Sign in'}
        </button>
        <p class="switch">
          {signup ? 'Already have an account?' : 'New here?'}{' '}
          <button type="button" class="link" onClick={() => (setMode(signup ? 'signin' : 'signup'), setError(null))}>
            {signup ? 'Sign in' : 'Create an account'}
          </button>
        </p>
      </form>
    </main>
  );
}
