import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuthDeps } from '../../src/core/auth/auth-session.js';
import { login } from '../../src/core/auth/login.js';
import { logout } from '../../src/core/auth/logout.js';
import { refresh } from '../../src/core/auth/refresh.js';
import { signup } from '../../src/core/auth/signup.js';
import { completeReset } from '../../src/core/auth/complete-reset.js';
import { isManuelError } from '../../src/core/errors.js';
import { importUsers } from '../../src/core/migration/import-data.js';
import { ScryptPasswordHasher } from '../../src/adapters/embedded/scrypt-password-hasher.js';
import type { IdentityProvider } from '../../src/core/ports/identity-provider.js';
import type { UserRepo } from '../../src/core/ports/user-repo.js';
import { ManualClock } from '../helpers/fakes.js';

export interface IdentityHarness {
  identity: IdentityProvider;
  /** The profile repo the provider reads (the same one the auth use cases write). */
  users: UserRepo;
  /**
   * Puts an account in the provider's forced-reset state with a temporary password the test knows
   * (Cognito: AdminSetUserPassword, not permanent); absent: the provider never forces a reset.
   */
  forceReset?(email: string, temporaryPassword: string): Promise<void>;
  /** Why this backend answers a deleted user's refresh token with something other than 'unauthorized' (it must still refuse it). */
  deletedRefreshQuirk?: string;
  /** Why this backend cannot show that logout revokes the refresh token; false: it can. */
  logoutSkip: string | false;
  close(): Promise<void>;
}

const code = (e: unknown) => (isManuelError(e) ? e.code : String(e));

/**
 * What every IdentityProvider promises the auth use cases, through those use cases: the same
 * session fields, the same error codes, and tokens that verify to the profile's id, email and
 * admin flag.
 */
export function identityProviderContract(name: string, make: () => Promise<IdentityHarness>, skip: string | false = false): void {
  describe(`IdentityProvider contract: ${name}`, { skip }, () => {
    let h: IdentityHarness;
    let deps: AuthDeps;
    before(async () => {
      h = await make();
      deps = { users: h.users, identity: h.identity, clock: new ManualClock(), settings: { adminEmail: 'boss@example.com' } };
    });
    after(() => h?.close());

    it('signs up with the session fields of the API; both tokens verify to the profile', async () => {
      const s = await signup(deps, { email: ' Ada@Example.com ', password: 'password-1', name: 'Ada' });
      assert.deepEqual(Object.keys(s).sort(), ['access_token', 'expires_in', 'id_token', 'refresh_token', 'token_type', 'user']);
      assert.equal(s.token_type, 'Bearer');
      assert.ok(Number.isInteger(s.expires_in) && s.expires_in > 0);
      assert.deepEqual(s.user, { id: s.user.id, email: 'ada@example.com', name: 'Ada', is_admin: true });
      assert.equal((await h.users.byId(s.user.id))?.email, 'ada@example.com');
      const access = await h.identity.verify(s.access_token);
      assert.deepEqual(access, { userId: s.user.id, email: 'ada@example.com', isAdmin: true, tokenUse: 'access' });
      assert.equal((await h.identity.verify(s.id_token)).tokenUse, 'id');
      const second = await signup(deps, { email: 'bob@example.com', password: 'password-2' });
      assert.equal(second.user.is_admin, false);
      assert.equal((await h.identity.verify(second.access_token)).isAdmin, false);
    });

    it('refuses a duplicate email (conflict) and a short password (validation_error)', async () => {
      await assert.rejects(signup(deps, { email: 'ADA@example.com', password: 'password-9' }), (e) => code(e) === 'conflict');
      await assert.rejects(signup(deps, { email: 'carl@example.com', password: 'short' }), (e) => code(e) === 'validation_error');
    });

    it('logs in with the right password only; a wrong password and an unknown email get the same answer', async () => {
      const ok = await login(deps, { email: 'Ada@example.com', password: 'password-1' });
      assert.equal(ok.user.email, 'ada@example.com');
      assert.equal((await h.identity.verify(ok.access_token)).userId, ok.user.id);
      const wrong = await login(deps, { email: 'ada@example.com', password: 'wrong-pass' }).catch((e) => e);
      const unknown = await login(deps, { email: 'ghost@example.com', password: 'wrong-pass' }).catch((e) => e);
      assert.equal(code(wrong), 'unauthorized');
      assert.equal(code(unknown), 'unauthorized');
      assert.equal(wrong.message, unknown.message);
    });

    it('refreshes: new tokens for the same user; an unknown refresh token is unauthorized', async () => {
      const s = await login(deps, { email: 'bob@example.com', password: 'password-2' });
      const r = await refresh(deps, { refreshToken: s.refresh_token });
      assert.equal(r.user.id, s.user.id);
      assert.ok(r.refresh_token.length > 0);
      assert.equal((await h.identity.verify(r.access_token)).userId, s.user.id);
      await assert.rejects(refresh(deps, { refreshToken: 'made-up-token' }), (e) => code(e) === 'unauthorized');
    });

    it('refuses forged, tampered and malformed bearer tokens', async () => {
      const s = await login(deps, { email: 'bob@example.com', password: 'password-2' });
      const [head, payload, sig] = s.access_token.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
      const tampered = [head, Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url'), sig].join('.');
      await assert.rejects(h.identity.verify(tampered), (e) => code(e) === 'unauthorized');
      await assert.rejects(h.identity.verify('not.a.jwt'), (e) => code(e) === 'unauthorized');
      await assert.rejects(h.identity.verify(''), (e) => code(e) === 'unauthorized');
    });

    it('logs out: that refresh token stops working, another session keeps its own; logging out twice is fine', async (t) => {
      if (h.logoutSkip) return t.skip(h.logoutSkip);
      const a = await login(deps, { email: 'ada@example.com', password: 'password-1' });
      const b = await login(deps, { email: 'bob@example.com', password: 'password-2' });
      await logout(deps, { refreshToken: a.refresh_token });
      await assert.rejects(refresh(deps, { refreshToken: a.refresh_token }), (e) => code(e) === 'unauthorized');
      await logout(deps, { refreshToken: a.refresh_token });
      await logout(deps, { refreshToken: 'never-issued' });
      assert.equal((await refresh(deps, { refreshToken: b.refresh_token })).user.id, b.user.id);
    });

    it('adopts an exported account once: the old password works where the hash moved, else it is refused (reset)', async () => {
      const hash = await new ScryptPasswordHasher({ N: 1024 }).hash('password-7');
      const record = { email: 'Eve@Example.com', name: 'Eve', is_admin: true, created_at: '2024-05-01T10:00:00.000Z', password_hash: hash, hash_scheme: 'scrypt' as const };
      const [first] = await importUsers(h, [record]);
      assert.equal(first?.status, 'created');
      const profile = await h.users.byEmail('eve@example.com');
      assert.deepEqual([profile?.isAdmin, profile?.createdAt, profile?.name], [true, '2024-05-01T10:00:00.000Z', 'Eve']);
      if (first?.password === 'moved') {
        const s = await login(deps, { email: 'eve@example.com', password: 'password-7' });
        assert.deepEqual(await h.identity.verify(s.access_token), { userId: profile!.id, email: 'eve@example.com', isAdmin: true, tokenUse: 'access' });
      } else {
        assert.equal(first?.password, 'reset_required');
        await assert.rejects(login(deps, { email: 'eve@example.com', password: 'password-7' }), (e) => code(e) === 'unauthorized');
      }
      assert.deepEqual(await importUsers(h, [record]), [{ email: 'eve@example.com', status: 'exists', password: 'unchanged' }]);
      const [noHash] = await importUsers(h, [{ ...record, email: 'finn@example.com', password_hash: null, hash_scheme: null }]);
      assert.equal(noHash?.password, 'reset_required');
      await assert.rejects(login(deps, { email: 'finn@example.com', password: 'password-7' }), (e) => code(e) === 'unauthorized');
    });

    it('deletes an account: sign-in, refresh and bearer tokens all refused; the email can sign up again; deleting twice is fine', async () => {
      const s = await signup(deps, { email: 'gone@example.com', password: 'password-3' });
      const keep = await login(deps, { email: 'bob@example.com', password: 'password-2' });
      await h.identity.deleteAccount({ userId: s.user.id, email: 'gone@example.com' });
      assert.equal(await h.users.delete(s.user.id), true);
      await assert.rejects(login(deps, { email: 'gone@example.com', password: 'password-3' }), (e) => code(e) === 'unauthorized');
      if (h.deletedRefreshQuirk) await assert.rejects(refresh(deps, { refreshToken: s.refresh_token }), h.deletedRefreshQuirk);
      else await assert.rejects(refresh(deps, { refreshToken: s.refresh_token }), (e) => code(e) === 'unauthorized');
      await assert.rejects(h.identity.verify(s.access_token), (e) => code(e) === 'unauthorized');
      await h.identity.deleteAccount({ userId: s.user.id, email: 'gone@example.com' });
      await h.identity.deleteAccount({ userId: 'never-existed', email: 'never@example.com' });
      assert.equal((await h.identity.verify(keep.access_token)).userId, keep.user.id, 'another account is untouched');
      const again = await signup(deps, { email: 'gone@example.com', password: 'password-4' });
      assert.notEqual(again.user.id, s.user.id);
    });

    it('a forced reset: login says password_reset_required with a session; complete-reset sets the new password and signs in', async () => {
      if (!h.forceReset) {
        // This provider never forces a reset at sign-in: no session it is shown is valid.
        await assert.rejects(completeReset(deps, { email: 'bob@example.com', session: 'made-up', newPassword: 'password-9' }), (e) => code(e) === 'unauthorized');
        return;
      }
      await importUsers(h, [{ email: 'gail@example.com', name: null, is_admin: false, created_at: '2024-05-01T10:00:00.000Z', password_hash: null, hash_scheme: null }]);
      await h.forceReset('gail@example.com', 'Temp-pass-1');
      const refused = await login(deps, { email: 'gail@example.com', password: 'Temp-pass-1' }).catch((e) => e);
      assert.equal(code(refused), 'password_reset_required');
      const session = refused.details?.session as string;
      assert.ok(typeof session === 'string' && session.length > 0);
      assert.equal(code(await login(deps, { email: 'gail@example.com', password: 'wrong-pass' }).catch((e) => e)), 'unauthorized', 'a wrong password gets no session');
      await assert.rejects(completeReset(deps, { email: 'gail@example.com', session: 'forged-session', newPassword: 'password-8' }), (e) => code(e) === 'unauthorized');
      const done = await completeReset(deps, { email: 'Gail@example.com', session, newPassword: 'password-8' });
      const profile = await h.users.byEmail('gail@example.com');
      assert.deepEqual(done.user, { id: profile!.id, email: 'gail@example.com', name: null, is_admin: false });
      assert.equal((await h.identity.verify(done.access_token)).userId, profile!.id);
      assert.equal((await login(deps, { email: 'gail@example.com', password: 'password-8' })).user.id, profile!.id);
    });
  });
}
