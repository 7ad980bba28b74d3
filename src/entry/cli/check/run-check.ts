import type { SendOptions } from './check-http.js';
import { apiKeyCredentials, CheckHttp, serverKeyCredentials } from './check-http.js';
import type { CheckOptions, CheckRun, CheckUser, Criterion } from './check-types.js';
import { row } from './check-types.js';
import { CleanupRegistry } from './cleanup.js';
import { runFunctional, runId } from './functional.js';
import { OpenApiDoc } from './openapi-check.js';
import { runOperational } from './operational.js';
import { loadRows, runLoad, type LoadFigures } from './performance.js';
import { failed, sortCriteria, type CheckReport } from './report.js';
import { runSecurity } from './security.js';

export interface CheckIo {
  note(message: string): void;
  /** Aborted on Ctrl+C: the phases stop; the cleanup (its own client) still runs. */
  signal: AbortSignal;
  cleanup: CleanupRegistry;
}

/** The admin's credentials as request options: a bearer token (signed with the server key when given), or an API key signature. */
export function adminAuth(o: CheckOptions): SendOptions | undefined {
  if (o.adminToken) return { token: o.adminToken, ...(o.signingKey ? { sign: serverKeyCredentials(o.signingKey) } : {}) };
  if (o.apiKey) return { sign: apiKeyCredentials(o.apiKey) };
  return undefined;
}

/** The four phases, then the cleanup; answers the criteria table. */
export async function runCheck(options: CheckOptions, io: CheckIo, metricsToken?: string): Promise<CheckReport> {
  const started = new Date().toISOString();
  const http = new CheckHttp(options.url, options.requestTimeoutMs, io.signal);
  const doc = await OpenApiDoc.fetch(options.url, options.requestTimeoutMs);
  const run: CheckRun = { options, http, doc, cleanup: io.cleanup, note: io.note, stopping: () => io.signal.aborted };
  const rows: Criterion[] = [];
  let load: LoadFigures | null = null;

  const fn = await runFunctional(run);
  rows.push(...fn.rows);
  if (fn.userA && fn.manualId && !run.stopping()) {
    io.note(`performance: ${options.concurrency} workers for ${options.durationMs / 1000} s (at most ${options.maxRequests} requests)`);
    load = await runLoad(run, fn.userA, fn.manualId, runId());
    rows.push(...loadRows(load, '', options.profile === 'minimal'));
  } else rows.push(...loadRows(null, 'the functional phase did not produce an ingested manual to load', false));
  if (fn.userA && !run.stopping()) rows.push(...(await runSecurity(run, { userA: fn.userA, manualId: fn.manualId, admin: adminAuth(options) })));
  else {
    const why = 'not measured: no throwaway user';
    rows.push(row('unauthorized', 'No unauthorized access', 'fail', 'not measured', why), row('waf', 'WAF blocking malicious requests', 'fail', 'not measured', why), row('ratelimit', 'Effective rate limiting', 'fail', 'not measured', why));
  }
  if (!run.stopping()) rows.push(...(await runOperational(run, adminAuth(options), metricsToken)));

  io.note('cleanup: deleting what the check created');
  const failures = await io.cleanup.run();
  let remaining: number | null = 0;
  for (const u of [fn.userA, fn.userB]) {
    if (!u || u.deleted) continue; // the server deleted its manuals with it (and its token is refused now)
    const list = await io.cleanup.http.send('GET', '/api/manuals', { token: u.token });
    remaining = list.status === 200 && remaining !== null ? remaining + list.json.manuals.length : null;
  }
  const criteria = sortCriteria(rows);
  return {
    url: options.url,
    profile: options.profile,
    started_at: started,
    finished_at: new Date().toISOString(),
    passed: failed(criteria).length === 0 && failures.length === 0,
    criteria,
    load,
    cleanup: {
      manuals_remaining: remaining,
      users: usersLine([fn.userA, fn.userB].filter((u): u is CheckUser => !!u)),
      failures,
    },
  };
}

function usersLine(users: CheckUser[]): string {
  if (users.length === 0) return 'no throwaway user was created';
  const names = (list: CheckUser[]) => list.map((u) => u.email).join(', ');
  const parts = [];
  const gone = users.filter((u) => u.deleted === true);
  const old = users.filter((u) => u.deleted === false);
  const failedUsers = users.filter((u) => u.deleted === undefined);
  if (gone.length) parts.push(`the throwaway users ${names(gone)} are deleted`);
  if (old.length) parts.push(`${names(old)} remain, signed out: this server has no DELETE /api/user/account`);
  if (failedUsers.length) parts.push(`${names(failedUsers)} could not be deleted (see the failures)`);
  return parts.join('; ');
}
