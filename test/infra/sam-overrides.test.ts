import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { infraPath, loadSamOverrides, readJson, repoRoot } from './infra-files.js';

/**
 * How SAM CLI reads `--parameter-overrides "K=V K2=V2"`: a port of CfnParameterOverridesType
 * (samcli/cli/types.py: `_generate_match_regex('.', ' ')` and `_unquote_wrapped_quotes`), the SAM CLI
 * not being installed here. The round trip below is what proves the script's quoting.
 */
function samParse(overrides: string): Record<string, string> {
  const key = `([A-Za-z0-9\\\\"']+)`;
  const value = `("(?:\\\\.|[^"\\\\]+)*"|'(?:\\\\.|[^'\\\\]+)*'|(?:\\\\.|[^ "\\\\]+)+)`;
  const re = new RegExp(`(?:(?: )${key}=${value})`, 'g');
  const unquote = (v: string) => {
    if (v && ((v[0] === v.at(-1) && v[0] === '"') || (v[0] === v.at(-1) && v[0] === "'")) && v.length >= 2) v = v.slice(1, -1);
    return v.replaceAll('\\ ', ' ').replaceAll('\\"', '"').replaceAll("\\'", "'");
  };
  const out: Record<string, string> = {};
  for (const m of (' ' + overrides.trim()).matchAll(re)) out[unquote(m[1]!)] = unquote(m[2]!);
  return out;
}

test('values survive SAM CLI parsing: empty, spaces, quotes, apostrophes, backslashes, numbers', async () => {
  const { toOverrides } = await loadSamOverrides();
  const params = {
    Empty: '',
    Plain: 'prod',
    Spaced: 'two words  and more',
    Quoted: 'say "hi" now',
    Apostrophe: "'leading and it's",
    Url: 'https://hooks.example.com/a?b=c&d=e',
    Cidrs: '203.0.113.7/32,198.51.100.0/24',
    Windows: 'C:\\dir\\file',
    Num: 0.5,
    Bool: true,
  };
  const { pairs, dropped } = toOverrides(params);
  assert.deepEqual(dropped, []);
  const parsed = samParse(pairs.join(' '));
  assert.deepEqual(parsed, Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])));
});

test('values SAM CLI would alter are refused, not silently changed', async () => {
  const { formatValue } = await loadSamOverrides();
  assert.throws(() => formatValue('ends with \\'), /backslash/);
  assert.throws(() => formatValue('a\\ b'), /backslash/);
  assert.throws(() => formatValue('two\nlines'), /line breaks/);
  assert.throws(() => formatValue({ a: 1 }), /strings, numbers or booleans/);
});

test('with --template, names the template does not declare are left out and reported', async () => {
  const { main } = await loadSamOverrides();
  const { text, dropped } = main([infraPath('parameters-full.json'), '--template', infraPath('template.yaml')]);
  const parsed = samParse(text);
  const file = readJson(infraPath('parameters-full.json')).Parameters as Record<string, string>;
  assert.ok(dropped.includes('RedisUrl'), 'RedisUrl is derived from the cache in the aws shape');
  for (const [k, v] of Object.entries(file)) {
    if (dropped.includes(k)) assert.equal(parsed[k], undefined);
    else assert.equal(parsed[k], String(v), k);
  }
  assert.equal(parsed.EnableWAF, 'true');
  assert.equal(parsed.AlertWebhookUrl, '');
});

test('every parameters file yields overrides its own template accepts (nothing dropped but embedded-only names)', async () => {
  const { main } = await loadSamOverrides();
  const embeddedOnly = new Set(['RedisUrl', 'OtelExporterEndpoint', 'TextModelEndpoint', 'TextModelApiKey', 'TranscribeEndpoint', 'TranscribeModelId', 'TranscribeApiKey', 'EmbeddingWorkers', 'TrustedProxies']);
  for (const [file, template] of [
    ['parameters-minimal.json', 'template-minimal.yaml'],
    ['parameters-migration.json', 'template.yaml'],
    ['parameters-full.json', 'template.yaml'],
  ] as const) {
    const { dropped } = main([infraPath(file), '--template', infraPath(template)]);
    const minimalFlags = template === 'template-minimal.yaml' ? (k: string) => k.startsWith('Enable') : () => false;
    for (const k of dropped) assert.ok(embeddedOnly.has(k) || minimalFlags(k), `${file}: ${k} is not declared by ${template}`);
  }
});

test('the command line prints the overrides, reports dropped names on stderr, and fails with a usage line', () => {
  const script = join(repoRoot, 'scripts', 'sam-overrides.mjs');
  const ok = spawnSync(process.execPath, [script, infraPath('parameters-migration.json'), '--template', infraPath('template.yaml')], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^Environment=prod EnableAdvancedSecurity=false .*KnowledgeBaseRetrievalResults=5\n$/);
  const min = spawnSync(process.execPath, [script, infraPath('parameters-minimal.json'), '--template', infraPath('template-minimal.yaml')], { encoding: 'utf8' });
  assert.equal(min.status, 0, min.stderr);
  assert.match(min.stderr, /left out: EnableAdvancedSecurity, EnableAdvancedErrorHandling/);
  assert.doesNotMatch(min.stdout, /Enable/);
  const bad = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /usage: sam-overrides\.mjs <parameters\.json>/);
});
