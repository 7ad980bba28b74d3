import { Command, InvalidArgumentError } from 'commander';
import type { DeadLetterDto, DeadLetterList } from '../api-types.js';
import { contextOf } from '../cli-context.js';
import { formatDate, formatTable } from '../format.js';

const letterPath = (id: string) => `/api/admin/dlq/${encodeURIComponent(id)}`;
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const manualOf = (l: DeadLetterDto) => (l.manual_name === null ? '(deleted)' : `${l.manual_name} [${l.manual_status}]`);

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError('a whole number from 1 to 1000');
  return n;
}

function listCommand(): Command {
  return new Command('list')
    .alias('ls')
    .description('list the dead letters, newest first')
    .option('-n, --limit <n>', 'how many to show (1-1000)', positiveInt, 100)
    .action(async (opts: { limit: number }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const list = await ctx.api.request<DeadLetterList>('GET', '/api/admin/dlq', { query: { limit: String(opts.limit) } });
      if (list.size === 0) return ctx.print('The dead-letter queue is empty', list);
      const rows = list.dead_letters.map((l) => [l.id, formatDate(l.dead_at), String(l.attempts), String(l.retries), l.error_type, clip(manualOf(l), 40), clip(l.error, 80)]);
      const shown = list.count < list.size ? ` (showing ${list.count})` : '';
      ctx.print([...formatTable(['ID', 'DEAD AT', 'ATTEMPTS', 'RETRIES', 'ERROR TYPE', 'MANUAL', 'ERROR'], rows), `${list.size} dead letter${list.size === 1 ? '' : 's'}${shown}`], list);
    });
}

function retryCommand(): Command {
  return new Command('retry')
    .description('run a dead-lettered job again; the letter stays until the job succeeds')
    .argument('<id>', 'dead letter id (see `manuel dlq list`)')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const letter = await ctx.api.request<DeadLetterDto>('POST', `${letterPath(id)}/retry`);
      ctx.print(`Retrying job ${letter.job_id} of ${manualOf(letter)} (retry ${letter.retries}); follow it with \`manuel dlq list\``, letter);
    });
}

function dropCommand(): Command {
  return new Command('drop')
    .alias('rm')
    .description('give up on a dead-lettered job: the letter goes, its manual stays failed')
    .argument('<id>', 'dead letter id')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const result = await ctx.api.request<{ success: boolean; dead_letter: DeadLetterDto }>('DELETE', letterPath(id));
      ctx.print(`Dropped ${id} (${manualOf(result.dead_letter)} stays failed)`, result);
    });
}

export function dlqCommand(): Command {
  return new Command('dlq')
    .description('dead-letter queue (admin, EnableAdvancedErrorHandling): ingestion jobs that failed for good')
    .addCommand(listCommand())
    .addCommand(retryCommand())
    .addCommand(dropCommand());
}
