import { Command } from 'commander';
import type { SubmitResponse } from '../api-types.js';
import { contextOf } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { ProgressDisplay } from '../ingestion-progress.js';
import { followJobs, summaryLines, type FollowedResult } from '../job-follower.js';
import { adminClientOf, type AdminOptions } from './export-command.js';
import { importArchive } from './import-archive.js';

export function importCommand(): Command {
  return new Command('import')
    .description('have the server download a PDF manual from a URL, then follow its ingestion; with --in, load an export archive (admin)')
    .argument('[url]', 'http(s) URL of the PDF')
    .option('--filename <name>', 'file name to store it under')
    .option('--no-wait', 'return once accepted, without waiting for ingestion')
    .option('--in <dir>', 'an archive written by `manuel export`: load it into --url (users, manuals re-ingested there, usage; idempotent)')
    .option('--url <url>', 'with --in: the deployment to load it into')
    .option('--admin-token <token>', 'with --in: an administrator access token of it (default: MANUEL_ADMIN_TOKEN)')
    .option('--server-key <secret>', 'with --in: one of its HMACSigningKey secrets, when its admin routes need signed requests (default: MANUEL_SERVER_KEY)')
    .action(async (url: string | undefined, opts: AdminOptions & { filename?: string; wait: boolean; in?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (opts.in) return importArchive(ctx, adminClientOf(opts), opts.in);
      if (!url) throw new CliError('give the URL of a PDF to import, or --in DIR with an export archive', 2);
      const submit = await ctx.api.request<SubmitResponse>('POST', '/api/manuals/download', { json: { url, ...(opts.filename ? { filename: opts.filename } : {}) } });
      const display = new ProgressDisplay(Boolean(process.stderr.isTTY) && !ctx.json);
      let results: FollowedResult[];
      try {
        results = await followJobs(ctx, [{ label: url, submit, progress: display.track(opts.filename ?? url.split('/').pop() ?? url) }], opts.wait);
      } finally {
        display.stop();
      }
      const [result] = results;
      ctx.print(summaryLines(results), { ...submit, ...(result!.ingestion ? { ingestion: result!.ingestion } : {}) });
      if (result!.status === 'failed' || result!.status === 'error') throw new CliError(`${url}: ${result!.status}: ${result!.error}`);
    });
}
