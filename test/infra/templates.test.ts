import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createTableInput, TABLES } from '../../src/adapters/aws/dynamodb-tables.js';
import { parameterNames, parseParameters } from '../../src/config/parameters.js';
import { conditionFlags, evaluate, FLAGS, ifConditions, NO_VALUE, parameterValues, references, resourceFlags, subVariables, type Flag } from './cfn-eval.js';
import { infraPath, loadTemplate, readJson, repoRoot, type Json } from './infra-files.js';

const full = await loadTemplate('template.yaml');
const minimal = await loadTemplate('template-minimal.yaml');
const templates = [
  ['template.yaml', full],
  ['template-minimal.yaml', minimal],
] as const;

/** The functions of the aws shape, by the folder the lambda build writes (dist-lambda/<name>/index.mjs). */
const FUNCTIONS: Record<string, string> = {
  QueryFunction: 'query',
  ManualsFunction: 'manuals',
  UsageFunction: 'usage',
  IngestionStatusFunction: 'ingestion-status',
  BootstrapFunction: 'bootstrap',
  HealthFunction: 'health',
  TranscribeFunction: 'transcribe',
  ProcessManualFunction: 'process-manual',
  ErrorProcessorFunction: 'error-processor',
};

/** What each flag creates (resource level). Every resource not listed exists in every stack. */
const GATED: Record<string, Flag[]> = {
  // EnableAdvancedSecurity
  RateLimitsTable: ['EnableAdvancedSecurity'],
  // EnableXRayTracing (besides the functions' and stage's tracing properties): the sampling rule
  TracingSamplingRule: ['EnableXRayTracing'],
  // EnableAdvancedErrorHandling
  ErrorTrackingTable: ['EnableAdvancedErrorHandling'],
  DeadLetterQueue: ['EnableAdvancedErrorHandling'],
  DeadLetterParkingQueue: ['EnableAdvancedErrorHandling'],
  AlertTopic: ['EnableAdvancedErrorHandling'],
  AlertTopicPolicy: ['EnableAdvancedErrorHandling'],
  AlertEmailSubscription: ['EnableAdvancedErrorHandling'],
  ErrorProcessorFunction: ['EnableAdvancedErrorHandling'],
  ErrorProcessorLogGroup: ['EnableAdvancedErrorHandling'],
  ProcessManualEventInvokeConfig: ['EnableAdvancedErrorHandling'],
  DeadLetterQueueDepthAlarm: ['EnableAdvancedErrorHandling'],
  ParkedLettersAlarm: ['EnableAdvancedErrorHandling'],
  // EnableRedisCache: the cache, the VPC the Query function joins, the endpoints it needs there
  Vpc: ['EnableRedisCache'],
  PrivateSubnetA: ['EnableRedisCache'],
  PrivateSubnetB: ['EnableRedisCache'],
  PrivateRouteTable: ['EnableRedisCache'],
  PrivateSubnetARouteTableAssociation: ['EnableRedisCache'],
  PrivateSubnetBRouteTableAssociation: ['EnableRedisCache'],
  FunctionSecurityGroup: ['EnableRedisCache'],
  CacheSecurityGroup: ['EnableRedisCache'],
  CacheSecurityGroupIngress: ['EnableRedisCache'],
  EndpointSecurityGroup: ['EnableRedisCache'],
  DynamoDBEndpoint: ['EnableRedisCache'],
  S3Endpoint: ['EnableRedisCache'],
  BedrockRuntimeEndpoint: ['EnableRedisCache'],
  TranscribeEndpoint: ['EnableRedisCache'],
  CognitoIdpEndpoint: ['EnableRedisCache'],
  RedisCache: ['EnableRedisCache'],
  // the Query function's alerts (SNS) from inside the VPC; no X-Ray endpoint: Lambda's daemon ships traces (ADR 0031)
  SnsEndpoint: ['EnableAdvancedErrorHandling', 'EnableRedisCache'],
  // EnableWAF
  IPAllowlistSet: ['EnableWAF'],
  WebACL: ['EnableWAF'],
  WebACLAssociation: ['EnableWAF'],
  // EnablePerformanceOptimization: CloudFront in front of the web app (S3) and the API
  WebAppBucket: ['EnablePerformanceOptimization'],
  WebAppOriginAccessControl: ['EnablePerformanceOptimization'],
  WebAppBucketPolicy: ['EnablePerformanceOptimization'],
  Distribution: ['EnablePerformanceOptimization'],
  // monitoring (as the embedded shape, ADR 0014): either flag
  ApiErrorRateAlarm: ['EnableAdvancedErrorHandling', 'EnableXRayTracing'],
  ApiLatencyAlarm: ['EnableAdvancedErrorHandling', 'EnableXRayTracing'],
  FunctionErrorsAlarm: ['EnableAdvancedErrorHandling', 'EnableXRayTracing'],
  DailyCostAlarm: ['EnableAdvancedErrorHandling', 'EnableXRayTracing'],
  RequestCostAlarm: ['EnableAdvancedErrorHandling', 'EnableXRayTracing'],
  QuotaUsageAlarm: ['EnableAdvancedErrorHandling', 'EnableXRayTracing'],
  Dashboard: ['EnableAdvancedErrorHandling', 'EnableXRayTracing'],
};

const PSEUDO = new Set(['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix']);
/** Resources SAM generates from the ones in the template, by logical id. */
function samGenerated(template: Json): Set<string> {
  const out = new Set<string>(['ServerlessRestApi']);
  for (const [id, r] of Object.entries(template.Resources as Record<string, Json>)) {
    if (r.Type === 'AWS::Serverless::Function') {
      out.add(`${id}Role`);
      if (r.Properties.AutoPublishAlias) out.add(`${id}Alias${r.Properties.AutoPublishAlias}`);
    }
    if (r.Type === 'AWS::Serverless::Api') out.add(`${id}${r.Properties.StageName}Stage`).add(`${id}Deployment`);
  }
  return out;
}

for (const [name, t] of templates) {
  test(`${name}: parses (CloudFormation short tags) into a SAM template`, () => {
    assert.equal(t.AWSTemplateFormatVersion, '2010-09-09');
    assert.equal(t.Transform, 'AWS::Serverless-2016-10-31');
    assert.ok(Object.keys(t.Resources).length > 20);
    assert.deepEqual(t.Resources.QueryFunction.Properties.Events.ApiQuery.Properties.RestApiId, { Ref: 'ManuelApi' });
  });

  test(`${name}: every Ref, GetAtt, Sub variable, Condition, DependsOn and FindInMap resolves`, () => {
    const resources = new Set(Object.keys(t.Resources));
    const params = new Set(Object.keys(t.Parameters ?? {}));
    const conditions = new Set(Object.keys(t.Conditions ?? {}));
    const generated = samGenerated(t);
    const refs = references(t);
    assert.ok(refs.length > 100, `only ${refs.length} references found: the scan is broken`);
    const dangling = refs.filter((r) => {
      switch (r.kind) {
        case 'Ref':
        case 'Sub':
          return !(PSEUDO.has(r.name) || params.has(r.name) || resources.has(r.name) || generated.has(r.name));
        case 'GetAtt':
        case 'DependsOn':
          return !(resources.has(r.name) || generated.has(r.name));
        case 'Condition':
        case 'If':
          return !conditions.has(r.name);
        case 'FindInMap':
          return !(r.name in (t.Mappings ?? {}));
      }
    });
    assert.deepEqual(dangling, []);
    // and nothing unused: every parameter and condition is read somewhere
    const used = new Set(refs.map((r) => r.name));
    assert.deepEqual([...params].filter((p) => !used.has(p)), [], 'unused parameters');
    assert.deepEqual([...conditions].filter((c) => !used.has(c)), [], 'unused conditions');
  });

  test(`${name}: functions: CodeUri ../dist-lambda/<name>/, Handler index.handler, architecture, a maintained Node runtime, a log group with LogRetentionDays`, () => {
    const fns = Object.entries(t.Resources as Record<string, Json>).filter(([, r]) => r.Type === 'AWS::Serverless::Function');
    const expected = Object.keys(FUNCTIONS).filter((id) => name === 'template.yaml' || id !== 'ErrorProcessorFunction');
    assert.deepEqual(fns.map(([id]) => id).sort(), expected.sort());
    assert.equal(t.Globals.Function.Handler, 'index.handler');
    assert.equal(t.Globals.Function.Architectures, undefined, 'SAM would append it to each function list');
    assert.match(t.Globals.Function.Runtime, /^nodejs(2[2-9]|[3-9]\d)\.x$/, 'nodejs20.x is past its deprecation date');
    for (const [id, r] of fns) {
      const dir = FUNCTIONS[id]!;
      assert.equal(r.Properties.CodeUri, `../dist-lambda/${dir}/`, id);
      assert.equal(r.Properties.Handler ?? t.Globals.Function.Handler, 'index.handler', id);
      assert.deepEqual(r.Properties.FunctionName, { 'Fn::Sub': `\${AWS::StackName}-${dir}` }, id);
      assert.equal(r.Metadata?.SkipBuild, true, `${id}: the bundle is built by npm run build:lambda, not by sam build`);
      const lg = r.Properties.LoggingConfig.LogGroup.Ref;
      assert.deepEqual(t.Resources[lg].Properties.RetentionInDays, { Ref: 'LogRetentionDays' });
      assert.deepEqual(t.Resources[lg].Properties.LogGroupName, { 'Fn::Sub': `/aws/lambda/\${AWS::StackName}-${dir}` });
      assert.equal(t.Resources[lg].Condition, r.Condition, `${id}: its log group exists exactly when it does`);
      // arm64 (cheaper) except Manuals, whose bundle carries the x86_64 build of @napi-rs/canvas
      assert.deepEqual(r.Properties.Architectures, id === 'ManualsFunction' ? ['x86_64'] : ['arm64'], id);
      const timeout = r.Properties.Timeout ?? t.Globals.Function.Timeout;
      if (r.Properties.Events && Object.values(r.Properties.Events as Record<string, Json>).some((e) => e.Type === 'Api')) {
        assert.ok(timeout <= 29, `${id}: API Gateway gives up after 29 s`);
      }
    }
  });

  test(`${name}: every handler exists in the lambda build`, (tc) => {
    const dist = join(repoRoot, 'dist-lambda');
    const entries = join(repoRoot, 'src', 'entry', 'lambda');
    const dirs = Object.values(t.Resources as Record<string, Json>)
      .filter((r) => r.Type === 'AWS::Serverless::Function')
      .map((r) => (r.Properties.CodeUri as string).replace('../dist-lambda/', '').replace(/\/$/, ''));
    if (existsSync(dist)) {
      for (const d of dirs) assert.ok(existsSync(join(dist, d, 'index.mjs')), `dist-lambda/${d}/index.mjs is missing`);
    } else if (existsSync(entries)) {
      const names = readdirSync(entries).map((f) => f.replace(/\.ts$/, ''));
      for (const d of dirs) assert.ok(names.includes(d), `src/entry/lambda/${d}.ts is missing (have: ${names.join(', ')})`);
    } else {
      tc.skip('neither dist-lambda/ nor src/entry/lambda/ exists yet: the handler paths were checked against the function list only');
    }
  });
}

test('tables are exactly those of src/adapters/aws/dynamodb-tables.ts: generic schema, TTL, on demand, gated by their flag', () => {
  const spec = createTableInput('x');
  for (const [name, t] of templates) {
    const tableIds = Object.entries(t.Resources as Record<string, Json>).filter(([, r]) => r.Type === 'AWS::DynamoDB::Table').map(([id]) => id);
    const wanted = Object.values(TABLES).filter((s) => name === 'template.yaml' || !s.flag);
    assert.deepEqual(tableIds.sort(), wanted.map((s) => s.logicalId).sort(), name);
    for (const s of wanted) {
      const r = t.Resources[s.logicalId];
      const p = r.Properties;
      assert.equal(p.BillingMode, 'PAY_PER_REQUEST');
      assert.deepEqual(p.AttributeDefinitions, spec.AttributeDefinitions);
      assert.deepEqual(p.KeySchema, spec.KeySchema);
      assert.deepEqual(p.GlobalSecondaryIndexes, spec.GlobalSecondaryIndexes);
      assert.deepEqual(p.TimeToLiveSpecification, { AttributeName: 'expires_at', Enabled: true });
      assert.deepEqual(p.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: { 'Fn::If': ['PointInTimeRecoveryEnabled', true, false] } });
      assert.equal(r.DeletionPolicy, 'Retain');
      assert.deepEqual([...resourceFlags(t, s.logicalId)], s.flag ? [s.flag] : [], `${s.logicalId} flag`);
      // every function reads the name from the variable the spec names
      const env = t.Globals.Function.Environment.Variables[s.envVar];
      if (s.flag) assert.deepEqual(env, { 'Fn::If': [r.Condition, { Ref: s.logicalId }, { Ref: 'AWS::NoValue' }] }, s.envVar);
      else assert.deepEqual(env, { Ref: s.logicalId }, s.envVar);
    }
  }
});

test('template.yaml: each Enable* flag gates exactly its resources', () => {
  const actual: Record<string, Flag[]> = {};
  for (const id of Object.keys(full.Resources)) {
    const flags = [...resourceFlags(full, id)].sort();
    if (flags.length) actual[id] = flags;
  }
  const expected = Object.fromEntries(Object.entries(GATED).map(([id, f]) => [id, [...f].sort()]));
  assert.deepEqual(actual, expected);
  // every flag is a 'true'|'false' String with a condition of its own
  for (const f of FLAGS) {
    assert.deepEqual(full.Parameters[f], { ...full.Parameters[f], Type: 'String', Default: 'false', AllowedValues: ['true', 'false'] });
    const cond = f.replace(/^Enable/, '') + 'Enabled';
    assert.deepEqual(full.Conditions[cond], { 'Fn::Equals': [{ Ref: f }, 'true'] });
    assert.ok(Object.values(actual).some((fl) => fl.includes(f)), `${f} gates nothing`);
  }
});

test('template.yaml: flags that change properties rather than resources (X-Ray, performance, Redis VPC)', () => {
  const g = full.Globals.Function;
  const q = full.Resources.QueryFunction.Properties;
  assert.deepEqual(g.Tracing, { 'Fn::If': ['XRayTracingEnabled', 'Active', 'PassThrough'] });
  assert.deepEqual(full.Resources.ManuelApi.Properties.TracingEnabled, { 'Fn::If': ['XRayTracingEnabled', true, false] });
  assert.deepEqual(g.Environment.Variables.POWERTOOLS_TRACE_ENABLED, { 'Fn::If': ['XRayTracingEnabled', 'true', 'false'] });
  // X-Ray samples as the embedded shape does: one trace a second, then TracingSampleRate of the rest, on this API's stage.
  const rule = full.Resources.TracingSamplingRule.Properties.SamplingRule;
  assert.deepEqual([rule.FixedRate, rule.ReservoirSize, rule.ServiceName], [{ Ref: 'TracingSampleRate' }, 1, { 'Fn::Sub': '${AWS::StackName}-api/v1' }]);
  assert.deepEqual(ifConditions(g.MemorySize), new Set(['PerformanceOptimizationEnabled']));
  assert.deepEqual(ifConditions(q.MemorySize), new Set(['PerformanceOptimizationEnabled']));
  assert.deepEqual(ifConditions(q.ProvisionedConcurrencyConfig), new Set(['QueryProvisionedConcurrencyOn']));
  // provisioned concurrency: as many instances as QueryProvisionedConcurrency, only with the performance flag, none at 0
  const pc = (values: Record<string, string>) => evaluate(full, q.ProvisionedConcurrencyConfig, parameterValues(full, values));
  assert.deepEqual(pc({ EnablePerformanceOptimization: 'true', QueryProvisionedConcurrency: '2' }), { ProvisionedConcurrentExecutions: '2' });
  assert.equal(pc({ EnablePerformanceOptimization: 'false', QueryProvisionedConcurrency: '2' }), NO_VALUE);
  assert.equal(pc({ EnablePerformanceOptimization: 'true', QueryProvisionedConcurrency: '0' }), NO_VALUE);
  assert.equal(full.Parameters.QueryProvisionedConcurrency.Default, 0, 'warm instances cost $8.76/month each: asked for, not by default');
  assert.equal(q.AutoPublishAlias, 'live', 'provisioned concurrency needs an alias');
  assert.deepEqual(g.Environment.Variables.AWS_NODEJS_CONNECTION_REUSE_ENABLED, { 'Fn::If': ['PerformanceOptimizationEnabled', '1', { Ref: 'AWS::NoValue' }] });
  assert.deepEqual(ifConditions(q.VpcConfig), new Set(['RedisCacheEnabled']));
  // only the Query function is in the VPC and gets the cache's URL; the others are told Redis is off
  assert.deepEqual(q.Environment.Variables.EnableRedisCache, { Ref: 'EnableRedisCache' });
  assert.equal(g.Environment.Variables.EnableRedisCache, 'false');
  for (const [id, r] of Object.entries(full.Resources as Record<string, Json>)) {
    if (r.Type === 'AWS::Serverless::Function' && id !== 'QueryFunction') assert.equal(r.Properties.VpcConfig, undefined, id);
  }
  // with every flag at its default, the conditions name no flag-gated resource
  const off = parameterValues(full);
  for (const f of FLAGS) assert.equal(off[f], 'false');
  for (const c of Object.keys(GATED)) assert.equal(evaluate(full, { Condition: full.Resources[c].Condition }, off), false, c);
});

test('template.yaml: the Query function reaches Valkey over TLS (rediss://<endpoint>:<port>) and is the only one that needs it (ADR 0029)', () => {
  const env = full.Resources.QueryFunction.Properties.Environment.Variables;
  assert.deepEqual(env.RedisUrl, { 'Fn::If': ['RedisCacheEnabled', { 'Fn::Sub': 'rediss://${RedisCache.Endpoint.Address}:${RedisCache.Endpoint.Port}' }, ''] });
  assert.deepEqual(env.RedisKeyPrefix, { Ref: 'RedisKeyPrefix' });
  assert.deepEqual(full.Resources.QueryFunction.Properties.VpcConfig['Fn::If'][1].SubnetIds, full.Resources.RedisCache.Properties.SubnetIds, 'the function is in the subnets of the cache');
  // the function's security group may open 6379-6380 (Valkey serverless: writes, replica reads) to the cache
  const egress = full.Resources.FunctionSecurityGroup.Properties.SecurityGroupEgress as Json[];
  assert.ok(egress.some((r) => r.FromPort === 6379 && r.ToPort === 6380), JSON.stringify(egress));
  for (const [id, r] of Object.entries(full.Resources as Record<string, Json>)) {
    if (r.Type === 'AWS::Serverless::Function' && id !== 'QueryFunction') assert.equal(r.Properties.Environment?.Variables?.RedisUrl, undefined, id);
  }
});

test('template.yaml: every function that may alert (error tracking, dead letters, alarms) may publish to the alerts topic', () => {
  const publish = { 'Fn::If': ['AdvancedErrorHandlingEnabled', { SNSPublishMessagePolicy: { TopicName: { 'Fn::GetAtt': ['AlertTopic', 'TopicName'] } } }, { Ref: 'AWS::NoValue' }] };
  for (const id of Object.keys(FUNCTIONS)) {
    const policies = full.Resources[id].Properties.Policies as Json[];
    const ok = id === 'ErrorProcessorFunction' ? policies.some((x) => x.SNSPublishMessagePolicy) : policies.some((x) => JSON.stringify(x) === JSON.stringify(publish));
    assert.ok(ok, `${id} can publish alerts`);
  }
});

test('template-minimal.yaml is template.yaml with every flag off: same resources, no flag parameter', () => {
  const core = Object.keys(full.Resources).filter((id) => resourceFlags(full, id).size === 0);
  assert.deepEqual(Object.keys(minimal.Resources).sort(), core.sort());
  for (const id of core) assert.equal(minimal.Resources[id].Type, full.Resources[id].Type, id);
  for (const f of FLAGS) {
    assert.equal(minimal.Parameters[f], undefined, f);
    assert.equal(minimal.Globals.Function.Environment.Variables[f], 'false', `${f} is passed to the app as off`);
  }
  // same parameters otherwise (names and constraints), so one parameters file can move between them
  for (const [p, def] of Object.entries(minimal.Parameters as Record<string, Json>)) assert.deepEqual(def, full.Parameters[p], p);
});

test('parameter names are those of src/config/parameters.ts (plus AWS-only data-safety and warm-instance settings), with defaults the embedded schema accepts', () => {
  const awsOnly = new Set(['EnablePointInTimeRecovery', 'EnableS3Versioning', 'QueryProvisionedConcurrency']);
  const known = new Set<string>(parameterNames);
  for (const [name, t] of templates) {
    const declared = Object.keys(t.Parameters);
    assert.deepEqual(declared.filter((p) => !known.has(p) && !awsOnly.has(p)), [], `${name}: unknown parameter names`);
    const defaults = Object.fromEntries(declared.filter((p) => !awsOnly.has(p)).map((p) => [p, String(t.Parameters[p].Default)]));
    assert.doesNotThrow(() => parseParameters(defaults), `${name}: defaults out of the embedded schema's range`);
  }
});

/** CloudFormation's own checks of a parameter value (AllowedValues, AllowedPattern, Min/MaxValue). */
function parameterProblem(def: Json, value: string): string | undefined {
  if (def.AllowedValues && !def.AllowedValues.map(String).includes(value)) return `not one of ${def.AllowedValues}`;
  if (def.AllowedPattern && !new RegExp(`^(?:${def.AllowedPattern})$`).test(value)) return `does not match ${def.AllowedPattern}`;
  if (def.Type === 'Number') {
    const n = Number(value);
    if (value === '' || Number.isNaN(n)) return 'not a number';
    if (def.MinValue !== undefined && n < def.MinValue) return `below ${def.MinValue}`;
    if (def.MaxValue !== undefined && n > def.MaxValue) return `above ${def.MaxValue}`;
  }
  return undefined;
}

test('parameters files: the embedded server accepts them, and their template accepts every value it declares', () => {
  for (const [file, t] of [
    ['parameters-minimal.json', minimal],
    ['parameters-migration.json', full],
    ['parameters-full.json', full],
  ] as const) {
    const params = readJson(infraPath(file)).Parameters as Record<string, string>;
    assert.doesNotThrow(() => parseParameters(params), file);
    for (const [k, v] of Object.entries(params)) {
      if (t.Parameters[k]) assert.equal(parameterProblem(t.Parameters[k], String(v)), undefined, `${file}: ${k}=${v}`);
    }
    for (const [p, def] of Object.entries(t.Parameters as Record<string, Json>)) {
      assert.equal(parameterProblem(def, String(def.Default)), undefined, `default of ${p}`);
    }
  }
  const migration = readJson(infraPath('parameters-migration.json')).Parameters;
  for (const f of FLAGS) assert.equal(migration[f], 'false', `migration step 1 is core services only: ${f}`);
  const fullFile = readJson(infraPath('parameters-full.json')).Parameters;
  for (const f of FLAGS) assert.equal(fullFile[f], 'true', f);
});

test('WAF: the IP set is valid with an empty IPAllowlist, and the allowlist rule exists only with addresses', () => {
  const on = (values: Record<string, string> = {}) => parameterValues(full, { EnableWAF: 'true', ...values });
  const ipset = (values?: Record<string, string>) => evaluate(full, full.Resources.IPAllowlistSet.Properties, on(values));
  const rules = (values?: Record<string, string>) => evaluate(full, full.Resources.WebACL.Properties.Rules, on(values)) as Json[];

  const empty = ipset();
  assert.deepEqual(empty.Addresses, [], 'an empty address list is valid for AWS::WAFv2::IPSet');
  assert.equal(empty.IPAddressVersion, 'IPV4');
  assert.equal(empty.Scope, 'REGIONAL');
  assert.deepEqual(rules().map((r) => r.Name), ['RateLimitRequests', 'AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesSQLiRuleSet']);

  const listed = { IPAllowlist: '203.0.113.7/32,198.51.100.0/24' };
  assert.equal(parameterProblem(full.Parameters.IPAllowlist, listed.IPAllowlist), undefined);
  assert.equal(parameterProblem(full.Parameters.IPAllowlist, '203.0.113.7/32, 198.51.100.0/24'), 'does not match ' + full.Parameters.IPAllowlist.AllowedPattern, 'spaces would reach the IP set');
  assert.deepEqual(ipset(listed).Addresses, ['203.0.113.7/32', '198.51.100.0/24']);
  const withList = rules(listed);
  assert.equal(withList[0].Name, 'IPAllowlist');
  assert.deepEqual(withList[0].Statement.NotStatement.Statement.IPSetReferenceStatement.Arn, { 'Fn::GetAtt': ['IPAllowlistSet', 'Arn'] });
  const priorities = withList.map((r) => r.Priority);
  assert.equal(new Set(priorities).size, priorities.length, 'rule priorities are unique');

  // the rate-based rule at every window the template allows
  for (const minutes of full.Parameters.RateLimitWindowMinutes.AllowedValues) {
    const rate = rules({ RateLimitWindowMinutes: String(minutes) }).find((r) => r.Name === 'RateLimitRequests').Statement.RateBasedStatement;
    assert.ok([60, 120, 300, 600].includes(rate.EvaluationWindowSec), `window ${minutes} min`);
    assert.equal(rate.EvaluationWindowSec, minutes * 60);
    assert.ok(Number(rate.Limit) >= 10, 'WAF rate limits start at 10');
    assert.equal(rate.AggregateKeyType, 'IP');
  }
  // behind CloudFront the client address is the forwarded one
  const behindCdn = rules({ EnablePerformanceOptimization: 'true' }).find((r) => r.Name === 'RateLimitRequests').Statement.RateBasedStatement;
  assert.equal(behindCdn.AggregateKeyType, 'FORWARDED_IP');
  assert.equal(behindCdn.ForwardedIPConfig.HeaderName, 'X-Forwarded-For');
  // uploads are bigger than the common rule set's 8 KB body limit
  const common = rules().find((r) => r.Name === 'AWSManagedRulesCommonRuleSet').Statement.ManagedRuleGroupStatement;
  assert.deepEqual(common.RuleActionOverrides, [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }]);
});

test('queues at their defaults: visibility timeout covers the consumer, bounded receives, parking queue keeps letters longer', () => {
  const v = parameterValues(full, { EnableAdvancedErrorHandling: 'true' });
  const dlq = evaluate(full, full.Resources.DeadLetterQueue.Properties, v);
  const parked = evaluate(full, full.Resources.DeadLetterParkingQueue.Properties, v);
  const consumer = full.Resources.ErrorProcessorFunction.Properties;
  assert.deepEqual(consumer.Events.DeadLetters.Properties.Queue, { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] });
  assert.ok(dlq.VisibilityTimeout >= consumer.Timeout, 'SQS event sources need VisibilityTimeout >= function timeout');
  assert.ok(dlq.VisibilityTimeout >= 6 * consumer.Timeout, 'AWS guidance: 6 x the function timeout');
  assert.ok(dlq.VisibilityTimeout <= 43200);
  assert.ok(dlq.RedrivePolicy.maxReceiveCount >= 1 && dlq.RedrivePolicy.maxReceiveCount <= 1000);
  assert.deepEqual(dlq.RedrivePolicy.deadLetterTargetArn, { 'Fn::GetAtt': ['DeadLetterParkingQueue', 'Arn'] });
  assert.ok(dlq.MessageRetentionPeriod >= 60 && dlq.MessageRetentionPeriod <= 1209600);
  assert.ok(parked.MessageRetentionPeriod >= dlq.MessageRetentionPeriod, 'a letter keeps its first enqueue time when moved');
  assert.ok(consumer.Events.DeadLetters.Properties.BatchSize <= 10);
  // failed ProcessManual invocations land in the DLQ after Lambda's retries (0..2 allowed)
  const invoke = evaluate(full, full.Resources.ProcessManualEventInvokeConfig.Properties, v);
  assert.ok(invoke.MaximumRetryAttempts >= 0 && invoke.MaximumRetryAttempts <= 2);
  assert.deepEqual(invoke.DestinationConfig.OnFailure.Destination, { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] });
  assert.ok(full.Resources.ProcessManualFunction.Properties.Timeout <= 900);
  // S3 ObjectCreated under manuals/ only, so rendered pages or other keys do not start ingestion
  const s3 = full.Resources.ProcessManualFunction.Properties.Events.ManualUploaded.Properties;
  assert.deepEqual(s3.Bucket, { Ref: 'ManualsBucket' });
  assert.equal(s3.Events, 's3:ObjectCreated:*');
  assert.deepEqual(s3.Filter.S3Key.Rules, [{ Name: 'prefix', Value: 'manuals/' }]);
  // the alert e-mail is subscribed only when set
  assert.equal(evaluate(full, { Condition: 'HasAlertEmail' }, v), false);
  assert.equal(evaluate(full, { Condition: 'HasAlertEmail' }, { ...v, AlertEmail: 'ops@example.com' }), true);
});

test('what the aws wiring reads: ProcessManual on a schedule, JwtSecret (NoEcho), EmbeddingModelId, Cognito as the app signs in, transcribe/ scratch space', () => {
  for (const [name, t] of templates) {
    const r = t.Resources;
    const pm = r.ProcessManualFunction.Properties;
    // a re-upload of the same bytes makes no S3 event; the handler accepts scheduled events (ingest-function.ts)
    assert.deepEqual(pm.Events.Sweep.Type, 'Schedule', name);
    assert.equal(pm.Events.Sweep.Properties.Schedule, 'rate(5 minutes)', name);
    // API-key secrets are sealed with JwtSecret (src/wiring/aws.ts): a NoEcho parameter, empty or >= 32 characters
    const jwt = t.Parameters.JwtSecret;
    assert.equal(jwt.NoEcho, true, name);
    assert.equal(parameterProblem(jwt, ''), undefined);
    assert.equal(parameterProblem(jwt, 'x'.repeat(32)), undefined);
    assert.ok(parameterProblem(jwt, 'too-short'), 'a short secret is refused at deploy time');
    assert.deepEqual(t.Globals.Function.Environment.Variables.JwtSecret, { Ref: 'JwtSecret' });
    // Titan embeddings: the parameter reaches every function, ProcessManual may invoke exactly that model
    assert.equal(t.Parameters.EmbeddingModelId.Default, 'amazon.titan-embed-text-v2:0');
    assert.deepEqual(t.Globals.Function.Environment.Variables.EmbeddingModelId, { Ref: 'EmbeddingModelId' });
    const embeddings = (pm.Policies as Json[]).flatMap((x) => x.Statement ?? []).find((x: Json) => x.Sid === 'Embeddings');
    assert.deepEqual(embeddings.Action, ['bedrock:InvokeModel']);
    assert.match(embeddings.Resource['Fn::Sub'], /foundation-model\/\$\{EmbeddingModelId\}$/);
    const query = (r.QueryFunction.Properties.Policies as Json[]).flatMap((x) => x.Statement ?? []).find((x: Json) => x.Sid === 'Bedrock');
    assert.ok(query.Action.includes('bedrock:InvokeModel'), 'questions are embedded by the Query function');
    // Cognito as src/adapters/aws signs users in: e-mail usernames, case-insensitive, USER_PASSWORD_AUTH, no secret
    const pool = r.UserPool.Properties;
    assert.deepEqual(pool.UsernameAttributes, ['email']);
    assert.deepEqual(pool.UsernameConfiguration, { CaseSensitive: false });
    assert.equal(pool.Policies.PasswordPolicy.MinimumLength, 8);
    const client = r.UserPoolClient.Properties;
    assert.equal(client.GenerateSecret, false);
    assert.deepEqual(client.ExplicitAuthFlows, ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
    assert.equal(client.EnableTokenRevocation, true);
    assert.equal(client.PreventUserExistenceErrors, 'ENABLED');
    assert.deepEqual([client.AccessTokenValidity, client.IdTokenValidity, client.RefreshTokenValidity], [{ Ref: 'AccessTokenTtlSeconds' }, { Ref: 'AccessTokenTtlSeconds' }, { Ref: 'RefreshTokenTtlDays' }]);
    assert.deepEqual(client.TokenValidityUnits, { AccessToken: 'seconds', IdToken: 'seconds', RefreshToken: 'days' });
    const cognito = (r.UsageFunction.Properties.Policies as Json[]).flatMap((x) => x.Statement ?? []).find((x: Json) => x.Sid === 'CognitoUsers');
    for (const a of ['cognito-idp:AdminConfirmSignUp', 'cognito-idp:AdminCreateUser', 'cognito-idp:AdminGetUser']) assert.ok(cognito.Action.includes(a), a);
    assert.deepEqual(cognito.Resource, { 'Fn::GetAtt': ['UserPool', 'Arn'] });
    // Transcribe: the jobs API, the audio bucket (its transcribe/ prefix inside), and that prefix expires after a day
    for (const fn of ['QueryFunction', 'TranscribeFunction']) {
      const policies = r[fn].Properties.Policies as Json[];
      const tr = policies.flatMap((x) => x.Statement ?? []).find((x: Json) => x.Sid === 'Transcribe');
      assert.deepEqual(tr.Action, ['transcribe:StartTranscriptionJob', 'transcribe:GetTranscriptionJob', 'transcribe:DeleteTranscriptionJob'], fn);
      assert.ok(policies.some((x) => x.S3CrudPolicy?.BucketName?.Ref === 'AudioBucket'), fn);
    }
    const scratch = (r.AudioBucket.Properties.LifecycleConfiguration.Rules as Json[]).find((x) => x.Id === 'TranscribeScratch');
    assert.deepEqual(scratch, { Id: 'TranscribeScratch', Status: 'Enabled', Prefix: 'transcribe/', ExpirationInDays: 1 });
  }
});

test('retention parameters reach S3 lifecycle, log groups and the functions (TTL); data safety switches', () => {
  for (const [, t] of templates) {
    const audio = (values: Record<string, string>) => evaluate(t, t.Resources.AudioBucket.Properties.LifecycleConfiguration.Rules, parameterValues(t, values))[0];
    assert.deepEqual(audio({ AudioFileRetentionDays: '0' }), { Id: 'AudioRetention', Status: 'Disabled', ExpirationInDays: 1 });
    assert.deepEqual(audio({ AudioFileRetentionDays: '7' }), { Id: 'AudioRetention', Status: 'Enabled', ExpirationInDays: '7' });
    for (const p of ['UsageDataRetentionDays', 'ErrorRetentionDays', 'LogRetentionDays']) {
      assert.deepEqual(t.Globals.Function.Environment.Variables[p], { Ref: p }, p);
    }
    for (const b of ['ManualsBucket', 'AudioBucket']) {
      assert.deepEqual(t.Resources[b].Properties.VersioningConfiguration, { Status: { 'Fn::If': ['S3VersioningEnabled', 'Enabled', 'Suspended'] } });
      assert.equal(t.Resources[b].DeletionPolicy, 'Retain');
    }
  }
});

test('alarms and dashboard: right units and statistics, every widget of the operations issue', () => {
  const r = full.Resources;
  assert.equal(r.ApiLatencyAlarm.Properties.MetricName, 'Latency');
  assert.equal(r.ApiLatencyAlarm.Properties.Unit, 'Milliseconds', 'API Gateway Latency is in milliseconds, as LatencyThreshold');
  assert.equal(r.ApiLatencyAlarm.Properties.ExtendedStatistic, 'p95');
  assert.deepEqual(r.ApiLatencyAlarm.Properties.Threshold, { Ref: 'LatencyThreshold' });
  const m = r.ApiErrorRateAlarm.Properties.Metrics as Json[];
  assert.deepEqual(m.filter((x) => x.MetricStat).map((x) => [x.MetricStat.Metric.MetricName, x.MetricStat.Stat]), [['Count', 'Sum'], ['5XXError', 'Sum']], 'a rate is computed from two Sums');
  assert.match(m.find((x) => x.ReturnData).Expression, /100 \* errors \/ requests/);
  assert.equal(r.DailyCostAlarm.Properties.Statistic, 'Sum');
  assert.equal(r.DailyCostAlarm.Properties.Period, 86400);
  assert.equal(r.RequestCostAlarm.Properties.Statistic, 'Maximum');
  assert.equal(r.QuotaUsageAlarm.Properties.Statistic, 'Maximum');
  // CloudWatch alarms cannot evaluate SEARCH(); the function-errors alarm names every function's metric
  for (const [id, res] of Object.entries(r as Record<string, Json>)) {
    if (res.Type === 'AWS::CloudWatch::Alarm') assert.doesNotMatch(JSON.stringify(res.Properties), /SEARCH\(/, id);
  }
  const errs = evaluate(full, r.FunctionErrorsAlarm.Properties.Metrics, parameterValues(full, { EnableAdvancedErrorHandling: 'true' })) as Json[];
  const fnNames = errs.filter((x) => x.MetricStat).map((x) => x.MetricStat.Metric.Dimensions[0].Value['Fn::Sub'].replace('${AWS::StackName}-', ''));
  assert.deepEqual(fnNames.sort(), Object.values(FUNCTIONS).sort());
  assert.ok(errs.every((x) => x.Id === 'total' || x.Id.startsWith('e')), 'METRICS("e") picks every function metric');
  // a threshold of 0 turns the alarm off, as in the embedded shape
  const v = parameterValues(full, { EnableAdvancedErrorHandling: 'true' });
  for (const [alarm, p] of [['ApiErrorRateAlarm', 'ErrorRateThreshold'], ['DailyCostAlarm', 'DailyCostThreshold'], ['RequestCostAlarm', 'RequestCostThreshold'], ['QuotaUsageAlarm', 'QuotaUsageThreshold']]) {
    assert.equal(evaluate(full, { Condition: r[alarm!].Condition }, v), true, alarm);
    assert.equal(evaluate(full, { Condition: r[alarm!].Condition }, { ...v, [p!]: '0' }), false, alarm);
  }
  // the dashboard body is JSON once CloudFormation substitutes it
  const [body, vars] = r.Dashboard.Properties.DashboardBody['Fn::Sub'] as [string, Record<string, Json>];
  const names = subVariables(body);
  for (const n of names) assert.ok(n.startsWith('AWS::') || n in vars || n in full.Parameters, n);
  const json = JSON.parse(body.replace(/\$\{([^}]+)\}/g, (_, n: string) => (n in full.Parameters ? String(full.Parameters[n].Default) : 'x')));
  const titles = (json.widgets as Json[]).map((w) => w.properties.title as string);
  for (const want of [/^Requests/, /^5xx/, /^p95 latency \(ms\)/, /cache hit rate/i, /Dead-letter queue depth/, /errors/i, /^Cost/]) {
    assert.ok(titles.some((x) => want.test(x)), `widget ${want}`);
  }
  const p95 = (json.widgets as Json[]).find((w) => /^p95 latency/.test(w.properties.title)).properties;
  assert.equal(p95.stat, 'p95');
  assert.equal(p95.metrics[0][1], 'Latency');
});

test('each function environment fits Lambda 4 KB limit (defaults, long physical names, a 256-character signing key)', () => {
  const v = parameterValues(full, { EnableAdvancedErrorHandling: 'true', EnableAdvancedSecurity: 'true', EnablePerformanceOptimization: 'true', EnableRedisCache: 'true', HMACSigningKey: 'k'.repeat(256), AlertWebhookUrl: 'https://hooks.example.com/' + 'x'.repeat(100) });
  const physical = 'x'.repeat(96); // a generated table name, queue URL, ARN or Redis URL
  for (const [id, r] of Object.entries(full.Resources as Record<string, Json>)) {
    if (r.Type !== 'AWS::Serverless::Function') continue;
    const vars = { ...full.Globals.Function.Environment.Variables, ...(r.Properties.Environment?.Variables ?? {}) };
    const evaluated = evaluate(full, vars, v) as Record<string, Json>;
    const size = Object.entries(evaluated).reduce((n, [k, val]) => n + k.length + (typeof val === 'string' ? val.length : physical.length), 0);
    assert.ok(size < 4096, `${id}: ${size} bytes of environment`);
  }
});

test('samconfig.toml: a minimal and a full environment, each on its template, lowercase stack names', () => {
  const text = readFileSync(join(repoRoot, 'samconfig.toml'), 'utf8');
  for (const [env, template] of [['minimal', 'infra/template-minimal.yaml'], ['full', 'infra/template.yaml']]) {
    const section = (name: string) => new RegExp(`\\[${env}\\.${name}\\.parameters\\]([^[]*)`).exec(text)?.[1] ?? '';
    assert.match(section('build'), new RegExp(`template_file = "${template}"`), `${env} build`);
    assert.ok(existsSync(join(repoRoot, template)));
    const stack = /stack_name = "([^"]+)"/.exec(section('global'))?.[1];
    assert.ok(stack && /^[a-z][a-z0-9-]*$/.test(stack), `${env}: stack names name the bucket and the cache, so lowercase (${stack})`);
    assert.match(section('deploy'), /capabilities = "CAPABILITY_IAM"/);
  }
});

test('API events match the lambda build routing table (src/entry/lambda/function-routes.ts)', async (tc) => {
  const compiled = join(repoRoot, 'dist', 'src', 'entry', 'lambda', 'function-routes.js');
  if (!existsSync(compiled)) return tc.skip('src/entry/lambda/function-routes.ts is not in this tree yet (lambda helper)');
  const mod = (await import(pathToFileURL(compiled).href)) as {
    FUNCTION_ROUTES: readonly { fn: string; method: string; resource: string }[];
    HTTP_FUNCTIONS: readonly string[];
    EVENT_FUNCTIONS: readonly string[];
  };
  assert.deepEqual([...mod.HTTP_FUNCTIONS, ...mod.EVENT_FUNCTIONS].sort(), Object.values(FUNCTIONS).sort());
  for (const [name, t] of templates) {
    const events: { fn: string; method: string; path: string }[] = [];
    for (const [id, r] of Object.entries(t.Resources as Record<string, Json>)) {
      if (r.Type !== 'AWS::Serverless::Function') continue;
      for (const e of Object.values((r.Properties.Events ?? {}) as Record<string, Json>)) {
        if (e.Type === 'Api') events.push({ fn: FUNCTIONS[id]!, method: e.Properties.Method, path: e.Properties.Path });
      }
    }
    for (const route of mod.FUNCTION_ROUTES) {
      const e = events.find((x) => x.path === route.resource);
      assert.ok(e, `${name}: no API event for ${route.resource}`);
      assert.equal(e.fn, route.fn, `${name}: ${route.resource}`);
      assert.ok(e.method === 'ANY' || e.method === route.method, `${name}: ${route.resource} ${e.method}`);
    }
    // the template adds only the catch-all, so an unknown path gets the app's 404 rather than API Gateway's 403
    const extra = events.filter((x) => !mod.FUNCTION_ROUTES.some((r) => r.resource === x.path)).map((x) => x.path);
    assert.deepEqual(extra.sort(), ['/', '/{proxy+}']);
  }
});

/** Each function's environment for the given parameter values, intrinsic values replaced by a placeholder. */
function functionEnvironments(t: Json, values: Record<string, string>): Record<string, Record<string, string>> {
  const v = parameterValues(t, values);
  const out: Record<string, Record<string, string>> = {};
  for (const [id, r] of Object.entries(t.Resources as Record<string, Json>)) {
    if (r.Type !== 'AWS::Serverless::Function') continue;
    if (r.Condition && !evaluate(t, { Condition: r.Condition }, v)) continue;
    const vars = evaluate(t, { ...t.Globals.Function.Environment.Variables, ...(r.Properties.Environment?.Variables ?? {}) }, v) as Record<string, Json>;
    out[id] = Object.fromEntries(Object.entries(vars).map(([k, val]) => [k, typeof val === 'string' ? val : `physical-${k.toLowerCase()}`]));
  }
  return out;
}

test('every function starts with the environment the template gives it (the aws wiring loadAwsConfig)', async (tc) => {
  const compiled = join(repoRoot, 'dist', 'src', 'wiring', 'aws.js');
  if (!existsSync(compiled)) return tc.skip('src/wiring/aws.ts is not in this tree yet (lambda helper)');
  const { loadAwsConfig } = (await import(pathToFileURL(compiled).href)) as {
    loadAwsConfig(env: NodeJS.ProcessEnv): { tables: Record<string, string | undefined>; deadLetterQueueUrl: string | null; alertsTopicArn: string | null; parameters: Record<string, unknown> };
  };
  const allOn = Object.fromEntries(FLAGS.map((f) => [f, 'true']));
  for (const [name, t, values] of [
    ['template-minimal.yaml', minimal, {}],
    ['template.yaml, flags off', full, {}],
    ['template.yaml, flags on', full, allOn],
  ] as const) {
    for (const [id, env] of Object.entries(functionEnvironments(t, values))) {
      const config = loadAwsConfig(env);
      const on = (f: Flag) => (values as Record<string, string>)[f] === 'true';
      assert.equal(Boolean(config.tables.rateLimits), on('EnableAdvancedSecurity'), `${name} ${id}: rate-limit table`);
      assert.equal(Boolean(config.tables.errorTracking), on('EnableAdvancedErrorHandling'), `${name} ${id}: error table`);
      assert.equal(Boolean(config.deadLetterQueueUrl), on('EnableAdvancedErrorHandling'), `${name} ${id}: DLQ`);
      assert.equal(Boolean(config.alertsTopicArn), on('EnableAdvancedErrorHandling'), `${name} ${id}: alert topic`);
      for (const f of FLAGS) {
        const expected = f === 'EnableRedisCache' ? on(f) && id === 'QueryFunction' : on(f);
        assert.equal(config.parameters[f], expected, `${name} ${id}: ${f}`);
      }
    }
  }
});

test('direct uploads (ADR 0030): the manuals bucket lets the web app PUT and GET at presigned URLs, and drops staged uploads after a day', () => {
  for (const [name, t] of templates) {
    const bucket = t.Resources.ManualsBucket.Properties;
    const cors = (values: Record<string, string>) => evaluate(t, bucket.CorsConfiguration.CorsRules, parameterValues(t, values))[0];
    assert.deepEqual(cors({ CorsAllowedOrigins: 'https://manuals.example.com,https://app.example.com' }).AllowedOrigins, ['https://manuals.example.com', 'https://app.example.com'], name);
    assert.deepEqual(cors({ CorsAllowedOrigins: '' }).AllowedOrigins, ['*'], name);
    assert.deepEqual(cors({}).AllowedMethods, ['PUT', 'GET', 'HEAD'], name);
    assert.deepEqual(cors({}).AllowedHeaders, ['content-type'], name);
    const staged = (bucket.LifecycleConfiguration.Rules as Json[]).find((x) => x.Id === 'StagedUploads');
    assert.deepEqual(staged, { Id: 'StagedUploads', Status: 'Enabled', Prefix: 'uploads/', ExpirationInDays: 1 }, name);
    // Staged bytes are not under manuals/, so they never start ProcessManual; the Manuals function signs with its S3 CRUD rights.
    assert.ok((t.Resources.ManualsFunction.Properties.Policies as Json[]).some((x) => x.S3CrudPolicy?.BucketName?.Ref === 'ManualsBucket'), name);
  }
});
