import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { readParametersFile } from '../../../config/parameters.js';
import { readTemplate } from '../../../deploy/cfn-template.js';
import { estimateCost, type CostEstimate, type PriceTable } from '../../../deploy/cost-model.js';
import { contextOf } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { formatTable } from '../format.js';

const count = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number of questions (0 or more)');
  return n;
};

const money = (x: number) => (x >= 1 ? x.toFixed(2) : x.toFixed(4));

/** The template a parameters file deploys: template-minimal.yaml for a "minimal" file, else template.yaml, beside it. */
export function defaultTemplateFor(parametersPath: string): string {
  return join(dirname(parametersPath), /minimal/i.test(basename(parametersPath)) ? 'template-minimal.yaml' : 'template.yaml');
}

export function formatEstimate(e: CostEstimate): string[] {
  const rows = e.lines.filter((l) => l.idleMonthly > 0 || l.per1000Questions > 0).map((l) => [l.resource, l.type, money(l.idleMonthly), money(l.per1000Questions), l.note]);
  return [
    ...formatTable(['RESOURCE', 'TYPE', `IDLE ${e.currency}/MONTH`, `${e.currency} PER 1,000 Q`, 'NOTE'], rows),
    '',
    `Idle: ${money(e.idleMonthly)} ${e.currency}/month; 1,000 questions: ${money(e.per1000Questions)} ${e.currency}; ${e.queriesPerMonth.toLocaleString('en')} questions/month: ${money(e.monthlyTotal)} ${e.currency}/month.`,
    `Prices: ${e.region}, as of ${e.pricesAsOf}; cache hit rate assumed ${e.assumptions.cache_hit_rate}. Resources with no line cost nothing idle (SQS, SNS, Cognito under its free tier, IAM).`,
    ...e.warnings.map((w) => `warning: ${w}`),
  ];
}

export function costCommand(): Command {
  return new Command('cost')
    .description('estimate the monthly AWS cost of a stack: idle, and per 1,000 questions, per resource')
    .requiredOption('--parameters <file>', 'parameters file, e.g. infra/parameters-full.json')
    .option('--template <file>', 'SAM template (default: template-minimal.yaml or template.yaml beside the parameters file)')
    .option('--prices <file>', 'price table (default: prices-us-east-1.json beside the template)')
    .option('--queries-per-month <n>', 'questions asked per month', count, 30_000)
    .action((opts: { parameters: string; template?: string; prices?: string; queriesPerMonth: number }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const templatePath = opts.template ?? defaultTemplateFor(opts.parameters);
      const pricesPath = opts.prices ?? join(dirname(templatePath), 'prices-us-east-1.json');
      let prices: PriceTable;
      try {
        prices = JSON.parse(readFileSync(pricesPath, 'utf8')) as PriceTable;
      } catch (e) {
        throw new CliError(`Cannot read the price table ${pricesPath}: ${(e as Error).message}`, 2);
      }
      let template;
      try {
        template = readTemplate(templatePath);
      } catch (e) {
        throw new CliError(`Cannot read the template ${templatePath}: ${(e as Error).message}`, 2);
      }
      let params: Record<string, unknown>;
      try {
        params = readParametersFile(opts.parameters);
      } catch (e) {
        throw new CliError((e as Error).message, 2);
      }
      const estimate = estimateCost(template, params, prices, opts.queriesPerMonth);
      ctx.print(formatEstimate(estimate), estimate);
    });
}
