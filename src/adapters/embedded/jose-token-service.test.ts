import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JoseTokenService, loadJwtSecret } from './jose-token-service.js';

it('generates the JWT secret once, mode 0600, and prefers the JwtSecret parameter', () => {
  const dir = mkdtempSync(join(tmpdir(), 'manuel-jwt-'));
  try {
    const a = loadJwtSecret('', dir);
    assert.ok(a.length >= 32);
    assert.equal(statSync(join(dir, 'jwt-secret')).mode & 0o777, 0o600);
    assert.equal(loadJwtSecret('', dir), a, 'kept across restarts');
    assert.equal(readFileSync(join(dir, 'jwt-secret'), 'utf8').trim(), a);
    assert.equal(loadJwtSecret('p'.repeat(32), dir), 'p'.repeat(32));
    assert.throws(() => loadJwtSecret('short', dir), /JwtSecret/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('remembers a verified token only until it expires, and never a forged or tampered one', async () => {
  let now = Date.now();
  const tokens = new JoseTokenService('k'.repeat(40), 30, () => now);
  const { accessToken } = await tokens.issue({ id: 'u1', email: 'u1@example.com', name: null, isAdmin: false });
  assert.deepEqual(await tokens.verify(accessToken), { userId: 'u1', email: 'u1@example.com', isAdmin: false, tokenUse: 'access' });
  // Same text again: answered from memory, same claims (a copy: a caller cannot change what is remembered).
  const again = await tokens.verify(accessToken);
  again.isAdmin = true;
  assert.equal((await tokens.verify(accessToken)).isAdmin, false);
  // Tampered after it was remembered: another string, so checked, and refused.
  const [h, p, sig] = accessToken.split('.');
  const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
  const tampered = [h, Buffer.from(JSON.stringify({ ...payload, admin: true })).toString('base64url'), sig].join('.');
  await assert.rejects(tokens.verify(tampered), /Invalid token/);
  const forged = await new JoseTokenService('z'.repeat(40), 30).issue({ id: 'u1', email: 'u1@example.com', name: null, isAdmin: true });
  await assert.rejects(tokens.verify(forged.accessToken), /Invalid token/);
  // Past its exp the remembered token is refused like any expired one.
  now += 31_000;
  await assert.rejects(tokens.verify(accessToken), /expired/i);
});
