import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError } from '../api/http-client';
import { friendlyError } from '../lib/friendly-error';
import { round, TimeChart, type ChartSeries } from './time-chart';

/** GET /api/admin/dashboard (docs/decisions/0014-metrics-alarms-dashboard.md). */
interface Dashboard {
  generated_at: string;
  window_minutes: number;
  series: {
    t: number[];
    requests: number[];
    errors_5xx: number[];
    errors_4xx: number[];
    p50_ms: (number | null)[];
    p95_ms: (number | null)[];
    cache_hits: number[];
    cache_misses: number[];
    cache_bypass: number[];
    pages_ingested: number[];
    jobs_queued: number[];
    queue_depth: (number | null)[];
    dlq_size: (number | null)[];
  };
  cache_hit_rate: number | null;
  cost_by_day: { day: string; operation: string; eur: number; count: number }[];
  top_errors: { fingerprint: string; error_type: string; message: string; where: string; severity: string; count: number; last_seen: string }[];
  alarms: { name: string; state: 'ok' | 'alarm' | 'insufficient_data'; value: number | null; threshold: number; unit: string; since: string | null }[];
  dlq_size: number | null;
  queue_depth: number;
}

const WINDOWS = [
  [60, '1 hour'],
  [180, '3 hours'],
  [1440, '24 hours'],
  [10080, '7 days'],
] as const;
const REFRESH_MS = 30_000;

const eur = (n: number) => new Intl.NumberFormat(undefined, { style: 'currency', currency: 'EUR', minimumFractionDigits: 2, maximumFractionDigits: 4 }).format(n);
const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '–');
const STATE_TEXT = { ok: 'OK', alarm: 'In alarm', insufficient_data: 'Not enough data' } as const;

/** Fetches the dashboard for the window, again every 30 s while the tab is visible and at once when it shows again. */
function useDashboard(minutes: number) {
  const [data, setData] = useState<Dashboard | null>(null);
  const [error, setError] = useState<{ status: number; text: string } | null>(null);
  useEffect(() => {
    let live = true;
    const load = () =>
      api<Dashboard>(`/api/admin/dashboard?minutes=${minutes}`)
        .then((d) => live && (setData(d), setError(null)))
        .catch((e) => live && setError({ status: e instanceof ApiError ? e.status : 0, text: friendlyError(e) }));
    void load();
    const timer = setInterval(() => document.visibilityState === 'visible' && void load(), REFRESH_MS);
    const onVisible = () => document.visibilityState === 'visible' && void load();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      live = false;
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [minutes]);
  return { data, error };
}

function Charts({ d }: { d: Dashboard }) {
  const s = d.series;
  const charts = useMemo(() => {
    const hitRate = s.t.map((_, i) => {
      const all = s.cache_hits[i]! + s.cache_misses[i]! + s.cache_bypass[i]!;
      return all > 0 ? (100 * s.cache_hits[i]!) / all : null;
    });
    const c: [string, ChartSeries[], string?][] = [
      ['Requests per minute', [{ label: 'Requests', values: s.requests, color: '#1f5fbf', bars: true, counts: true }]],
      [
        'Errors per minute',
        [
          { label: '5xx', values: s.errors_5xx, color: '#b3261e', bars: true, counts: true },
          { label: '4xx', values: s.errors_4xx, color: '#9a6700', counts: true },
        ],
      ],
      [
        'Latency',
        [
          { label: 'p50', values: s.p50_ms, color: '#1e7a3c' },
          { label: 'p95', values: s.p95_ms, color: '#b3261e' },
        ],
        ' ms',
      ],
      ['Cache hit rate', [{ label: 'Hits', values: hitRate, color: '#1e7a3c' }], ' %'],
      [
        'Ingestion',
        [
          { label: 'Pages ingested', values: s.pages_ingested, color: '#1f5fbf', bars: true, counts: true },
          { label: 'Jobs queued', values: s.jobs_queued, color: '#9a6700', counts: true },
          { label: 'Queue depth', values: s.queue_depth, color: '#5a6472' },
        ],
      ],
      ['Dead-letter queue', [{ label: 'Dead letters', values: s.dlq_size, color: '#b3261e' }]],
    ];
    return c;
  }, [d]);
  return (
    <div class="chart-grid">
      {charts.map(([title, series, unit]) => (
        <TimeChart key={title} title={title} t={s.t} series={series} unit={unit} />
      ))}
    </div>
  );
}

function CostTable({ rows }: { rows: Dashboard['cost_by_day'] }) {
  const ops = [...new Set(rows.map((r) => r.operation))].sort();
  const days = [...new Set(rows.map((r) => r.day))].sort().reverse();
  const cell = (day: string, op: string) => rows.find((r) => r.day === day && r.operation === op);
  return (
    <section class="card" aria-labelledby="dash-cost">
      <h2 id="dash-cost">Cost per day by operation</h2>
      {rows.length === 0 ? (
        <p>No cost recorded in the last 30 days.</p>
      ) : (
        <div class="table-scroll">
          <table class="dash-table cost-table">
            <caption class="visually-hidden">Cost in EUR per UTC day and operation, newest day first</caption>
            <thead>
              <tr>
                <th scope="col">Day (UTC)</th>
                {ops.map((op) => (
                  <th scope="col" class="num" key={op}>
                    {op}
                  </th>
                ))}
                <th scope="col" class="num">Total</th>
              </tr>
            </thead>
            <tbody>
              {days.map((day) => (
                <tr key={day}>
                  <th scope="row">{day}</th>
                  {ops.map((op) => {
                    const r = cell(day, op);
                    return (
                      <td key={op} class="num">
                        {r ? eur(r.eur) : '–'}
                        {r && <span class="meta"> ({r.count})</span>}
                      </td>
                    );
                  })}
                  <td class="num">{eur(rows.filter((r) => r.day === day).reduce((a, r) => a + r.eur, 0))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function AlarmTable({ alarms }: { alarms: Dashboard['alarms'] }) {
  return (
    <section class="card" aria-labelledby="dash-alarms">
      <h2 id="dash-alarms">Alarms</h2>
      {alarms.length === 0 ? (
        <p>No alarm is configured (every threshold is 0).</p>
      ) : (
        <div class="table-scroll">
          <table class="dash-table alarm-table">
            <thead>
              <tr>
                <th scope="col">Alarm</th>
                <th scope="col">State</th>
                <th scope="col" class="num">Value</th>
                <th scope="col" class="num">Threshold</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {alarms.map((a) => (
                <tr key={a.name} data-alarm={a.name} data-state={a.state}>
                  <th scope="row">{a.name}</th>
                  <td>
                    <span class={`badge alarm-${a.state}`}>{STATE_TEXT[a.state]}</span>
                  </td>
                  <td class="num">{a.value == null ? '–' : fmt(a.value, a.unit)}</td>
                  <td class="num">{fmt(a.threshold, a.unit)}</td>
                  <td>{when(a.since)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

const fmt = (v: number, unit: string) => (unit === 'EUR' ? eur(v) : `${round(v)} ${unit}`);

function ErrorTable({ errors }: { errors: Dashboard['top_errors'] }) {
  return (
    <section class="card" aria-labelledby="dash-errors">
      <h2 id="dash-errors">Top errors</h2>
      {errors.length === 0 ? (
        <p>No errors recorded.</p>
      ) : (
        <div class="table-scroll">
          <table class="dash-table error-table">
            <thead>
              <tr>
                <th scope="col">Severity</th>
                <th scope="col">Error</th>
                <th scope="col">Where</th>
                <th scope="col" class="num">Count</th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {errors.map((e) => (
                <tr key={e.fingerprint}>
                  <td>
                    <span class={`badge severity-${e.severity}`}>{e.severity}</span>
                  </td>
                  <td>
                    <strong>{e.error_type}</strong> {e.message}
                  </td>
                  <td>{e.where}</td>
                  <td class="num">{e.count}</td>
                  <td>{when(e.last_seen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function DashboardScreen() {
  const [minutes, setMinutes] = useState<number>(180);
  const { data, error } = useDashboard(minutes);
  const firing = data?.alarms.filter((a) => a.state === 'alarm') ?? [];
  return (
    <main class="dashboard">
      <div class="list-head">
        <h1>Dashboard</h1>
        <label class="window-pick">
          Window{' '}
          <select value={minutes} onChange={(e) => setMinutes(Number((e.target as HTMLSelectElement).value))}>
            {WINDOWS.map(([m, label]) => (
              <option key={m} value={m}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && (
        <p class="error" role="alert" data-status={error.status}>
          {error.status === 403
            ? 'Only an administrator can see the dashboard.'
            : error.status === 503
              ? 'Monitoring is off on this server, so there are no figures to show. Turn on EnableAdvancedErrorHandling or EnableXRayTracing and restart it.'
              : error.text}
        </p>
      )}
      {!data && !error && <p role="status">Loading…</p>}
      {data && (
        <>
          <p class="meta" role="status">
            Updated {new Date(data.generated_at).toLocaleTimeString()} (every 30 s) ·{' '}
            {firing.length ? <strong class="error">{firing.length} alarm{firing.length > 1 ? 's' : ''} firing</strong> : 'no alarm firing'} · cache hit rate{' '}
            {data.cache_hit_rate == null ? '–' : `${round(100 * data.cache_hit_rate)} %`} · queue {data.queue_depth} · DLQ {data.dlq_size ?? '–'}
          </p>
          <AlarmTable alarms={data.alarms} />
          <Charts d={data} />
          <CostTable rows={data.cost_by_day} />
          <ErrorTable errors={data.top_errors} />
        </>
      )}
    </main>
  );
}
