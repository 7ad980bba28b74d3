import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadJwtSecret } from './jose-token-service.js';

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
