import { Command } from 'commander';
import type { TokenResponse } from '../api-types.js';
import { contextOf, type CliContext } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { closePrompts, promptHidden, promptLine } from '../prompt.js';

interface Credentials {
  email?: string;
  password?: string;
  name?: string;
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

export function loginCommand(): Command {
  return withCredentialOptions(new Command('login').description('log in and store the tokens for this server')).action((opts: Credentials, cmd: Command) =>
    authenticate(contextOf(cmd), 'login', opts),
  );
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
      ctx.store.update((c) => {
        delete c.sessions[ctx.server];
      });
      const note = had && !revoked ? ' (the server could not be told; the token expires on its own)' : '';
      ctx.print(had ? `Logged out of ${ctx.server}${note}` : `Not logged in to ${ctx.server}`, { server: ctx.server, logged_out: Boolean(had), revoked });
    });
}
