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

/**
 * The question sets: `dev` (eval/qa.json, 60 questions on four manuals; the CI floors hold for it),
 * `dev-plain` (eval/qa-plain.json, plain-language questions on the same manuals, asking for the
 * option, command or table row by what it does) — methods and knobs are chosen on these two — and
 * `unseen` (eval/unseen/qa.json, four other manuals; held out until session 6 of issue 11, tuning data since)
 * and `heldout-2` (eval/heldout-2/qa.json, three more manuals; only ever scored, but printed by every eval
 * since issue 11 session 6) and `heldout-3` (eval/heldout-3/qa.json, three more; held out since session 18).
 */
export type EvalSet = 'dev' | 'dev-plain' | 'unseen' | 'heldout-2' | 'heldout-3';

/** The sets with manuals of their own (each in a folder of eval/ with manuals.list and manuals.sha256). */
export const separateSets = ['unseen', 'heldout-2', 'heldout-3'] as const;

const hasOwnManuals = (set: EvalSet) => (separateSets as readonly string[]).includes(set);
const setDir = (set: EvalSet) => (hasOwnManuals(set) ? join(evalDir, set) : evalDir);

export function loadQa(set: EvalSet = 'dev'): QaItem[] {
  return JSON.parse(readFileSync(join(setDir(set), set === 'dev-plain' ? 'qa-plain.json' : 'qa.json'), 'utf8')) as QaItem[];
}

/** Fetches a set's manuals once into .eval-cache/manuals[-SET] (checksummed by eval/fetch-manuals.sh). */
export function evalManualsDir(set: EvalSet = 'dev'): string {
  const dev = !hasOwnManuals(set);
  const out = join(repoRoot, '.eval-cache', dev ? 'manuals' : `manuals-${set}`);
  const names = dev ? ['freedombox-manual.pdf', 'gpredict-user-manual.pdf', 'expeyes17-user-manual.pdf', 'openni-user-guide.pdf'] : [...new Set(loadQa(set).map((q) => q.manual))];
  if (!names.every((n) => existsSync(join(out, n)))) {
    const args = [join(evalDir, 'fetch-manuals.sh'), out, ...(dev ? [] : [setDir(set)])];
    execFileSync('bash', args, { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  return out;
}
