import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { Command, InvalidArgumentError } from 'commander';
import { awsSettingsFromEnv, clientConfig } from '../../../adapters/aws/aws-client-config.js';
import { AwsCalls } from '../../../deploy/aws-calls.js';
import { rollbackToMinimal } from '../../../deploy/rollback.js';
import { switchStack, type StackKind } from '../../../deploy/stack-switch.js';
import { contextOf } from '../cli-context.js';
import { CliError } from '../cli-error.js';

interface StackOptions {
  domain?: string;
  basePath: string;
  minimalStack: string;
  fullStack: string;
  dryRun?: boolean;
}

const oneOf = <T extends string>(values: readonly T[]) => (v: string): T => {
  if (!values.includes(v as T)) throw new InvalidArgumentError(`one of ${values.join(', ')}`);
  return v as T;
};

function withStackOptions(cmd: Command): Command {
  return cmd
    .option('--domain <name>', 'the custom domain whose base-path mapping moves (default: MANUEL_DOMAIN)')
    .option('--base-path <path>', 'base path of the mapping ("" = the whole domain)', '')
    .option('--minimal-stack <name>', 'CloudFormation stack name of the minimal stack', process.env.MANUEL_MINIMAL_STACK ?? 'manuel-minimal')
    .option('--full-stack <name>', 'CloudFormation stack name of the full stack', process.env.MANUEL_FULL_STACK ?? 'manuel-full')
    .option('--dry-run', 'print every AWS call; send only those that read');
}

function clients() {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const settings = awsSettingsFromEnv(process.env);
  return {
    cfn: new CloudFormationClient(clientConfig(settings, 'cloudformation')),
    apigw: new APIGatewayClient(clientConfig(settings, 'apigateway')),
    dynamodb: new DynamoDBClient(clientConfig(settings, 'dynamodb')),
    s3: new S3Client(clientConfig(settings, 's3')),
  };
}

const domainOf = (o: StackOptions) => {
  const d = o.domain ?? process.env.MANUEL_DOMAIN;
  if (!d) throw new CliError('Say which custom domain to move: --domain api.example.com (or MANUEL_DOMAIN)', 2);
  return d;
};

function switchCommand(): Command {
  return withStackOptions(
    new Command('switch-stack')
      .description("move the custom domain's base-path mapping to the minimal or the full stack's API")
      .argument('<stack>', 'minimal | full', oneOf(['minimal', 'full'] as const)),
  ).action(async (stack: StackKind, o: StackOptions, cmd: Command) => {
    const ctx = contextOf(cmd);
    const calls = new AwsCalls({ dryRun: Boolean(o.dryRun), print: (l) => ctx.note(l) });
    const r = await switchStack({ calls, ...clients() }, { target: stack, stacks: { minimal: o.minimalStack, full: o.fullStack }, domain: domainOf(o), basePath: o.basePath });
    const where = `${r.domain}/${r.basePath === '(none)' ? '' : r.basePath}`;
    const human = !r.changed
      ? `${where} already points at the ${stack} stack (${r.to.restApiId}/${r.to.stage})`
      : `${o.dryRun ? 'Would move' : 'Moved'} ${where} from ${r.from ? `${r.from.restApiId}/${r.from.stage}` : '(no mapping)'} to the ${stack} stack (${r.to.restApiId}/${r.to.stage})`;
    ctx.print(human, { ...r, dry_run: Boolean(o.dryRun), calls: calls.log });
  });
}

function rollbackCommand(): Command {
  return withStackOptions(
    new Command('rollback')
      .description('go back to the minimal stack: emergency = switch now; standard = export the full stack\'s data, then switch')
      .argument('<mode>', 'emergency | standard', oneOf(['emergency', 'standard'] as const))
      .option('--out <dir>', 'where the standard rollback writes its dated export folder', 'rollback-exports'),
  ).action(async (mode: 'emergency' | 'standard', o: StackOptions & { out: string }, cmd: Command) => {
    const ctx = contextOf(cmd);
    const calls = new AwsCalls({ dryRun: Boolean(o.dryRun), print: (l) => ctx.note(l) });
    const r = await rollbackToMinimal({ calls, ...clients() }, { mode, stacks: { minimal: o.minimalStack, full: o.fullStack }, domain: domainOf(o), basePath: o.basePath, outDir: o.out });
    const lines = [];
    if (r.exported) {
      const items = r.exported.tables.reduce((s, t) => s + t.items, 0);
      const objects = r.exported.buckets.reduce((s, b) => s + b.objects, 0);
      lines.push(`${o.dryRun ? 'Would export' : 'Exported'} ${r.exported.tables.length} tables (${items} items) and ${r.exported.buckets.length} buckets (${objects} objects) to ${r.exported.dir}`);
    }
    lines.push(r.switched.changed ? `${o.dryRun ? 'Would switch' : 'Switched'} ${r.switched.domain} to the minimal stack (${r.switched.to.restApiId}/${r.switched.to.stage})` : `${r.switched.domain} already points at the minimal stack`);
    if (!o.dryRun) lines.push(`The full stack (${o.fullStack}) is still deployed; delete it when you no longer need it: sam delete --config-env full`);
    ctx.print(lines, { ...r, dry_run: Boolean(o.dryRun), calls: calls.log });
  });
}

export function awsCommand(): Command {
  return new Command('aws')
    .description('operate the AWS stacks: switch the domain between them, roll back to minimal')
    .addCommand(switchCommand())
    .addCommand(rollbackCommand());
}
