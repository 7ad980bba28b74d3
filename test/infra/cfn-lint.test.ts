import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { infraPath } from './infra-files.js';

/**
 * cfn-lint (the Python one, 1.x: it knows SAM through aws-sam-translator, and WAFv2) on both templates:
 * no errors allowed; warnings are printed as diagnostics. The npm package of the same name is too old
 * for WAFv2. Skipped, with the reason, where cfn-lint is not installed (`pip install cfn-lint`).
 */
function findCfnLint(): string | undefined {
  for (const candidate of ['cfn-lint', '/root/.pyenv/shims/cfn-lint']) {
    if (candidate.startsWith('/') && !existsSync(candidate)) continue;
    const r = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    if (r.status === 0 && /cfn-lint 1\./.test(r.stdout + r.stderr)) return candidate;
  }
  return undefined;
}

const cfnLint = findCfnLint();

test('cfn-lint finds no error in template.yaml and template-minimal.yaml', { skip: cfnLint ? false : 'cfn-lint 1.x is not installed (pip install cfn-lint)', timeout: 300_000 }, (t) => {
  const files = [infraPath('template.yaml'), infraPath('template-minimal.yaml')];
  const r = spawnSync(cfnLint!, ['--format', 'parseable', ...files], { encoding: 'utf8', timeout: 280_000 });
  assert.equal(r.error, undefined, String(r.error));
  const lines = r.stdout.split('\n').filter(Boolean);
  // parseable: file:line:column:endline:endcolumn:RULE:message
  const findings = lines.map((l) => {
    const m = /^(.*?):(\d+):(\d+):\d+:\d+:([EWI]\d{4}):(.*)$/.exec(l);
    assert.ok(m, `unexpected cfn-lint output: ${l}`);
    return { file: m[1]!.replace(/^.*\/infra\//, 'infra/'), line: Number(m[2]), rule: m[4]!, message: m[5]! };
  });
  for (const f of findings.filter((x) => !x.rule.startsWith('E'))) t.diagnostic(`${f.rule} ${f.file}:${f.line} ${f.message}`);
  assert.deepEqual(findings.filter((x) => x.rule.startsWith('E')), []);
  // exit status: 2 = errors (bit 1); warnings (4) and informational (8) are allowed
  assert.equal((r.status ?? 1) & 3, 0, r.stderr);
});
