/** Paths and loaders shared by the infra tests (templates, parameters files, scripts). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readTemplate } from '../../src/deploy/cfn-template.js';
import { repoRoot } from '../helpers/eval-manuals.js';

export { repoRoot };
export const infraPath = (...p: string[]) => join(repoRoot, 'infra', ...p);

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Json = any;

interface SamOverridesModule {
  formatValue(value: unknown): string;
  toOverrides(params: Record<string, unknown>, declared?: Set<string>): { pairs: string[]; dropped: string[] };
  readParameters(path: string): Record<string, unknown>;
  templateParameterNames(path: string): Set<string>;
  main(argv: string[]): { text: string; dropped: string[] };
}

/** The .mjs script lives outside the TypeScript build (scripts/): loaded from the repository. */
export const loadSamOverrides = () => import(pathToFileURL(join(repoRoot, 'scripts', 'sam-overrides.mjs')).href) as Promise<SamOverridesModule>;

/** A template in CloudFormation's long JSON form, read as the cost model and scripts/sam-overrides.mjs read it. */
export async function loadTemplate(name: 'template.yaml' | 'template-minimal.yaml'): Promise<Json> {
  return readTemplate(infraPath(name));
}

export const readJson = (path: string): Json => JSON.parse(readFileSync(path, 'utf8'));
