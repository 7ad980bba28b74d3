import { it } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryUserRepo, ManualClock } from '../../../test/helpers/fakes.js';
import { errors } from '../errors.js';
import type { IdentityProvider, ProviderTokens } from '../ports/identity-provider.js';
import { login } from './login.js';
import { refresh } from './refresh.js';
import { signup } from './signup.js';

const tokens: ProviderTokens = { idToken: 'id', accessToken: 'access', refreshToken: 'refresh', expiresIn: 900 };

/** A provider that keeps credentials itself (like Cognito): it knows one account the profile table may not. */
const provider = (known: { email: string; id: string }): IdentityProvider => ({
  signUp: async (a) => ({ userId: `sub-${a.email}`, passwordHash: '', tokens }),
  login: async ({ email, password }) => {
    if (email !== known.email || password !== 'password-1') throw errors.unauthorized('Invalid email or password');
    return { userId: known.id, tokens };
  },
  refresh: async (t) => {
    if (t !== 'refresh') throw errors.unauthorized('Invalid or expired refresh token');
    return { userId: known.id, tokens };
  },
  logout: async () => {},
  adopt: async (a) => ({ userId: `sub-${a.email}`, passwordHash: '', passwordMoved: false }),
  completeReset: async () => {
    throw errors.unauthorized('Invalid or expired reset session');
  },
  deleteAccount: async () => {},
  verify: async () => {
    throw errors.unauthorized();
  },
});

it('signup stores the profile under the provider id; login creates a missing profile (sign-up that failed half-way)', async () => {
  const users = new InMemoryUserRepo();
  const deps = { users, identity: provider({ email: 'orphan@example.com', id: 'sub-orphan' }), clock: new ManualClock(), settings: { adminEmail: '' } };
  const s = await signup(deps, { email: 'first@example.com', password: 'password-1', name: 'First' });
  assert.equal(s.user.id, 'sub-first@example.com');
  assert.equal((await users.byId('sub-first@example.com'))?.isAdmin, true);
  assert.equal(s.expires_in, 900);

  // refresh needs the profile: an unknown one is refused, not invented
  await assert.rejects(refresh(deps, { refreshToken: 'refresh' }), /Invalid or expired refresh token/);
  const l = await login(deps, { email: 'Orphan@Example.com', password: 'password-1' });
  assert.deepEqual(l.user, { id: 'sub-orphan', email: 'orphan@example.com', name: null, is_admin: false });
  assert.equal((await users.byId('sub-orphan'))?.email, 'orphan@example.com');
  assert.equal((await refresh(deps, { refreshToken: 'refresh' })).user.id, 'sub-orphan');
});
