import { Command } from 'commander';
import { contextOf } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { formatDate, formatTable } from '../format.js';

interface ApiKey {
  key_id: string;
  name: string;
  created_at: string;
}

function createCommand(): Command {
  return new Command('create')
    .description('create an API key for scripts and machines (needs a password login; the secret is shown once)')
    .argument('<name>', 'what the key is for, e.g. "build server"')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (!ctx.api.session()) throw new CliError('Creating API keys needs a password login: run `manuel login --email ...` first');
      // The server refuses keys minted with another key: use the password session even if a key is stored.
      const key = await ctx.api.request<ApiKey & { secret: string }>('POST', '/api/keys', { json: { name }, auth: 'bearer' });
      ctx.print(
        [
          `Created API key ${key.key_id} (${key.name})`,
          `Secret (shown only now): ${key.secret}`,
          `Use it with: manuel login --api-key ${key.key_id}:${key.secret}`,
        ],
        key,
      );
    });
}

function listCommand(): Command {
  return new Command('list')
    .alias('ls')
    .description('list your API keys (never their secrets)')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const list = await ctx.api.request<{ keys: ApiKey[]; count: number }>('GET', '/api/keys');
      if (list.keys.length === 0) return ctx.print('No API keys: create one with `manuel keys create NAME`', list);
      const current = ctx.api.apiKey()?.key_id;
      const rows = list.keys.map((k) => [k.key_id === current ? `${k.key_id} *` : k.key_id, formatDate(k.created_at), k.name]);
      ctx.print([...formatTable(['KEY ID', 'CREATED', 'NAME'], rows), ...(current ? ['* used by this computer'] : [])], list);
    });
}

function revokeCommand(): Command {
  return new Command('revoke')
    .alias('rm')
    .description('revoke an API key: requests signed with it are refused from now on')
    .argument('<key_id>', 'key id (see `manuel keys list`)')
    .action(async (keyId: string, _opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const result = await ctx.api.request<{ success: boolean; key_id: string }>('DELETE', `/api/keys/${encodeURIComponent(keyId)}`);
      if (ctx.api.apiKey()?.key_id === keyId) {
        ctx.store.update((c) => {
          delete c.api_keys?.[ctx.server];
        });
      }
      ctx.print(`Revoked ${keyId}`, result);
    });
}

export function keysCommand(): Command {
  return new Command('keys')
    .description('API keys: signed requests (RFC 9421) for scripts and machines')
    .addCommand(createCommand())
    .addCommand(listCommand())
    .addCommand(revokeCommand());
}
