import type { SendOptions } from './check-http.js';
import type { CheckRun, Criterion } from './check-types.js';
import { row } from './check-types.js';

interface Dashboard {
  series: { requests: number[]; answers: number[] };
  cache_hit_rate: number | null;
  cost_by_day: { day: string; eur: number }[];
  alarms: { name: string; state: string; threshold: number; unit: string; value: number | null }[];
}

type Target = { kind: 'webhook' | 'sns'; host?: string; topic_arn?: string; subscriptions?: { protocol: string; confirmed: number; pending: number }[] | null; subscriptions_error?: string };
type AlertTargets = { list: Target[] } | { unknown: string } | { error: string };

/** 'alerts': at least one alarm, and somewhere they are delivered: a webhook, or an SNS topic with a confirmed subscription. */
export function alertsRow(alarms: Dashboard['alarms'], targets: AlertTargets): Criterion {
  const name = 'Alerts configured';
  const firing = alarms.filter((a) => a.state === 'alarm');
  const list = `${alarms.map((a) => `${a.name} ${a.threshold}${a.unit === '%' ? ' %' : ` ${a.unit}`}`).join(', ')}`;
  const count = `${alarms.length} alarms${firing.length ? `, ${firing.length} firing (${firing.map((a) => a.name).join(', ')})` : ''}`;
  if (alarms.length === 0) return row('alerts', name, 'fail', '0 alarms', 'the server lists no alarm (every threshold 0?)');
  if ('error' in targets) return row('alerts', name, 'fail', count, targets.error);
  if ('unknown' in targets) return row('alerts', name, 'pass', count, `${list}; ${targets.unknown}`);
  const shown = targets.list.map(describeTarget);
  const deliverable = targets.list.filter((t) => t.kind === 'webhook' || (t.subscriptions ?? []).some((s) => s.confirmed > 0));
  if (targets.list.length === 0) return row('alerts', name, 'fail', `${count} → nowhere`, 'no alert target: set AlertWebhookUrl (embedded) or AlertEmail (AWS)');
  if (deliverable.length === 0) return row('alerts', name, 'fail', `${count} → ${shown.join(', ')}`, 'no target delivers: the topic has no confirmed subscription (confirm the AlertEmail message)');
  return row('alerts', name, 'pass', `${count} → ${shown.join(', ')}`, list);
}

function describeTarget(t: Target): string {
  if (t.kind === 'webhook') return `webhook ${t.host}`;
  const topic = t.topic_arn?.split(':').pop() ?? '?';
  if (!t.subscriptions) return `SNS ${topic} (subscriptions unreadable: ${t.subscriptions_error ?? '?'})`;
  const subs = t.subscriptions.map((s) => `${s.protocol} ${s.confirmed}${s.pending ? ` + ${s.pending} pending` : ''}`);
  return `SNS ${topic} (${subs.join(', ') || 'no subscription'})`;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Prometheus text exposition: `# TYPE` lines and samples whose value is a number. */
export function scrape(text: string): { families: number; samples: number; bad: number } {
  let families = 0;
  let samples = 0;
  let bad = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) families++;
    else if (line && !line.startsWith('#')) {
      const value = line.slice(line.lastIndexOf(' ') + 1);
      if (/^[+-]?(\d+(\.\d*)?([eE][+-]?\d+)?|NaN|Inf)$/.test(value)) samples++;
      else bad++;
    }
  }
  return { families, samples, bad };
}

/** /health/deep, /metrics, the dashboard's data, its alarms and today's cost (admin credentials). */
export async function runOperational(run: CheckRun, admin: SendOptions | undefined, metricsToken?: string): Promise<Criterion[]> {
  const minimal = run.options.profile === 'minimal';
  const enterprise = (id: string, name: string, fn: () => Criterion): Criterion =>
    minimal ? { ...fn(), status: 'n/a', reason: `minimal profile: monitoring is off (${fn().reason})` } : fn();
  if (!admin) {
    const why = 'not measured: needs --admin-token or --api-key of an admin';
    return [
      row('ops', 'Operational: /health/deep green, /metrics scrapeable', 'n/a', 'not measured', why),
      enterprise('alerts', 'Alerts configured', () => row('alerts', 'Alerts configured', 'fail', 'not measured', why)),
      enterprise('dashboard', 'Dashboard showing metrics', () => row('dashboard', 'Dashboard showing metrics', 'fail', 'not measured', why)),
      enterprise('cost', 'Cost within budget', () => row('cost', 'Cost within budget', 'fail', 'not measured', why)),
    ];
  }
  run.note('operational: /health/deep, /metrics, dashboard, alarms, cost');
  const rows: Criterion[] = [];

  const deep = await run.http.send('GET', '/health/deep', admin);
  const metrics = await run.http.send('GET', '/metrics', metricsToken ? { token: metricsToken } : {});
  const problems: string[] = [];
  let deepFigure = `HTTP ${deep.status}`;
  if (deep.status === 200) {
    run.doc.validate({ method: 'GET', path: '/health/deep' }, 200, deep.json);
    const sick = (deep.json.dependencies as { name: string; status: string }[]).filter((d) => d.status !== 'ok');
    deepFigure = `${deep.json.status} (${deep.json.dependencies.length} dependencies)`;
    if (deep.json.status !== 'ok') problems.push(`/health/deep ${deep.json.status}: ${sick.map((d) => `${d.name} ${d.status}`).join(', ')}`);
  } else problems.push(`/health/deep answered ${deep.status || deep.failure}${deep.json?.error ? `: ${deep.json.error}` : ''}`);
  let metricsFigure = `HTTP ${metrics.status}`;
  if (metrics.status === 200) {
    const s = scrape(metrics.text);
    metricsFigure = `${s.families} families, ${s.samples} samples`;
    if (!/^text\/plain/.test(metrics.headers.get('content-type') ?? '') || s.samples === 0 || s.bad > 0) problems.push(`/metrics is not a Prometheus exposition (${s.bad} bad lines)`);
  } else if (metrics.status === 503 && metrics.json?.error_type === 'unavailable' && /not scraped/.test(metrics.json?.error ?? '')) {
    metricsFigure = 'not scraped (metrics go to CloudWatch as EMF)'; // the AWS shape: nothing to scrape, by design
  } else problems.push(`/metrics answered ${metrics.status || metrics.failure}${metrics.status === 401 ? ' (MetricsToken set: pass --metrics-token)' : ''}`);
  rows.push(row('ops', 'Operational: /health/deep green, /metrics scrapeable', problems.length ? 'fail' : 'pass', `health ${deepFigure} · metrics ${metricsFigure}`, problems.join('; ') || 'every dependency ok; the exposition parses'));

  const dash = await run.http.send('GET', '/api/admin/dashboard?minutes=60', admin);
  if (dash.status !== 200) {
    const why = `GET /api/admin/dashboard answered ${dash.status || dash.failure}${dash.json?.error ? `: ${dash.json.error}` : ''}`;
    rows.push(enterprise('alerts', 'Alerts configured', () => row('alerts', 'Alerts configured', 'fail', 'no dashboard data', why)));
    rows.push(enterprise('dashboard', 'Dashboard showing metrics', () => row('dashboard', 'Dashboard showing metrics', 'fail', `HTTP ${dash.status}`, why)));
    rows.push(enterprise('cost', 'Cost within budget', () => row('cost', 'Cost within budget', 'fail', 'no dashboard data', why)));
    return rows;
  }
  const issues = run.doc.validate({ method: 'GET', path: '/api/admin/dashboard' }, 200, dash.json);
  const alerts = await run.http.send('GET', '/api/admin/alerts', admin);
  let targets: AlertTargets;
  if (alerts.status === 200) {
    const bad = run.doc.validate({ method: 'GET', path: '/api/admin/alerts' }, 200, alerts.json);
    targets = bad.length ? { error: `GET /api/admin/alerts does not match /api/openapi.json: ${bad.join('; ')}` } : { list: alerts.json.targets };
  } else if (alerts.status === 404 && alerts.json?.error_type === 'not_found') targets = { unknown: 'this server does not say where alerts go (no GET /api/admin/alerts): not verified' };
  else targets = { error: `GET /api/admin/alerts answered ${alerts.status || alerts.failure}` };
  const d = dash.json as Dashboard;
  const alarms = d.alarms ?? [];
  const firing = alarms.filter((a) => a.state === 'alarm');
  rows.push(enterprise('alerts', 'Alerts configured', () => alertsRow(alarms, targets)));
  const requests = sum(d.series?.requests ?? []);
  const answers = sum(d.series?.answers ?? []);
  rows.push(
    enterprise('dashboard', 'Dashboard showing metrics', () =>
      issues.length > 0
        ? row('dashboard', 'Dashboard showing metrics', 'fail', `${requests} requests in 60 min`, `body does not match /api/openapi.json: ${issues.join('; ')}`)
        : row('dashboard', 'Dashboard showing metrics', requests > 0 && answers > 0 ? 'pass' : 'fail', `${requests} requests, ${answers} answers in the last 60 min`, requests > 0 && answers > 0 ? "the check's own traffic shows in the per-minute series" : 'the series are empty although the check just sent traffic'),
    ),
  );
  const today = new Date().toISOString().slice(0, 10);
  const cost = sum(d.cost_by_day.filter((c) => c.day === today).map((c) => c.eur));
  const budget = alarms.find((a) => a.name === 'DailyCostThreshold');
  rows.push(
    enterprise('cost', 'Cost within budget', () =>
      !budget
        ? row('cost', 'Cost within budget', 'fail', `€${cost.toFixed(4)} today`, 'no DailyCostThreshold alarm: no budget to hold it to')
        : row('cost', 'Cost within budget', cost < budget.threshold ? 'pass' : 'fail', `€${cost.toFixed(4)} today of €${budget.threshold}`, `today's cost (every user, UTC day) against DailyCostThreshold`),
    ),
  );
  return rows;
}
