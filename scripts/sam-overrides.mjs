#!/usr/bin/env node
// @ts-check
/**
 * Turns a parameters file ({"Parameters": {...}}, the same file the embedded server reads) into the
 * `--parameter-overrides` string of `sam deploy`, which reads no overrides file:
 *
 *   sam deploy --config-env full \
 *     --parameter-overrides "$(node scripts/sam-overrides.mjs infra/parameters-full.json --template infra/template.yaml)"
 *
 * With --template, names the template does not declare (embedded-only ones such as RedisUrl, which
 * CloudFormation would refuse) are left out and listed on stderr. Empty values and values with spaces
 * or quotes are double-quoted the way SAM CLI's parser unquotes them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// One CloudFormation YAML reader (short tags such as !Ref and !If) for the cost model, the template tests and
// this script: src/deploy/cfn-template.ts, compiled by `npm run build` (which `npm test` runs first).
const compiled = new URL('../dist/src/deploy/cfn-template.js', import.meta.url);
if (!existsSync(compiled)) {
  process.stderr.write(`sam-overrides: ${fileURLToPath(compiled)} is missing: run \`npm run build\` first\n`);
  process.exit(2);
}
/** @type {{ readTemplate(path: string): { Parameters?: Record<string, unknown> } }} */
const { readTemplate } = await import(compiled.href);

/**
 * One value as SAM CLI's CfnParameterOverridesType reads it (samcli/cli/types.py): bare when it has no
 * space, double quote or leading apostrophe; otherwise in double quotes with `\"` for a quote. SAM then
 * strips the wrapping quotes and unescapes `\ `, `\"` and `\'` only, so a value where a backslash
 * precedes one of those (or ends the value) cannot round-trip and is refused.
 * @param {unknown} value
 */
export function formatValue(value) {
  if (value === null || value === undefined) return '""';
  if (typeof value === 'object') throw new Error(`parameter values must be strings, numbers or booleans, got ${JSON.stringify(value)}`);
  const s = String(value);
  if (/[\r\n]/.test(s)) throw new Error('parameter values cannot contain line breaks');
  if (/\\([ "']|$)/.test(s)) throw new Error(`SAM CLI would change ${JSON.stringify(s)}: a backslash before a space, a quote or the end`);
  if (s !== '' && !/[\s"]/.test(s) && !s.startsWith("'")) return s;
  return `"${s.replace(/"/g, '\\"')}"`;
}

/**
 * @param {Record<string, unknown>} params
 * @param {Set<string> | undefined} declared the template's parameter names (undefined: keep all)
 * @returns {{ pairs: string[], dropped: string[] }}
 */
export function toOverrides(params, declared) {
  const pairs = [];
  const dropped = [];
  for (const [key, value] of Object.entries(params)) {
    if (!/^[A-Za-z0-9]+$/.test(key)) throw new Error(`"${key}" is not a CloudFormation parameter name`);
    if (declared && !declared.has(key)) dropped.push(key);
    else pairs.push(`${key}=${formatValue(value)}`);
  }
  return { pairs, dropped };
}

/** @param {string} path @returns {Record<string, unknown>} */
export function readParameters(path) {
  const json = JSON.parse(readFileSync(path, 'utf8'));
  if (Array.isArray(json)) return Object.fromEntries(json.map((p) => [p.ParameterKey, p.ParameterValue]));
  if (!json || typeof json !== 'object' || !json.Parameters || typeof json.Parameters !== 'object') {
    throw new Error(`${path} must look like {"Parameters": {...}}`);
  }
  return json.Parameters;
}

/** @param {string} templatePath @returns {Set<string>} */
export function templateParameterNames(templatePath) {
  return new Set(Object.keys(readTemplate(templatePath).Parameters ?? {}));
}

/** @param {string[]} argv */
export function main(argv) {
  const args = [...argv];
  let template;
  const t = args.indexOf('--template');
  if (t >= 0) {
    template = args[t + 1];
    if (!template) throw new Error('--template needs a path');
    args.splice(t, 2);
  }
  if (args.length !== 1 || args[0].startsWith('-')) {
    throw new Error('usage: sam-overrides.mjs <parameters.json> [--template <template.yaml>]');
  }
  const { pairs, dropped } = toOverrides(readParameters(args[0]), template ? templateParameterNames(template) : undefined);
  return { text: pairs.join(' '), dropped };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { text, dropped } = main(process.argv.slice(2));
    if (dropped.length) process.stderr.write(`sam-overrides: not in the template, left out: ${dropped.join(', ')}\n`);
    process.stdout.write(`${text}\n`);
  } catch (e) {
    process.stderr.write(`sam-overrides: ${/** @type {Error} */ (e).message}\n`);
    process.exit(2);
  }
}
