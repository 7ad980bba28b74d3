/**
 * Every AWS call of the deployment scripts goes through here, so `--dry-run` can print each one: calls that
 * only read (Describe/Get/List/Scan/Query/Head) are sent and printed; calls that change anything are printed
 * and NOT sent. Without dry run, every call is printed as it is sent.
 */
export interface SendsCommands {
  send(command: never): Promise<unknown>;
}

const READ_ONLY = /^(Describe|Get|List|Scan|Query|Head|BatchGet)/;

export class AwsCalls {
  readonly log: string[] = [];
  constructor(
    private readonly opts: { dryRun: boolean; print: (line: string) => void },
  ) {}

  get dryRun() {
    return this.opts.dryRun;
  }

  /** Sends `command` on `client` (or only prints it, in a dry run, when it would change something). */
  async send<T>(service: string, client: SendsCommands, command: { constructor: { name: string }; input: unknown }): Promise<T | undefined> {
    const op = command.constructor.name.replace(/Command$/, '');
    const readOnly = READ_ONLY.test(op);
    const line = `${service}.${op} ${JSON.stringify(command.input)}${this.opts.dryRun && !readOnly ? '  (dry run: not sent)' : ''}`;
    this.log.push(line);
    this.opts.print(line);
    if (this.opts.dryRun && !readOnly) return undefined;
    return (await client.send(command as never)) as T;
  }

  /** A local side effect (a file written), printed the same way and skipped in a dry run. */
  async local(what: string, act: () => Promise<void>): Promise<void> {
    const line = `local ${what}${this.opts.dryRun ? '  (dry run: not done)' : ''}`;
    this.log.push(line);
    this.opts.print(line);
    if (!this.opts.dryRun) await act();
  }
}
