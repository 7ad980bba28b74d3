import { Command } from 'commander';
import type { SubmitResponse } from '../api-types.js';
import { contextOf } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { ProgressDisplay } from '../ingestion-progress.js';
import { followJobs, summaryLines, type FollowedResult } from '../job-follower.js';

export function importCommand(): Command {
  return new Command('import')
    .description('have the server download a PDF manual from a URL, then follow its ingestion')
    .argument('<url>', 'http(s) URL of the PDF')
    .option('--filename <name>', 'file name to store it under')
    .option('--no-wait', 'return once accepted, without waiting for ingestion')
    .action(async (url: string, opts: { filename?: string; wait: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
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
