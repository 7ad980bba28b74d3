/** A failure the CLI reports as one line on stderr, with a non-zero exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    /** The server's JSON error body, printed on stdout with --json so scripts can read error_type. */
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A connection failure from fetch/http, said in words a user can act on. */
export function connectionError(server: string, e: unknown): CliError {
  const c = (e as { cause?: { code?: string; message?: string } }).cause;
  const cause = c?.code ?? (e as { code?: string }).code ?? c?.message;
  if (cause === 'ECONNREFUSED') return new CliError(`Cannot reach the Manuel server at ${server} (connection refused; is \`manuel serve\` running?)`);
  if (cause === 'ENOTFOUND') return new CliError(`Cannot reach the Manuel server at ${server} (host not found)`);
  return new CliError(`Cannot reach the Manuel server at ${server}: ${cause ?? (e as Error).message}`);
}
