import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { Command } from 'commander';
import type { SubmitResponse } from '../api-types.js';
import { contextOf } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { ProgressDisplay } from '../ingestion-progress.js';
import { followJobs, summaryLines, type FollowedResult, type Submitted } from '../job-follower.js';

export function uploadCommand(): Command {
  return new Command('upload')
    .description('upload PDF manuals and follow their ingestion to completed or failed')
    .argument('<files...>', 'PDF files')
    .option('--name <name>', 'display name (one file only; default: the file name)')
    .option('--no-wait', 'return once uploaded, without waiting for ingestion')
    .action(async (files: string[], opts: { name?: string; wait: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (opts.name && files.length > 1) throw new CliError('--name applies to a single file', 2);
      const display = new ProgressDisplay(Boolean(process.stderr.isTTY) && !ctx.json);
      const submitted: Submitted[] = [];
      let results: FollowedResult[];
      try {
        for (const file of files) {
          const progress = display.track(basename(file));
          const item: Submitted = { label: file, progress };
          submitted.push(item);
          try {
            const path = resolve(file);
            const st = statFile(path);
            item.submit = await ctx.api.uploadManual<SubmitResponse>(
              { field: 'file', path, fileName: basename(path), contentType: 'application/pdf', size: st.size },
              opts.name ? { name: opts.name } : {},
              (sent, total) => progress.upload(sent, total),
            );
          } catch (e) {
            // With one file the reason is the whole story: report it as the one-line failure.
            if (files.length === 1) throw e;
            item.error = (e as Error).message;
            progress.finish(`error: ${item.error}`);
          }
        }
        results = await followJobs(ctx, submitted, opts.wait);
      } finally {
        display.stop();
      }
      ctx.print(summaryLines(results), results);
      const bad = results.filter((r) => r.status === 'error' || r.status === 'failed');
      if (bad.length === 1 && results.length === 1) throw new CliError(`${bad[0]!.file}: ${bad[0]!.status}: ${bad[0]!.error}`);
      if (bad.length) throw new CliError(`${bad.length} of ${results.length} files failed`);
    });
}

function statFile(path: string) {
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new CliError(`Not a file: ${path}`);
    return st;
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`Cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}
