/** Paths and loaders shared by the infra tests (templates, parameters files, scripts). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../helpers/eval-manuals.js';

export { repoRoot };
export const infraPath = (...p: string[]) => join(repoRoot, 'infra', ...p);

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Json = any;

interface CfnYamlModule {
  parseCfnYaml(text: string): Json;
  CFN_TAGS: Record<string, string>;
}
interface SamOverridesModule {
  formatValue(value: unknown): string;
  toOverrides(params: Record<string, unknown>, declared?: Set<string>): { pairs: string[]; dropped: string[] };
  readParameters(path: string): Record<string, unknown>;
  templateParameterNames(path: string): Set<string>;
  main(argv: string[]): { text: string; dropped: string[] };
}

/** The .mjs modules live outside the TypeScript build (infra/, scripts/): loaded from the repository. */
export const loadCfnYaml = () => import(pathToFileURL(infraPath('cfn-yaml.mjs')).href) as Promise<CfnYamlModule>;
export const loadSamOverrides = () => import(pathToFileURL(join(repoRoot, 'scripts', 'sam-overrides.mjs')).href) as Promise<SamOverridesModule>;

export async function loadTemplate(name: 'template.yaml' | 'template-minimal.yaml'): Promise<Json> {
  const { parseCfnYaml } = await loadCfnYaml();
  return parseCfnYaml(readFileSync(infraPath(name), 'utf8'));
}

export const readJson = (path: string): Json => JSON.parse(readFileSync(path, 'utf8'));
