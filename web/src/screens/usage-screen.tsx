import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/http-client';
import { friendlyError } from '../lib/friendly-error';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);
const numAt = (o: Json | undefined, ...keys: string[]): number | null => {
  for (const k of keys) if (typeof o?.[k] === 'number') return o[k] as number;
  return null;
};
/** First nested object whose key matches (e.g. "daily", "today", "current_day"). */
const section = (o: unknown, re: RegExp): Json | undefined => {
  if (!isObj(o)) return undefined;
  for (const [k, v] of Object.entries(o)) if (re.test(k) && isObj(v)) return v;
  return undefined;
};
const eur = (n: number) => new Intl.NumberFormat(undefined, { style: 'currency', currency: 'EUR', minimumFractionDigits: 2, maximumFractionDigits: 4 }).format(n);

interface Period {
  used: number | null;
  limit: number | null;
  cost: number | null;
}

function period(usage: unknown, quota: unknown, re: RegExp, prefix: string): Period {
  const u = section(usage, re) ?? (isObj(usage) ? usage : undefined);
  const q = section(quota, re) ?? (isObj(quota) ? quota : undefined);
  return {
    used: numAt(section(usage, re), 'used', 'count', 'queries', 'total') ?? numAt(q, 'used', 'count') ?? numAt(u, `${prefix}_used`, `${prefix}_count`, `${prefix}_queries`),
    limit: numAt(q, 'limit', 'quota') ?? numAt(section(usage, re), 'limit') ?? numAt(isObj(quota) ? quota : undefined, `${prefix}_limit`),
    cost: numAt(section(usage, re), 'cost_eur', 'costEur', 'cost', 'total_cost_eur') ?? numAt(u, `${prefix}_cost_eur`),
  };
}

function PeriodCard({ title, p }: { title: string; p: Period }) {
  const pct = p.used !== null && p.limit ? Math.min(100, Math.round((p.used / p.limit) * 100)) : null;
  return (
    <div class="card usage-period">
      <h2>{title}</h2>
      <p class="big">
        {p.used ?? '–'}
        {p.limit !== null && <span> / {p.limit} questions</span>}
      </p>
      {pct !== null && (
        <div class="meter" role="meter" aria-label={`${title}: quota used`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
          <div class={`meter-fill${pct >= 90 ? ' is-high' : ''}`} style={{ width: `${pct}%` }} />
        </div>
      )}
      {p.cost !== null && <p class="meta">Cost: {eur(p.cost)}</p>}
    </div>
  );
}

function recentList(usage: unknown): Json[] {
  if (!isObj(usage)) return [];
  for (const [k, v] of Object.entries(usage)) if (/recent|history|queries|events/i.test(k) && Array.isArray(v)) return v.filter(isObj);
  return [];
}

export function UsageScreen() {
  const [data, setData] = useState<{ usage: unknown; quota: unknown } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    Promise.all([api<unknown>('/api/user/usage'), api<unknown>('/api/user/quota')])
      .then(([usage, quota]) => setData({ usage, quota }))
      .catch((e) => setError(friendlyError(e)));
  }, []);

  if (error)
    return (
      <main>
        <h1>Usage</h1>
        <p class="error" role="alert">
          {error}
        </p>
      </main>
    );
  if (!data)
    return (
      <main>
        <h1>Usage</h1>
        <p role="status">Loading…</p>
      </main>
    );
  const recent = recentList(data.usage);
  return (
    <main class="usage">
      <h1>Usage</h1>
      <div class="usage-grid">
        <PeriodCard title="Today" p={period(data.usage, data.quota, /daily|today|day/i, 'daily')} />
        <PeriodCard title="This month" p={period(data.usage, data.quota, /monthly|month/i, 'monthly')} />
      </div>
      <p class="hint">Daily quotas reset at 00:00 UTC, monthly ones on the 1st.</p>
      <section class="card" aria-labelledby="recent-usage">
        <h2 id="recent-usage">Recent activity</h2>
        {recent.length === 0 ? (
          <p>Nothing yet.</p>
        ) : (
          <ul class="recent-usage">
            {recent.map((r, i) => {
              const detail = isObj(r.detail) ? r.detail : r;
              const what = String(detail.question ?? r.question ?? r.operation ?? '');
              const when = String(r.at ?? r.timestamp ?? r.date ?? '');
              const cost = numAt(r, 'cost_eur', 'costEur', 'cost');
              return (
                <li key={i}>
                  <span class="what">{what}</span>
                  <span class="meta">
                    {when && new Date(when).toLocaleString()}
                    {cost !== null && ` · ${eur(cost)}`}
                  </span>
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </main>
  );
}
