import { Command } from 'commander';
import type { TokenResponse } from '../api-types.js';
import { contextOf, type CliContext } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { closePrompts, promptHidden, promptLine } from '../prompt.js';

interface Credentials {
  email?: string;
  password?: string;
  name?: string;
  apiKey?: string;
}

async function credentials(opts: Credentials, confirmPassword: boolean): Promise<{ email: string; password: string }> {
  try {
    const email = opts.email || (await promptLine('Email: '));
    if (!email) throw new CliError('An email is required', 2);
    let password = opts.password || process.env.MANUEL_PASSWORD;
    if (!password) {
      password = await promptHidden('Password: ');
      if (confirmPassword && process.stdin.isTTY && (await promptHidden('Repeat password: ')) !== password) {
        throw new CliError('The passwords do not match', 2);
      }
    }
    if (!password) throw new CliError('A password is required', 2);
    return { email, password };
  } finally {
    closePrompts();
  }
}

async function authenticate(ctx: CliContext, route: 'signup' | 'login', opts: Credentials): Promise<void> {
  const { email, password } = await credentials(opts, route === 'signup');
  const body = route === 'signup' && opts.name ? { email, password, name: opts.name } : { email, password };
  const tokens = await ctx.api.request<TokenResponse>('POST', `/api/auth/${route}`, { json: body, auth: false });
  if (!tokens?.access_token || !tokens.refresh_token) throw new CliError(`The server's ${route} answer has no tokens`);
  ctx.api.saveSession(email, tokens, true);
  // A password login means this computer should use the session again, not a stored API key.
  ctx.store.update((c) => {
    delete c.api_keys?.[ctx.server];
  });
  ctx.print(`${route === 'signup' ? 'Signed up' : 'Logged in'} as ${email} on ${ctx.server}`, tokens);
}

const withCredentialOptions = (cmd: Command) =>
  cmd
    .option('-e, --email <email>', 'account email (prompted when missing)')
    .option('-p, --password <password>', 'password (prompted, hidden, when missing; or MANUEL_PASSWORD)');

export function signupCommand(): Command {
  return withCredentialOptions(new Command('signup').description('create an account and log in'))
    .option('--name <name>', 'display name')
    .action((opts: Credentials, cmd: Command) => authenticate(contextOf(cmd), 'signup', opts));
}

/** Stores an API key for the server after one signed request shows that it works. */
async function loginWithApiKey(ctx: CliContext, value: string): Promise<void> {
  const colon = value.indexOf(':');
  const key = { key_id: value.slice(0, colon).trim(), secret: value.slice(colon + 1).trim() };
  if (colon < 1 || !key.key_id || !key.secret) throw new CliError('--api-key takes KEYID:SECRET (from `manuel keys create`)', 2);
  const previous = ctx.store.load();
  ctx.store.update((c) => {
    c.api_keys = { ...c.api_keys, [ctx.server]: key };
  });
  try {
    await ctx.api.request('GET', '/api/user/quota');
  } catch (e) {
    ctx.store.save(previous); // a key that does not work is not kept
    throw e;
  }
  ctx.store.update((c) => {
    c.server = ctx.server;
  });
  ctx.print(`Logged in with API key ${key.key_id} on ${ctx.server}: requests are signed`, { server: ctx.server, key_id: key.key_id });
}

export function loginCommand(): Command {
  return withCredentialOptions(new Command('login').description('log in and store the tokens for this server'))
    .option('--api-key <keyid:secret>', 'use an API key instead (or MANUEL_API_KEY): every request is then signed, with no token')
    .action((opts: Credentials, cmd: Command) => {
      const apiKey = opts.apiKey || process.env.MANUEL_API_KEY;
      return apiKey ? loginWithApiKey(contextOf(cmd), apiKey) : authenticate(contextOf(cmd), 'login', opts);
    });
}

export function logoutCommand(): Command {
  return new Command('logout')
    .description('sign out: the server forgets the refresh token, and so does this computer')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const had = ctx.store.load().sessions[ctx.server];
      let revoked = false;
      if (had) {
        // Best effort: signing out locally must work even when the server is unreachable.
        const res = await fetch(`${ctx.server}/api/auth/logout`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refresh_token: had.refresh_token }),
        }).catch(() => null);
        revoked = Boolean(res?.ok);
      }
      const hadKey = Boolean(ctx.store.load().api_keys?.[ctx.server]);
      ctx.store.update((c) => {
        delete c.sessions[ctx.server];
        delete c.api_keys?.[ctx.server]; // forgotten here; `manuel keys revoke` kills it on the server
      });
      if (hadKey) ctx.note('The API key is forgotten on this computer but still valid: revoke it with `manuel keys revoke` if needed');
      const note = had && !revoked ? ' (the server could not be told; the token expires on its own)' : '';
      ctx.print(had || hadKey ? `Logged out of ${ctx.server}${note}` : `Not logged in to ${ctx.server}`, { server: ctx.server, logged_out: Boolean(had || hadKey), revoked });
    });
}
