import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from './cli-error.js';

/** Tokens of one server, so `--server` can switch between servers without logging in again. */
export interface Session {
  email: string;
  access_token: string;
  refresh_token: string;
  id_token?: string;
  /** Epoch ms when the access token expires. */
  expires_at: number;
}

/** An API key of one server: every request is then signed (RFC 9421) instead of carrying a bearer token. */
export interface StoredApiKey {
  key_id: string;
  secret: string;
}

export interface CliConfig {
  /** The server used when neither --server nor MANUEL_SERVER is given. */
  server?: string;
  sessions: Record<string, Session>;
  api_keys?: Record<string, StoredApiKey>;
}

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.MANUEL_CONFIG_DIR || env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'manuel');
}

/** `<config dir>/manuel/config.json`, written atomically with mode 0600 because it holds tokens. */
export class ConfigStore {
  readonly file: string;
  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.file = join(configDir(env), 'config.json');
  }

  load(): CliConfig {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { sessions: {} };
      throw new CliError(`Cannot read ${this.file}: ${(e as Error).message}`);
    }
    try {
      const parsed = JSON.parse(text) as Partial<CliConfig>;
      return { server: parsed.server, sessions: parsed.sessions ?? {}, ...(parsed.api_keys ? { api_keys: parsed.api_keys } : {}) };
    } catch {
      throw new CliError(`${this.file} is not valid JSON; delete it and log in again`);
    }
  }

  save(config: CliConfig): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
    chmodSync(tmp, 0o600); // the mode option is ignored when the file already exists
    renameSync(tmp, this.file);
  }

  update(fn: (config: CliConfig) => void): CliConfig {
    const config = this.load();
    fn(config);
    this.save(config);
    return config;
  }
}
