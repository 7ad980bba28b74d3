import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { APIGatewayClient, GetBasePathMappingCommand, GetBasePathMappingsCommand, UpdateBasePathMappingCommand } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { AwsCalls } from './aws-calls.js';
import { rollbackToMinimal } from './rollback.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const cfg = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
const cfn = new CloudFormationClient(cfg);
const apigw = new APIGatewayClient(cfg);
const dynamodb = new DynamoDBClient(cfg);
const s3 = new S3Client(cfg);
const mocks = [mockClient(cfn), mockClient(apigw), mockClient(dynamodb), mockClient(s3)] as const;
const [cfnMock, apiMock, ddbMock, s3Mock] = mocks;
const stacks = { minimal: 'manuel-minimal', full: 'manuel-full' };
const summary = (logical: string, type: string, physical: string) => ({ LogicalResourceId: logical, ResourceType: type, PhysicalResourceId: physical, ResourceStatus: 'CREATE_COMPLETE' as const, LastUpdatedTimestamp: new Date() });
const body = (s: string) => ({ transformToByteArray: async () => new Uint8Array(Buffer.from(s)) }) as never;

describe('rollbackToMinimal (mocked AWS)', () => {
  let out: string;
  let printed: string[];
  beforeEach(() => {
    for (const m of mocks) m.reset();
    out = mkdtempSync(join(tmpdir(), 'manuel-rollback-'));
    printed = [];
    cfnMock.on(ListStackResourcesCommand, { StackName: 'manuel-minimal' }).resolves({
      StackResourceSummaries: [summary('ServerlessRestApi', 'AWS::ApiGateway::RestApi', 'min111'), summary('ServerlessRestApiProdStage', 'AWS::ApiGateway::Stage', 'prod')],
    });
    cfnMock.on(ListStackResourcesCommand, { StackName: 'manuel-full' }).resolves({
      StackResourceSummaries: [
        summary('ServerlessRestApi', 'AWS::ApiGateway::RestApi', 'full222'),
        summary('ServerlessRestApiProdStage', 'AWS::ApiGateway::Stage', 'prod'),
        summary('UsageTable', 'AWS::DynamoDB::Table', 'manuel-full-UsageTable-1'),
        summary('ManualsBucket', 'AWS::S3::Bucket', 'manuel-full-manuals'),
      ],
    });
    apiMock.on(GetBasePathMappingsCommand).resolves({ items: [{ basePath: '(none)', restApiId: 'full222', stage: 'prod' }] });
    apiMock.on(UpdateBasePathMappingCommand).resolves({});
    apiMock.on(GetBasePathMappingCommand).resolves({ basePath: '(none)', restApiId: 'min111', stage: 'prod' });
    ddbMock.on(ScanCommand, { TableName: 'manuel-full-UsageTable-1', ExclusiveStartKey: undefined }).resolves({ Items: [{ pk: { S: 'u#1' }, sk: { S: 'day#2026-12-04' }, n: { N: '3' } }], LastEvaluatedKey: { pk: { S: 'u#1' }, sk: { S: 'day#2026-12-04' } } });
    ddbMock.on(ScanCommand, { TableName: 'manuel-full-UsageTable-1', ExclusiveStartKey: { pk: { S: 'u#1' }, sk: { S: 'day#2026-12-04' } } }).resolves({ Items: [{ pk: { S: 'u#2' }, sk: { S: 'month#2026-12' }, n: { N: '9' } }] });
    ddbMock.on(DescribeTableCommand).resolves({ Table: { ItemCount: 2 } });
    s3Mock.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'manuals/u1/a.pdf', Size: 8 }, { Key: 'pages/u1/a/1.png', Size: 3 }] });
    s3Mock.on(GetObjectCommand, { Key: 'manuals/u1/a.pdf' }).resolves({ Body: body('%PDF-1.4') });
    s3Mock.on(GetObjectCommand, { Key: 'pages/u1/a/1.png' }).resolves({ Body: body('png') });
  });
  afterEach(() => rmSync(out, { recursive: true, force: true }));

  it('standard: exports every table (all pages) and object to a dated folder, then switches', async () => {
    const calls = new AwsCalls({ dryRun: false, print: (l) => printed.push(l) });
    const r = await rollbackToMinimal({ calls, cfn, apigw, dynamodb, s3 }, { mode: 'standard', stacks, domain: 'api.example.com', basePath: '', outDir: out, now: new Date('2026-12-04T10:00:00.000Z') });
    const dir = join(out, 'manuel-full-2026-12-04T10-00-00Z');
    assert.equal(r.exported?.dir, dir);
    const lines = readFileSync(join(dir, 'dynamodb', 'UsageTable.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((i) => i.pk.S), ['u#1', 'u#2']);
    assert.equal(readFileSync(join(dir, 's3', 'ManualsBucket', 'manuals', 'u1', 'a.pdf'), 'utf8'), '%PDF-1.4');
    assert.equal(readFileSync(join(dir, 's3', 'ManualsBucket', 'pages', 'u1', 'a', '1.png'), 'utf8'), 'png');
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.stack, 'manuel-full');
    assert.deepEqual(manifest.tables, [{ logicalId: 'UsageTable', name: 'manuel-full-UsageTable-1', items: 2 }]);
    assert.deepEqual(manifest.buckets, [{ logicalId: 'ManualsBucket', name: 'manuel-full-manuals', objects: 2, bytes: 11 }]);
    assert.equal(r.switched.changed, true);
    assert.equal(apiMock.commandCalls(UpdateBasePathMappingCommand).length, 1);
    // The export happens before the switch.
    const firstScan = printed.findIndex((l) => l.startsWith('dynamodb.Scan'));
    const update = printed.findIndex((l) => l.startsWith('apigateway.UpdateBasePathMapping'));
    assert.ok(firstScan >= 0 && firstScan < update);
  });

  it('emergency: switches at once and reads no data', async () => {
    const calls = new AwsCalls({ dryRun: false, print: (l) => printed.push(l) });
    const r = await rollbackToMinimal({ calls, cfn, apigw, dynamodb, s3 }, { mode: 'emergency', stacks, domain: 'api.example.com', basePath: '', outDir: out });
    assert.equal(r.exported, null);
    assert.equal(r.switched.changed, true);
    assert.equal(ddbMock.calls().length, 0);
    assert.equal(s3Mock.calls().length, 0);
    assert.deepEqual(readdirSync(out), []);
  });

  it('--dry-run: prints every call, writes no file and sends no change', async () => {
    const calls = new AwsCalls({ dryRun: true, print: (l) => printed.push(l) });
    const r = await rollbackToMinimal({ calls, cfn, apigw, dynamodb, s3 }, { mode: 'standard', stacks, domain: 'api.example.com', basePath: '', outDir: out });
    assert.deepEqual(r.exported?.tables, [{ logicalId: 'UsageTable', name: 'manuel-full-UsageTable-1', items: 2 }]);
    assert.equal(r.exported?.buckets[0].objects, 2);
    assert.equal(ddbMock.commandCalls(ScanCommand).length, 0, 'a dry run counts items, it does not read them');
    assert.equal(s3Mock.commandCalls(GetObjectCommand).length, 0);
    assert.equal(apiMock.commandCalls(UpdateBasePathMappingCommand).length, 0);
    assert.equal(existsSync(join(out, 'manuel-full')), false);
    assert.deepEqual(readdirSync(out), []);
    assert.ok(printed.some((l) => /^apigateway\.UpdateBasePathMapping .*\(dry run: not sent\)$/.test(l)));
    assert.ok(printed.some((l) => /^local write .*manifest\.json\s+\(dry run: not done\)$/.test(l)));
  });
});
