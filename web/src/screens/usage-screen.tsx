import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/http-client';
import { friendlyError } from '../lib/friendly-error';

/** GET /api/user/usage (the parts shown here). A limit of 0 means no limit. */
interface PeriodUsage {
  count: number;
  limit: number;
  remaining: number;
  cost_eur: number;
}
interface Usage {
  daily: PeriodUsage;
  monthly: PeriodUsage;
  recent_queries: { at: string; cost_eur: number; question?: string; response_time_ms?: number; voice?: boolean }[];
}
interface Quota {
  status?: string;
}

const eur = (n: number) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency: 'EUR', minimumFractionDigits: 2, maximumFractionDigits: 4 }).format(n);

function PeriodCard({ title, p, resets }: { title: string; p: PeriodUsage; resets: string }) {
  const pct = p.limit > 0 ? Math.min(100, Math.round((p.count / p.limit) * 100)) : null;
  return (
    <div class="card usage-period" aria-label={title}>
      <h2>{title}</h2>
      <p class="big">
        {p.count}
        <span>{p.limit > 0 ? ` / ${p.limit} questions` : ' questions (no limit)'}</span>
      </p>
      {pct !== null && (
        <div class="meter" role="meter" aria-label={`${title}: share of the quota used`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
          <div class={`meter-fill${pct >= 90 ? ' is-high' : ''}`} style={{ width: `${pct}%` }} />
        </div>
      )}
      <p class="meta">
        {p.limit > 0 && `${p.remaining} left, resets ${resets} · `}Cost {eur(p.cost_eur)}
      </p>
    </div>
  );
}

export function UsageScreen() {
  const [data, setData] = useState<{ usage: Usage; quota: Quota } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    Promise.all([api<Usage>('/api/user/usage'), api<Quota>('/api/user/quota').catch(() => ({}) as Quota)])
      .then(([usage, quota]) => setData({ usage, quota }))
      .catch((e) => setError(friendlyError(e)));
  }, []);

  return (
    <main class="usage">
      <h1>Usage</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!data && !error && <p role="status">Loading…</p>}
      {data && (
        <>
          <div class="usage-grid">
            <PeriodCard title="Today" p={data.usage.daily} resets="at 00:00 UTC" />
            <PeriodCard title="This month" p={data.usage.monthly} resets="on the 1st at 00:00 UTC" />
          </div>
          {data.quota.status && data.quota.status !== 'OK' && <p class="hint">Quota status: {data.quota.status.toLowerCase()}</p>}
          <section class="card" aria-labelledby="recent-usage">
            <h2 id="recent-usage">Recent questions</h2>
            {data.usage.recent_queries.length === 0 ? (
              <p>No questions yet.</p>
            ) : (
              <ul class="recent-usage">
                {data.usage.recent_queries.map((r, i) => (
                  <li key={i}>
                    <span class="what">
                      {r.voice ? '🎤 ' : ''}
                      {r.question ?? '(question)'}
                    </span>
                    <span class="meta">
                      {new Date(r.at).toLocaleString()}
                      {typeof r.response_time_ms === 'number' && ` · ${r.response_time_ms} ms`} · {eur(r.cost_eur)}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </main>
  );
}
