import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type SqliteDb } from '../../adapters/embedded/sqlite-db.js';
import { SqliteRefreshTokenRepo } from '../../adapters/embedded/sqlite-refresh-token-repo.js';
import { ScryptPasswordHasher } from '../../adapters/embedded/scrypt-password-hasher.js';
import { JoseTokenService } from '../../adapters/embedded/jose-token-service.js';
import { LocalIdentityProvider } from '../../adapters/embedded/local-identity-provider.js';
import { InMemoryUserRepo, ManualClock } from '../../../test/helpers/fakes.js';
import { isManuelError } from '../errors.js';
import type { AuthDeps } from './auth-session.js';
import { signup } from './signup.js';
import { login } from './login.js';
import { refresh } from './refresh.js';

const code = (e: unknown) => (isManuelError(e) ? e.code : String(e));

describe('auth use cases (scrypt, jose, sqlite refresh tokens)', () => {
  let dir: string;
  let db: SqliteDb;
  let deps: AuthDeps;
  let clock: ManualClock;
  let tokens: JoseTokenService;
  let hasher: ScryptPasswordHasher;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'manuel-auth-'));
    db = openDatabase(join(dir, 'manuel.db'));
    clock = new ManualClock();
    const users = new InMemoryUserRepo();
    tokens = new JoseTokenService('x'.repeat(40), 600);
    hasher = new ScryptPasswordHasher({ N: 1024 });
    const identity = new LocalIdentityProvider({ users, hasher, tokens, refreshTokens: new SqliteRefreshTokenRepo(db), clock, refreshTokenTtlDays: 30 });
    deps = { users, identity, clock, settings: { adminEmail: 'Boss@Example.com' } };
  });
  after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs up: first account is admin, the AdminEmail account is admin, others are not', async () => {
    const first = await signup(deps, { email: ' First@Example.com ', password: 'password-1', name: 'First' });
    assert.equal(first.user.email, 'first@example.com');
    assert.equal(first.user.is_admin, true);
    assert.equal(first.expires_in, 600);
    const claims = await tokens.verify(first.access_token);
    assert.equal(claims.userId, first.user.id);
    assert.equal(claims.isAdmin, true);
    assert.equal((await tokens.verify(first.id_token)).tokenUse, 'id');

    const second = await signup(deps, { email: 'second@example.com', password: 'password-2' });
    assert.equal(second.user.is_admin, false);
    const boss = await signup(deps, { email: 'boss@example.com', password: 'password-3' });
    assert.equal(boss.user.is_admin, true);
  });

  it('refuses a duplicate email and a short password', async () => {
    await assert.rejects(signup(deps, { email: 'FIRST@example.com', password: 'another-pass' }), (e) => code(e) === 'conflict');
    await assert.rejects(signup(deps, { email: 'new@example.com', password: 'short' }), (e) => code(e) === 'validation_error');
  });

  it('stores a salted scrypt hash, never the password', async () => {
    const user = await deps.users.byEmail('second@example.com');
    assert.ok(user);
    assert.match(user.passwordHash, /^scrypt\$1024\$8\$1\$/);
    assert.ok(!user.passwordHash.includes('password-2'));
    const again = await hasher.hash('password-2');
    assert.notEqual(again, user.passwordHash, 'a per-user salt makes equal passwords hash differently');
  });

  it('logs in with the right password only, same error for unknown email', async () => {
    const ok = await login(deps, { email: 'second@example.com', password: 'password-2' });
    assert.equal(ok.user.email, 'second@example.com');
    const wrong = await login(deps, { email: 'second@example.com', password: 'nope-nope' }).catch((e) => e);
    const unknown = await login(deps, { email: 'ghost@example.com', password: 'nope-nope' }).catch((e) => e);
    assert.equal(code(wrong), 'unauthorized');
    assert.equal(code(unknown), 'unauthorized');
    assert.equal(wrong.message, unknown.message);
  });

  it('rotates refresh tokens; a reused token ends every session of that user', async () => {
    const s = await login(deps, { email: 'first@example.com', password: 'password-1' });
    const other = await login(deps, { email: 'first@example.com', password: 'password-1' });
    const r1 = await refresh(deps, { refreshToken: s.refresh_token });
    assert.notEqual(r1.refresh_token, s.refresh_token);
    assert.equal((await tokens.verify(r1.access_token)).userId, s.user.id);
    await assert.rejects(refresh(deps, { refreshToken: s.refresh_token }), (e) => code(e) === 'unauthorized');
    // theft response: the rotated descendant and the other device's token are revoked too
    await assert.rejects(refresh(deps, { refreshToken: r1.refresh_token }), (e) => code(e) === 'unauthorized');
    await assert.rejects(refresh(deps, { refreshToken: other.refresh_token }), (e) => code(e) === 'unauthorized');
  });

  it('refuses expired and unknown refresh tokens', async () => {
    const s = await login(deps, { email: 'second@example.com', password: 'password-2' });
    clock.advance(31 * 86_400_000);
    await assert.rejects(refresh(deps, { refreshToken: s.refresh_token }), (e) => code(e) === 'unauthorized');
    await assert.rejects(refresh(deps, { refreshToken: 'made-up' }), (e) => code(e) === 'unauthorized');
  });

  it('refuses forged, tampered and expired access tokens', async () => {
    const s = await login(deps, { email: 'second@example.com', password: 'password-2' });
    const forged = await new JoseTokenService('y'.repeat(40), 600).issue({ id: s.user.id, email: s.user.email, name: null, isAdmin: true });
    await assert.rejects(tokens.verify(forged.accessToken), (e) => code(e) === 'unauthorized');
    const [h, p, sig] = s.access_token.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const tampered = [h, Buffer.from(JSON.stringify({ ...payload, admin: true })).toString('base64url'), sig].join('.');
    await assert.rejects(tokens.verify(tampered), (e) => code(e) === 'unauthorized');
    const shortLived = new JoseTokenService('x'.repeat(40), 1);
    const t = await shortLived.issue({ id: 'u', email: 'u@example.com', name: null, isAdmin: false });
    await new Promise((r) => setTimeout(r, 2100));
    await assert.rejects(shortLived.verify(t.accessToken), (e) => isManuelError(e) && /expired/i.test(e.message));
  });
});
