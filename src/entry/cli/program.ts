import { Command } from 'commander';
import { askCommand } from './commands/ask-command.js';
import { checkCommand } from './commands/check-command.js';
import { awsCommand } from './commands/aws-command.js';
import { costCommand } from './commands/cost-command.js';
import { dlqCommand } from './commands/dlq-command.js';
import { exportCommand } from './commands/export-command.js';
import { loginCommand, logoutCommand, signupCommand } from './commands/auth-commands.js';
import { importCommand } from './commands/import-command.js';
import { keysCommand } from './commands/keys-command.js';
import { manualsCommand } from './commands/manuals-command.js';
import { serveCommand } from './commands/serve-command.js';
import { uploadCommand } from './commands/upload-command.js';
import { usageCommand } from './commands/usage-command.js';

export const CLI_VERSION = '0.1.0';

export function buildProgram(): Command {
  const program = new Command('manuel')
    .description('Ask your product manuals questions, typed or spoken, and get the page the answer is on.')
    .version(CLI_VERSION)
    .option('--server <url>', 'Manuel server (default: MANUEL_SERVER, else the last one logged in to, else http://localhost:3000)')
    .option('--json', 'print the raw JSON answer (for scripts)')
    .showSuggestionAfterError(false) // keep failures to one line
    .addHelpText(
      'after',
      `
Examples:
  manuel serve --port 3000
  manuel signup --email me@example.com
  manuel upload printer.pdf router.pdf
  manuel ask "how do I change the print resolution?"
  manuel ask --voice
  manuel manuals list --json
  manuel keys create "build server"      (then on that machine:)
  manuel login --api-key KEYID:SECRET
  manuel dlq list                        (admin: jobs that failed for good)
  manuel export --url URL --admin-token T --out DIR      (admin: move a deployment)
  manuel import --url URL2 --admin-token T2 --in DIR
  manuel cost --parameters infra/parameters-full.json
  manuel aws switch-stack full --domain api.example.com --dry-run`,
    );
  for (const cmd of [serveCommand(), signupCommand(), loginCommand(), logoutCommand(), uploadCommand(), importCommand(), askCommand(), manualsCommand(), usageCommand(), keysCommand(), dlqCommand(), exportCommand(), checkCommand(), costCommand(), awsCommand()]) {
    program.addCommand(cmd);
  }
  return program;
}
