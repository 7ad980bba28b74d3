import { formatTable } from '../format.js';
import type { Criterion } from './check-types.js';
import type { LoadFigures } from './performance.js';

/** The plan's success criteria first, in its order, then the checks the plan's test phase adds. */
export const CRITERIA_ORDER = ['p95', 'cache', 'dropped', 'unauthorized', 'ratelimit', 'waf', 'alerts', 'dashboard', 'cost', 'functional', 'isolation', 'headers', 'ops'];

export interface CheckReport {
  url: string;
  profile: string;
  started_at: string;
  finished_at: string;
  passed: boolean;
  criteria: Criterion[];
  load: LoadFigures | null;
  cleanup: { manuals_remaining: number | null; users: string; failures: string[] };
}

export function sortCriteria(rows: Criterion[]): Criterion[] {
  const rank = (id: string) => (CRITERIA_ORDER.includes(id) ? CRITERIA_ORDER.indexOf(id) : CRITERIA_ORDER.length);
  return [...rows].sort((a, b) => rank(a.id) - rank(b.id));
}

/** Any applicable criterion failed: the command exits non-zero. */
export const failed = (rows: Criterion[]): Criterion[] => rows.filter((r) => r.status === 'fail');

const mark = { pass: 'PASS', fail: 'FAIL', 'n/a': 'n/a' } as const;

export function formatReport(r: CheckReport): string[] {
  const rows = r.criteria.map((c) => [c.criterion, c.measured, mark[c.status], c.reason]);
  const bad = failed(r.criteria);
  const na = r.criteria.filter((c) => c.status === 'n/a').length;
  const cleanup = r.cleanup.failures.length
    ? `cleanup FAILED: ${r.cleanup.failures.join('; ')}`
    : `cleanup: ${r.cleanup.manuals_remaining === 0 ? "every manual the check uploaded is deleted" : `${r.cleanup.manuals_remaining ?? '?'} manuals remain`}; ${r.cleanup.users}`;
  return [
    `manuel check ${r.url} (${r.profile} profile)`,
    '',
    ...formatTable(['CRITERION', 'MEASURED', 'RESULT', 'REASON'], rows),
    '',
    cleanup,
    bad.length === 0
      ? `All ${r.criteria.length - na} applicable criteria pass${na ? ` (${na} not applicable)` : ''}.`
      : `${bad.length} of ${r.criteria.length - na} applicable criteria FAIL: ${bad.map((c) => c.criterion).join('; ')}`,
  ];
}
