import { Command } from 'commander';
import { contextOf } from '../cli-context.js';
import { usageLines } from '../usage-view.js';

export function usageCommand(): Command {
  return new Command('usage').description('show your usage, quotas and costs').action(async (_opts: unknown, cmd: Command) => {
    const ctx = contextOf(cmd);
    const [usage, quota] = await Promise.all([ctx.api.request<unknown>('GET', '/api/user/usage'), ctx.api.request<unknown>('GET', '/api/user/quota')]);
    ctx.print(usageLines(usage, quota), { usage, quota });
  });
}
