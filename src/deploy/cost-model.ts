/**
 * Monthly cost of a stack: what it costs idle, and what 1,000 questions add, per resource. The resources are
 * those the template creates for the given parameters (conditions evaluated), so the figures follow the
 * template; the unit prices and per-question assumptions come from a price table kept in the repo
 * (infra/prices-us-east-1.json), with its date and region.
 */
import { activeResources, evaluateConditions, resolveParameters, resolveValue, type CfnResource, type CfnTemplate } from './cfn-template.js';

export interface PriceTable {
  region: string;
  currency: string;
  prices_as_of: string;
  hours_per_month: number;
  lambda: { request_per_million: number; gb_second: Record<string, number>; provisioned_gb_second: Record<string, number> };
  api_gateway_rest: { request_per_million: number };
  cloudfront: { https_request_per_million: number };
  waf: { web_acl_month: number; rule_month: number; request_per_million: number };
  elasticache_serverless: Record<string, { gb_hour: number; min_gb: number; ecpu_per_million: number }>;
  vpc: { interface_endpoint_az_hour: number; nat_gateway_hour: number };
  cloudwatch: { alarm_month: number; dashboard_month: number; custom_metric_month: number; logs_ingest_gb: number; logs_store_gb_month: number };
  dynamodb_on_demand: { write_per_million: number; read_per_million: number; storage_gb_month: number; pitr_gb_month: number };
  s3: { storage_gb_month: number; put_per_thousand: number; get_per_thousand: number };
  sqs: { request_per_million: number };
  sns: { publish_per_million: number };
  xray: { trace_recorded_per_million: number };
  secrets_manager: { secret_month: number };
  kms: { key_month: number };
  transcribe: { minute: number };
  bedrock_per_thousand_tokens: Record<string, { input: number; output: number }>;
  assumptions: Record<string, number>;
}

export interface CostLine {
  resource: string;
  type: string;
  /** Per month whether or not anyone asks anything. */
  idleMonthly: number;
  /** What 1,000 questions add (a Zipf mix at the assumed cache hit rate). */
  per1000Questions: number;
  note: string;
}

export interface CostEstimate {
  region: string;
  currency: string;
  pricesAsOf: string;
  queriesPerMonth: number;
  lines: CostLine[];
  idleMonthly: number;
  per1000Questions: number;
  /** idle + queriesPerMonth/1000 × per1000Questions */
  monthlyTotal: number;
  assumptions: Record<string, number>;
  warnings: string[];
}

/** Resources billed a flat price per month for as long as they exist, whatever they do: type -> price (from the table) and note. */
export const FLAT_MONTHLY: Readonly<Record<string, { monthly: (prices: PriceTable) => number; note: string }>> = {
  'AWS::EC2::NatGateway': { monthly: (x) => x.vpc.nat_gateway_hour * x.hours_per_month, note: 'NAT gateway (hourly)' },
  'AWS::CloudWatch::Alarm': { monthly: (x) => x.cloudwatch.alarm_month, note: 'metric alarm' },
  'AWS::CloudWatch::Dashboard': { monthly: (x) => x.cloudwatch.dashboard_month, note: 'dashboard' },
  'AWS::SecretsManager::Secret': { monthly: (x) => x.secrets_manager.secret_month, note: 'secret' },
  'AWS::KMS::Key': { monthly: (x) => x.kms.key_month, note: 'customer managed key' },
};

const perQ = (perMillion: number) => perMillion / 1000; // $ per 1,000 questions when each question makes one such request

export function estimateCost(t: CfnTemplate, given: Record<string, unknown>, prices: PriceTable, queriesPerMonth: number): CostEstimate {
  const params = resolveParameters(t, given);
  const conditions = evaluateConditions(t, params);
  const resources = activeResources(t, given);
  const a = prices.assumptions;
  const H = prices.hours_per_month;
  const lines: CostLine[] = [];
  const warnings: string[] = [];
  const add = (resource: string, type: string, idleMonthly: number, per1000Questions: number, note: string) =>
    lines.push({ resource, type, idleMonthly, per1000Questions, note });
  const props = (r: CfnResource) => (resolveValue(r.Properties ?? {}, params, conditions) ?? {}) as Record<string, unknown>;
  const globalsFn = (resolveValue(t.Globals?.Function ?? {}, params, conditions) ?? {}) as Record<string, unknown>;
  const uncached = 1 - a.cache_hit_rate;

  for (const [id, r] of Object.entries(resources)) {
    const p = props(r);
    switch (r.Type) {
      case 'AWS::Serverless::Function':
      case 'AWS::Lambda::Function': {
        const memGb = Number(p.MemorySize ?? globalsFn.MemorySize ?? 128) / 1024;
        const arch = String(((p.Architectures ?? globalsFn.Architectures ?? ['x86_64']) as string[])[0]);
        const pc = Number(((p.ProvisionedConcurrencyConfig ?? {}) as Record<string, unknown>).ProvisionedConcurrentExecutions ?? 0);
        const idle = pc * memGb * H * 3600 * (prices.lambda.provisioned_gb_second[arch] ?? prices.lambda.provisioned_gb_second.x86_64);
        const isQuery = /query/i.test(id);
        const ms = uncached * a.query_ms_uncached + (1 - uncached) * a.query_ms_cached;
        const per1000 = isQuery ? 1000 * ((ms / 1000) * memGb * (prices.lambda.gb_second[arch] ?? prices.lambda.gb_second.x86_64)) + perQ(prices.lambda.request_per_million) : 0;
        add(id, r.Type, idle, per1000, `${Math.round(memGb * 1024)} MB ${arch}${pc ? `, ${pc} provisioned` : ''}${isQuery ? `, ${Math.round(ms)} ms per question on average` : ''}`);
        break;
      }
      case 'AWS::Serverless::Api':
      case 'AWS::ApiGateway::RestApi':
        add(id, r.Type, 0, perQ(prices.api_gateway_rest.request_per_million), 'REST API, per request');
        break;
      case 'AWS::CloudFront::Distribution':
        add(id, r.Type, 0, perQ(prices.cloudfront.https_request_per_million), 'HTTPS requests (data transfer not counted)');
        break;
      case 'AWS::WAFv2::WebACL': {
        const rules = Array.isArray(p.Rules) ? p.Rules.length : 0;
        add(id, r.Type, prices.waf.web_acl_month + rules * prices.waf.rule_month, perQ(prices.waf.request_per_million), `web ACL + ${rules} rules`);
        break;
      }
      case 'AWS::ElastiCache::ServerlessCache': {
        const engine = String(p.Engine ?? 'valkey').toLowerCase();
        const price = prices.elasticache_serverless[engine] ?? prices.elasticache_serverless.redis;
        add(id, r.Type, price.min_gb * price.gb_hour * H, perQ(price.ecpu_per_million * 3), `${engine} serverless, minimum ${price.min_gb} GB stored`);
        break;
      }
      case 'AWS::EC2::VPCEndpoint': {
        if (String(p.VpcEndpointType ?? 'Gateway') !== 'Interface') {
          add(id, r.Type, 0, 0, 'gateway endpoint (free)');
          break;
        }
        const subnets = Array.isArray(p.SubnetIds) ? p.SubnetIds.length : a.interface_endpoint_azs_when_unknown;
        add(id, r.Type, subnets * prices.vpc.interface_endpoint_az_hour * H, 0, `interface endpoint in ${subnets} AZ`);
        break;
      }
      case 'AWS::DynamoDB::Table': {
        const pitr = String(((p.PointInTimeRecoverySpecification ?? {}) as Record<string, unknown>).PointInTimeRecoveryEnabled) === 'true';
        const tables = Object.values(resources).filter((x) => x.Type === 'AWS::DynamoDB::Table').length;
        const share = a.table_data_gb / Math.max(1, tables);
        const idle = share * prices.dynamodb_on_demand.storage_gb_month + (pitr ? share * prices.dynamodb_on_demand.pitr_gb_month : 0);
        const per1000 = (perQ(prices.dynamodb_on_demand.write_per_million) * a.dynamodb_writes_per_question + perQ(prices.dynamodb_on_demand.read_per_million) * a.dynamodb_reads_per_question) / Math.max(1, tables);
        add(id, r.Type, idle, per1000, `on demand${pitr ? ', point-in-time recovery' : ''}`);
        break;
      }
      case 'AWS::S3::Bucket': {
        const manuals = /manual/i.test(id);
        const gb = manuals ? a.stored_manuals_gb : 0;
        const per1000 = manuals ? a.s3_gets_per_question * prices.s3.get_per_thousand : 0;
        add(id, r.Type, gb * prices.s3.storage_gb_month, per1000, manuals ? `${gb} GB of manuals, pages and index` : 'storage as used');
        break;
      }
      default: {
        const flat = FLAT_MONTHLY[r.Type];
        if (flat) add(id, r.Type, flat.monthly(prices), 0, flat.note);
        break; // otherwise free or pay-per-use only when something happens (SQS, SNS, Cognito, IAM, log groups...)
      }
    }
  }

  // Per-question usage that belongs to no single resource line.
  const model = params.TextModelId ?? String(given.TextModelId ?? '');
  if (model) {
    const mp = prices.bedrock_per_thousand_tokens[model];
    if (!mp) warnings.push(`no price for TextModelId ${model} in the price table: its tokens are not counted`);
    else add('Bedrock answers', model, 0, 1000 * uncached * ((a.answer_input_tokens / 1000) * mp.input + (a.answer_output_tokens / 1000) * mp.output), `${a.answer_input_tokens} in / ${a.answer_output_tokens} out tokens per uncached answer`);
  } else {
    add('Answers', 'extractive', 0, 0, 'no TextModelId: extractive answers cost nothing');
  }
  const emb = params.EmbeddingModelId ?? String(given.EmbeddingModelId ?? '');
  if (emb && prices.bedrock_per_thousand_tokens[emb]) {
    add('Bedrock embeddings', emb, 0, 1000 * uncached * (a.question_embedding_tokens / 1000) * prices.bedrock_per_thousand_tokens[emb].input, 'question embedding (manual embeddings are paid at upload)');
  }
  add('Transcribe', 'AWS::Transcribe', 0, 1000 * a.voice_share * (a.voice_seconds / 60) * prices.transcribe.minute, `${a.voice_share * 100}% spoken, ${a.voice_seconds} s each`);
  add('CloudWatch Logs', 'AWS::Logs', 0, 1000 * (a.log_kb_per_question / 1024 / 1024) * prices.cloudwatch.logs_ingest_gb, `${a.log_kb_per_question} KB of logs per question`);
  const emf = conditions.EnableMonitoring ?? (params.EnableAdvancedErrorHandling === 'true' || params.EnableXRayTracing === 'true');
  if (emf) add('CloudWatch custom metrics', 'EMF', a.custom_metric_series * prices.cloudwatch.custom_metric_month, 0, `${a.custom_metric_series} metric series (name × dimensions)`);
  if (params.EnableXRayTracing === 'true') {
    // The sampling rule's rate (TracingSampleRate, the template's own parameter); the reservoir (one trace a second) is left out.
    if (params.TracingSampleRate === undefined) warnings.push('the template has no TracingSampleRate: X-Ray priced as if every request were traced');
    const sampled = params.TracingSampleRate === undefined ? 1 : Number(params.TracingSampleRate);
    add('X-Ray', 'AWS::XRay', 0, 1000 * sampled * (prices.xray.trace_recorded_per_million / 1e6), `${+(sampled * 100).toFixed(2)}% of requests sampled (TracingSampleRate)`);
  }

  const round = (x: number) => Math.round(x * 10000) / 10000;
  for (const l of lines) {
    l.idleMonthly = round(l.idleMonthly);
    l.per1000Questions = round(l.per1000Questions);
  }
  const idleMonthly = round(lines.reduce((s, l) => s + l.idleMonthly, 0));
  const per1000Questions = round(lines.reduce((s, l) => s + l.per1000Questions, 0));
  lines.sort((x, y) => y.idleMonthly - x.idleMonthly || y.per1000Questions - x.per1000Questions);
  return {
    region: prices.region,
    currency: prices.currency,
    pricesAsOf: prices.prices_as_of,
    queriesPerMonth,
    lines,
    idleMonthly,
    per1000Questions,
    monthlyTotal: round(idleMonthly + (queriesPerMonth / 1000) * per1000Questions),
    assumptions: a,
    warnings,
  };
}
