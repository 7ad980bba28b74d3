import type { Command } from 'commander';
import { ApiClient } from './api-client.js';
import { CliError } from './cli-error.js';
import { ConfigStore } from './config-store.js';

export const DEFAULT_SERVER = 'http://localhost:3000';

export interface GlobalOptions {
  server?: string;
  json?: boolean;
}

export function normaliseServer(raw: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new CliError(`Invalid server URL: ${raw}`, 2);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`Invalid server URL (http or https only): ${raw}`, 2);
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/** What every command needs: where the server is, how to print, the API client. */
export class CliContext {
  readonly json: boolean;
  readonly server: string;
  readonly store: ConfigStore;
  readonly api: ApiClient;

  constructor(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env) {
    this.json = Boolean(options.json);
    this.store = new ConfigStore(env);
    this.server = normaliseServer(options.server || env.MANUEL_SERVER || this.store.load().server || DEFAULT_SERVER);
    this.api = new ApiClient(this.server, this.store);
  }

  /** Human text on stdout, or the raw JSON with --json. */
  print(human: string | string[], raw: unknown): void {
    if (this.json) process.stdout.write(JSON.stringify(raw, null, 2) + '\n');
    else process.stdout.write((Array.isArray(human) ? human.join('\n') : human) + '\n');
  }

  /** Progress and notes go to stderr so stdout stays parseable. */
  note(message: string): void {
    process.stderr.write(message + '\n');
  }
}

export function contextOf(cmd: Command): CliContext {
  return new CliContext(cmd.optsWithGlobals<GlobalOptions>());
}
