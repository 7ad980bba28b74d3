import { CommanderError } from 'commander';
import { CliError } from './cli-error.js';
import { buildProgram } from './program.js';

/** Usage mistakes exit 2, failures 1; either way one line on stderr. */
export async function main(argv: string[] = process.argv): Promise<number> {
  const program = buildProgram();
  const exitOverride = (cmd: typeof program) => {
    cmd.exitOverride();
    cmd.commands.forEach((c) => exitOverride(c as typeof program));
  };
  exitOverride(program);
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander already printed its one-line message (or the help/version, exit 0)
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof CliError) {
      if (json && e.body !== undefined) process.stdout.write(JSON.stringify(e.body) + '\n');
      process.stderr.write(`manuel: ${e.message}\n`);
      return e.exitCode;
    }
    // Anything else is a bug or an unexpected environment problem: still one line, no stack.
    process.stderr.write(`manuel: ${(e as Error)?.message ?? String(e)}\n`);
    if (process.env.MANUEL_DEBUG) console.error(e);
    return 1;
  }
}
