import { formatDate, formatTree } from './format.js';

/** The fields of /api/user/usage and /api/user/quota the human view shows; --json has everything. */
interface Period {
  count: number;
  limit: number;
  remaining: number;
  cost_eur?: number;
  operations?: Record<string, number>;
}

interface UsageBody {
  daily?: Period;
  monthly?: Period;
  historical?: { date: string; daily_count: number }[];
  recent_queries?: { question?: string; at?: string; response_time_ms?: number; voice?: boolean; context_found?: boolean }[];
}

const isPeriod = (p: unknown): p is Period => typeof p === 'object' && p !== null && typeof (p as Period).count === 'number';

const ops = (o: Record<string, number> | undefined) =>
  Object.entries(o ?? {})
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

function periodLine(label: string, p: Period): string {
  const cost = typeof p.cost_eur === 'number' ? `, ${p.cost_eur.toFixed(4)} EUR` : '';
  return `${label.padEnd(11)}${p.count} of ${p.limit} requests, ${p.remaining} left${cost} (${ops(p.operations)})`;
}

export function usageLines(usage: unknown, quota: unknown): string[] {
  const u = (usage ?? {}) as UsageBody;
  // An answer of another shape is still shown, just less neatly.
  if (!isPeriod(u.daily) || !isPeriod(u.monthly)) return ['Usage', ...formatTree(usage, '  '), '', 'Quota', ...formatTree(quota, '  ')];
  const lines = [periodLine('Today', u.daily), periodLine('This month', u.monthly)];
  const status = (quota as { status?: string } | null)?.status;
  if (status) lines.push(`Status     ${status}`);
  if (u.historical?.length) lines.push('', `Last ${u.historical.length} days: ${u.historical.map((d) => `${d.date.slice(5)} ${d.daily_count}`).join(' | ')}`);
  const recent = u.recent_queries ?? [];
  if (recent.length) {
    lines.push('', 'Recent questions:');
    for (const q of recent.slice(0, 5)) {
      const how = [q.voice ? 'spoken' : '', typeof q.response_time_ms === 'number' ? `${q.response_time_ms} ms` : '', q.context_found === false ? 'no answer found' : '']
        .filter(Boolean)
        .join(', ');
      lines.push(`  ${formatDate(q.at)}  "${q.question ?? '?'}"${how ? ` (${how})` : ''}`);
    }
  }
  return lines;
}
