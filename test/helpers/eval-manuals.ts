import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, found from this compiled file (dist/test/helpers) or the source. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', ...(import.meta.url.includes('/dist/') ? ['..'] : []));

/** The evaluation set kept in the repository (eval/: questions, fetch script, checksums), or MANUEL_EVAL_DIR. */
export const evalDir = process.env.MANUEL_EVAL_DIR || resolve(repoRoot, 'eval');

export interface QaItem {
  id: string;
  manual: string;
  question: string;
  pages: number[];
  answer_terms: string[];
  kind: string;
}

export function loadQa(): QaItem[] {
  return JSON.parse(readFileSync(join(evalDir, 'qa.json'), 'utf8')) as QaItem[];
}

/** Fetches the four eval manuals once into .eval-cache/manuals (checksummed by eval/fetch-manuals.sh). */
export function evalManualsDir(): string {
  const out = join(repoRoot, '.eval-cache', 'manuals');
  const names = ['freedombox-manual.pdf', 'gpredict-user-manual.pdf', 'expeyes17-user-manual.pdf', 'openni-user-guide.pdf'];
  if (!names.every((n) => existsSync(join(out, n)))) {
    execFileSync('bash', [join(evalDir, 'fetch-manuals.sh'), out], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  return out;
}
