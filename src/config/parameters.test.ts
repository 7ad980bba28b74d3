import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseParameters, parametersFromEnv, readParametersFile } from './parameters.js';
import { loadEmbeddedConfig } from './config.js';

test('defaults need no configuration at all (minimal profile: every Enable* flag off)', () => {
  const p = parseParameters({});
  assert.equal(p.DailyQuotaLimit, 50);
  assert.equal(p.EnableWAF, false);
  assert.equal(p.EnableRedisCache, false);
  assert.equal(p.KnowledgeBaseRetrievalResults, 5);
});

test('an unknown parameter stops start-up with its name', () => {
  assert.throws(() => parseParameters({ DailyQuotaLimt: 5 }), (e: unknown) => e instanceof ConfigError && /DailyQuotaLimt/.test(e.message));
});

test('an invalid value names the parameter', () => {
  assert.throws(() => parseParameters({ MaxManualSizeMB: 'lots' }), /MaxManualSizeMB/);
  assert.throws(() => parseParameters({ EnableWAF: 'yes' }), /EnableWAF/);
});

test('strings from the environment or SAM files are coerced', () => {
  const p = parseParameters({ DailyQuotaLimit: '7', EnableWAF: 'true' });
  assert.equal(p.DailyQuotaLimit, 7);
  assert.equal(p.EnableWAF, true);
});

test('the parameters file format of the SAM stack is read, and the environment overrides it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'manuel-cfg-'));
  try {
    const file = join(dir, 'parameters-migration.json');
    writeFileSync(file, JSON.stringify({ Parameters: { DailyQuotaLimit: '20', EnableRedisCache: 'false' } }));
    assert.deepEqual(readParametersFile(file), { DailyQuotaLimit: '20', EnableRedisCache: 'false' });
    const cfg = loadEmbeddedConfig({ MANUEL_PARAMETERS: file, DailyQuotaLimit: '30', MANUEL_DATA_DIR: dir });
    assert.equal(cfg.parameters.DailyQuotaLimit, 30);
    assert.equal(cfg.dataDir, dir);
    assert.equal(cfg.port, 3000);
    writeFileSync(file, '{"DailyQuotaLimit": 1}');
    assert.throws(() => readParametersFile(file), /must look like/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('only environment variables named like a parameter are taken', () => {
  assert.deepEqual(parametersFromEnv({ PATH: '/bin', RateLimitRequests: '9' }), { RateLimitRequests: '9' });
});

test('IPAllowlist, TrustedProxies and CorsAllowedOrigins are checked at start-up, naming the parameter and the entry', () => {
  assert.throws(() => parseParameters({ IPAllowlist: '10.0.0.0/8, 10.0.0.256' }), (e: unknown) => e instanceof ConfigError && /IPAllowlist/.test(e.message) && /10\.0\.0\.256/.test(e.message));
  assert.throws(() => parseParameters({ TrustedProxies: 'fd00::/200' }), /TrustedProxies/);
  assert.throws(() => parseParameters({ CorsAllowedOrigins: '*' }), /CorsAllowedOrigins/);
  assert.throws(() => parseParameters({ CorsAllowedOrigins: 'https://a.example/path' }), /CorsAllowedOrigins/);
  const p = parseParameters({ IPAllowlist: '10.0.0.0/8,2001:db8::/32', TrustedProxies: '127.0.0.1', CorsAllowedOrigins: 'https://a.example, http://localhost:5173' });
  assert.equal(p.IPAllowlist, '10.0.0.0/8,2001:db8::/32');
});

test('AlertWebhookUrl is an http(s) URL or empty, checked at start-up', () => {
  assert.equal(parseParameters({ AlertWebhookUrl: 'http://127.0.0.1:9000/hook' }).AlertWebhookUrl, 'http://127.0.0.1:9000/hook');
  assert.equal(parseParameters({}).AlertWebhookUrl, '');
  for (const bad of ['ftp://x/y', 'hooks.slack.com/services/x', 'http://']) {
    assert.throws(() => parseParameters({ AlertWebhookUrl: bad }), (e: unknown) => e instanceof ConfigError && /AlertWebhookUrl/.test(e.message), bad);
  }
});
