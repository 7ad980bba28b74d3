import { Command, InvalidArgumentError, Option } from 'commander';
import { CheckHttp } from '../check/check-http.js';
import type { CheckOptions, Profile } from '../check/check-types.js';
import { CleanupRegistry } from '../check/cleanup.js';
import { isLoopbackHost } from '../check/functional.js';
import { formatReport } from '../check/report.js';
import { runCheck } from '../check/run-check.js';
import { normaliseServer } from '../cli-context.js';
import { CliError } from '../cli-error.js';

/** `60s`, `2m`, `1500ms` or a number of seconds. */
export function parseDuration(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(raw.trim());
  if (!m) throw new InvalidArgumentError('a duration like 60s, 2m or 500ms');
  const ms = Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000);
  if (ms < 1000 || ms > 30 * 60_000) throw new InvalidArgumentError('between 1s and 30m');
  return ms;
}

const intIn = (lo: number, hi: number) => (raw: string) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < lo || n > hi) throw new InvalidArgumentError(`a whole number from ${lo} to ${hi}`);
  return n;
};

interface CheckFlags {
  url: string;
  adminToken?: string;
  apiKey?: string;
  signingKey?: string;
  metricsToken?: string;
  profile: Profile;
  duration: number;
  concurrency: number;
  maxRequests: number;
  timeout: number;
  iOwnThisDeployment?: boolean;
}

export function checkCommand(): Command {
  return new Command('check')
    .description("check a running deployment against the migration plan's success criteria (functional, load, security, operations), over HTTP; deletes what it creates")
    .requiredOption('--url <url>', 'the deployment (embedded server, aws:local or a real stage)')
    .addOption(new Option('--admin-token <token>', 'an admin access token: /health/deep, the dashboard, alarms, cost').conflicts('apiKey'))
    .option('--api-key <keyid:secret>', "an admin's API key, instead of --admin-token")
    .option('--signing-key <secret>', 'the server key (HMACSigningKey), when admin routes need a signature')
    .option('--metrics-token <token>', 'the MetricsToken, when /metrics needs one')
    .addOption(new Option('--profile <profile>', 'what the deployment should be: minimal (enterprise criteria n/a) or full').choices(['minimal', 'full']).default('minimal'))
    .addOption(new Option('--duration <d>', 'length of the load (e.g. 60s, 2m)').argParser(parseDuration).default(60_000, '60s'))
    .option('--concurrency <n>', 'requests in flight during the load', intIn(1, 1024), 64)
    .option('--max-requests <n>', 'hard cap on the requests of the load', intIn(1, 1_000_000), 20_000)
    .addOption(new Option('--timeout <d>', 'time-out of one request').argParser(parseDuration).default(30_000, '30s'))
    .option('--i-own-this-deployment', 'allow a URL that is not loopback (the check signs up users and sends load)')
    .addHelpText('after', '\nExit code: 0 when every applicable criterion passes, 1 when one fails, 2 on a usage error, 130 when interrupted (after cleaning up).')
    .action(async (flags: CheckFlags, cmd: Command) => {
      const json = Boolean(cmd.optsWithGlobals<{ json?: boolean }>().json);
      const url = normaliseServer(flags.url);
      if (!isLoopbackHost(new URL(url).hostname) && !flags.iOwnThisDeployment) {
        throw new CliError(`Refusing to check ${url}: it is not this machine. The check signs up users and sends ${flags.concurrency} requests at a time; add --i-own-this-deployment if it is yours.`, 2);
      }
      const options: CheckOptions = {
        url,
        adminToken: flags.adminToken,
        apiKey: flags.apiKey,
        signingKey: flags.signingKey,
        profile: flags.profile,
        durationMs: flags.duration,
        concurrency: flags.concurrency,
        maxRequests: flags.maxRequests,
        requestTimeoutMs: flags.timeout,
      };
      const note = (m: string) => process.stderr.write(`${m}\n`);
      const stop = new AbortController();
      const cleanup = new CleanupRegistry(new CheckHttp(url, flags.timeout));
      let interrupts = 0;
      const onSigint = () => {
        interrupts++;
        if (interrupts > 2) process.exit(130); // a third Ctrl+C: give up on the cleanup
        if (interrupts > 1) return note('still cleaning up (Ctrl+C again to quit without it)');
        note('interrupted: deleting what the check created…');
        stop.abort();
        void cleanup.run().then((failures) => {
          for (const f of failures) note(`cleanup failed: ${f}`);
          note(failures.length ? 'cleanup incomplete' : 'cleanup done');
          process.exit(130);
        });
      };
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigint);
      try {
        const report = await runCheck(options, { note, signal: stop.signal, cleanup }, flags.metricsToken);
        if (stop.signal.aborted) return new Promise<void>(() => {}); // the handler prints and exits
        process.stdout.write((json ? JSON.stringify(report, null, 2) : formatReport(report).join('\n')) + '\n');
        if (!report.passed) throw new CliError(`check failed: ${report.criteria.filter((c) => c.status === 'fail').map((c) => c.criterion).join('; ') || 'cleanup incomplete'}`, 1);
      } catch (e) {
        if (stop.signal.aborted) return new Promise<void>(() => {}); // the handler exits once the cleanup is done
        await cleanup.run(); // a crash of a phase still deletes what was made
        throw e;
      } finally {
        if (!stop.signal.aborted) {
          process.off('SIGINT', onSigint);
          process.off('SIGTERM', onSigint);
        }
      }
    });
}
