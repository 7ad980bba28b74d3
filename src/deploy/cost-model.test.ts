import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { activeResources, evaluateConditions, parseTemplate, resolveParameters } from './cfn-template.js';
import { estimateCost, FLAT_MONTHLY, type PriceTable } from './cost-model.js';

const prices = JSON.parse(readFileSync('infra/prices-us-east-1.json', 'utf8')) as PriceTable;

const TEMPLATE = `
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  EnableWAF: { Type: String, Default: 'false', AllowedValues: ['true', 'false'] }
  EnableRedisCache: { Type: String, Default: 'false', AllowedValues: ['true', 'false'] }
  EnablePerformanceOptimization: { Type: String, Default: 'false', AllowedValues: ['true', 'false'] }
  TextModelId: { Type: String, Default: '' }
Conditions:
  WafOn: !Equals [!Ref EnableWAF, 'true']
  RedisOn: !Equals [!Ref EnableRedisCache, 'true']
  PerfOn: !Equals [!Ref EnablePerformanceOptimization, 'true']
  RedisOrPerf: !Or [!Condition RedisOn, !Condition PerfOn]
Globals:
  Function:
    MemorySize: 1024
    Architectures: [arm64]
Resources:
  QueryFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      ProvisionedConcurrencyConfig: !If [PerfOn, { ProvisionedConcurrentExecutions: 1 }, !Ref AWS::NoValue]
  WebAcl:
    Type: AWS::WAFv2::WebACL
    Condition: WafOn
    Properties:
      Rules: [{ Name: a }, { Name: b }, { Name: c }]
  Cache:
    Type: AWS::ElastiCache::ServerlessCache
    Condition: RedisOn
    Properties: { Engine: valkey }
  BedrockEndpoint:
    Type: AWS::EC2::VPCEndpoint
    Condition: RedisOrPerf
    Properties:
      VpcEndpointType: Interface
      SubnetIds: [!Ref SubnetA, !Ref SubnetB]
  DynamoEndpoint:
    Type: AWS::EC2::VPCEndpoint
    Condition: RedisOn
    Properties: { VpcEndpointType: Gateway }
  Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties: { Threshold: 2000 }
`;

describe('cfn-template: short tags and conditions', () => {
  const t = parseTemplate(TEMPLATE);
  it('reads short tags in their long form', () => {
    assert.deepEqual(t.Conditions?.WafOn, { 'Fn::Equals': [{ Ref: 'EnableWAF' }, 'true'] });
    assert.deepEqual(t.Conditions?.RedisOrPerf, { 'Fn::Or': [{ Condition: 'RedisOn' }, { Condition: 'PerfOn' }] });
  });
  it('refuses a key written twice (CloudFormation would), and accepts every short tag in both templates', () => {
    assert.throws(() => parseTemplate('Resources:\n  A: { Type: AWS::SQS::Queue }\n  A: { Type: AWS::SNS::Topic }\n'), /unique/i);
    for (const f of ['infra/template.yaml', 'infra/template-minimal.yaml']) assert.ok(Object.keys(parseTemplate(readFileSync(f, 'utf8')).Resources).length > 10, f);
  });
  it('evaluates conditions from defaults and given values', () => {
    const c = evaluateConditions(t, resolveParameters(t, { EnableRedisCache: 'true', Unrelated: 'x' }));
    assert.deepEqual(c, { WafOn: false, RedisOn: true, PerfOn: false, RedisOrPerf: true });
  });
  it('keeps only the resources the parameters create', () => {
    assert.deepEqual(Object.keys(activeResources(t, {})).sort(), ['Alarm', 'QueryFunction']);
    assert.deepEqual(Object.keys(activeResources(t, { EnableWAF: true })).sort(), ['Alarm', 'QueryFunction', 'WebAcl']);
  });
});

describe('estimateCost', () => {
  const t = parseTemplate(TEMPLATE);
  const line = (e: ReturnType<typeof estimateCost>, r: string) => e.lines.find((l) => l.resource === r);

  it('all flags off: idle is the alarm only; questions pay Lambda and API calls', () => {
    const e = estimateCost(t, {}, prices, 30_000);
    assert.equal(e.idleMonthly, 0.1);
    assert.equal(line(e, 'QueryFunction')?.idleMonthly, 0);
    // 40% uncached at 600 ms + 60% cached at 40 ms, 1 GB arm64, plus $0.20 per million requests (= $0.0002 per 1,000).
    const expected = 1000 * ((0.4 * 0.6 + 0.6 * 0.04) * 1 * 0.0000133334) + 0.2 / 1000;
    assert.ok(Math.abs(line(e, 'QueryFunction')!.per1000Questions - expected) < 1e-4);
    assert.equal(line(e, 'Answers')?.type, 'extractive');
  });

  it('each flag adds what its resources cost idle', () => {
    const e = estimateCost(t, { EnableWAF: 'true', EnableRedisCache: 'true', EnablePerformanceOptimization: 'true' }, prices, 30_000);
    assert.equal(line(e, 'WebAcl')?.idleMonthly, 5 + 3 * 1);
    assert.ok(Math.abs(line(e, 'Cache')!.idleMonthly - 0.1 * 0.084 * 730) < 1e-3);
    assert.ok(Math.abs(line(e, 'BedrockEndpoint')!.idleMonthly - 2 * 0.01 * 730) < 1e-3);
    assert.equal(line(e, 'DynamoEndpoint')?.idleMonthly, 0);
    assert.ok(Math.abs(line(e, 'QueryFunction')!.idleMonthly - 1 * 730 * 3600 * 0.0000033334) < 1e-2);
    const sum = e.lines.reduce((s, l) => s + l.idleMonthly, 0);
    assert.ok(Math.abs(e.idleMonthly - sum) < 1e-3);
    assert.ok(Math.abs(e.monthlyTotal - (e.idleMonthly + 30 * e.per1000Questions)) < 1e-3);
  });

  it('a text model adds its tokens for uncached answers only; an unknown model is a warning, not a guess', () => {
    const e = estimateCost(t, { TextModelId: 'anthropic.claude-3-haiku-20240307-v1:0' }, prices, 1000);
    const expected = 1000 * 0.4 * (1.5 * 0.00025 + 0.2 * 0.00125);
    assert.ok(Math.abs(line(e, 'Bedrock answers')!.per1000Questions - expected) < 1e-4);
    const u = estimateCost(t, { TextModelId: 'vendor.unknown-model' }, prices, 1000);
    assert.match(u.warnings[0], /no price for TextModelId vendor\.unknown-model/);
  });
});

describe('estimateCost: flat monthly prices and point-in-time recovery', () => {
  const t = parseTemplate(`
Parameters:
  Pitr: { Type: String, Default: 'true' }
Conditions:
  PitrOn: !Equals [!Ref Pitr, 'true']
Resources:
  Nat: { Type: AWS::EC2::NatGateway }
  Board: { Type: AWS::CloudWatch::Dashboard }
  Alarm: { Type: AWS::CloudWatch::Alarm }
  Secret: { Type: AWS::SecretsManager::Secret }
  Key: { Type: AWS::KMS::Key }
  Queue: { Type: AWS::SQS::Queue }
  BoolTable:
    Type: AWS::DynamoDB::Table
    Properties: { PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }
  FlagTable:
    Type: AWS::DynamoDB::Table
    Properties: { PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: !If [PitrOn, true, false] } }
  PlainTable: { Type: AWS::DynamoDB::Table }
`);
  const line = (e: ReturnType<typeof estimateCost>, r: string) => e.lines.find((l) => l.resource === r)!;

  it('each flat-priced type costs its price-file figure per month; other types cost nothing idle', () => {
    const e = estimateCost(t, {}, prices, 0);
    assert.equal(line(e, 'Nat').idleMonthly, Math.round(prices.vpc.nat_gateway_hour * prices.hours_per_month * 1e4) / 1e4);
    assert.equal(line(e, 'Board').idleMonthly, prices.cloudwatch.dashboard_month);
    assert.equal(line(e, 'Alarm').idleMonthly, prices.cloudwatch.alarm_month);
    assert.equal(line(e, 'Secret').idleMonthly, prices.secrets_manager.secret_month);
    assert.equal(line(e, 'Key').idleMonthly, prices.kms.key_month);
    assert.equal(e.lines.find((l) => l.resource === 'Queue'), undefined);
    for (const [type, flat] of Object.entries(FLAT_MONTHLY)) assert.ok(flat.monthly(prices) > 0, type);
  });

  it('point-in-time recovery is priced whether the template says true or a parameter makes it "true"', () => {
    const on = estimateCost(t, {}, prices, 0);
    const share = prices.assumptions.table_data_gb / 3;
    const withPitr = share * (prices.dynamodb_on_demand.storage_gb_month + prices.dynamodb_on_demand.pitr_gb_month);
    const without = share * prices.dynamodb_on_demand.storage_gb_month;
    assert.ok(Math.abs(line(on, 'BoolTable').idleMonthly - withPitr) < 1e-4);
    assert.ok(Math.abs(line(on, 'FlagTable').idleMonthly - withPitr) < 1e-4);
    assert.ok(Math.abs(line(on, 'PlainTable').idleMonthly - without) < 1e-4);
    assert.match(line(on, 'FlagTable').note, /point-in-time recovery/);
    const off = estimateCost(t, { Pitr: 'false' }, prices, 0);
    assert.ok(Math.abs(line(off, 'FlagTable').idleMonthly - without) < 1e-4);
  });
});

describe('estimateCost on the repository templates', () => {
  const params = (f: string) => (JSON.parse(readFileSync(f, 'utf8')) as { Parameters: Record<string, string> }).Parameters;
  const types = (e: ReturnType<typeof estimateCost>) => new Set(e.lines.filter((l) => l.idleMonthly > 0).map((l) => l.type));
  const full = parseTemplate(readFileSync('infra/template.yaml', 'utf8'));

  it('the minimal stack idles at pocket money: nothing in it is billed by the hour', () => {
    const e = estimateCost(parseTemplate(readFileSync('infra/template-minimal.yaml', 'utf8')), params('infra/parameters-minimal.json'), prices, 30_000);
    assert.ok(e.idleMonthly < 1, `idle ${e.idleMonthly}`);
    for (const t of ['AWS::WAFv2::WebACL', 'AWS::ElastiCache::ServerlessCache', 'AWS::EC2::VPCEndpoint', 'AWS::EC2::NatGateway']) assert.ok(!types(e).has(t), t);
  });

  it('the migration step (every flag off) costs what minimal costs idle', () => {
    const e = estimateCost(full, params('infra/parameters-migration.json'), prices, 30_000);
    assert.ok(e.idleMonthly < 1, `idle ${e.idleMonthly}`);
  });

  it('each flag of the full stack adds its own hourly resources, and no NAT gateway is ever created', () => {
    const all = params('infra/parameters-full.json');
    const off = Object.fromEntries(Object.keys(all).filter((k) => k.startsWith('Enable')).map((k) => [k, 'false']));
    const withFlag = (flag: string) => types(estimateCost(full, { ...all, ...off, [flag]: 'true' }, prices, 0));
    assert.ok(withFlag('EnableWAF').has('AWS::WAFv2::WebACL'));
    assert.ok(!withFlag('EnableAdvancedSecurity').has('AWS::WAFv2::WebACL'));
    assert.ok(withFlag('EnableRedisCache').has('AWS::ElastiCache::ServerlessCache'));
    assert.ok(!withFlag('EnableWAF').has('AWS::ElastiCache::ServerlessCache'));
    const everything = estimateCost(full, all, prices, 30_000);
    assert.ok(!types(everything).has('AWS::EC2::NatGateway'));
    assert.ok(everything.idleMonthly > estimateCost(full, { ...all, ...off }, prices, 0).idleMonthly);
  });

  it("the full stack idles within issue 10's $60/month, and warm Query instances are priced when asked for", () => {
    const all = params('infra/parameters-full.json');
    const e = estimateCost(full, all, prices, 30_000);
    assert.ok(e.idleMonthly <= 60, `idle ${e.idleMonthly}`);
    // interface endpoints only for what the Query function calls from the VPC, one AZ each
    const endpoints = e.lines.filter((l) => l.type === 'AWS::EC2::VPCEndpoint' && l.idleMonthly > 0).map((l) => l.resource).sort();
    assert.deepEqual(endpoints, ['BedrockRuntimeEndpoint', 'CognitoIdpEndpoint', 'SnsEndpoint', 'TranscribeEndpoint']);
    assert.equal(e.lines.find((l) => l.resource === 'QueryFunction')?.idleMonthly, 0);
    const warm = estimateCost(full, { ...all, QueryProvisionedConcurrency: '2' }, prices, 30_000);
    const pc = 2 * 1 * prices.hours_per_month * 3600 * prices.lambda.provisioned_gb_second.arm64;
    assert.ok(Math.abs(warm.lines.find((l) => l.resource === 'QueryFunction')!.idleMonthly - pc) < 1e-2);
    assert.ok(Math.abs(warm.idleMonthly - e.idleMonthly - pc) < 1e-2);
  });
});
