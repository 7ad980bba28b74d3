import { describe, it, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mockClient } from 'aws-sdk-client-mock';
import { APIGatewayClient, CreateBasePathMappingCommand, GetBasePathMappingCommand, GetBasePathMappingsCommand, UpdateBasePathMappingCommand } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { AwsCalls } from './aws-calls.js';
import { switchStack } from './stack-switch.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const cfn = new CloudFormationClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const apigw = new APIGatewayClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const cfnMock = mockClient(cfn);
const apiMock = mockClient(apigw);
const stacks = { minimal: 'manuel-minimal', full: 'manuel-full' };

function stackWithApi(stack: string, apiId: string, stage: string) {
  // Two pages, to prove pagination: the API is on the second.
  cfnMock.on(ListStackResourcesCommand, { StackName: stack, NextToken: undefined }).resolves({
    StackResourceSummaries: [{ LogicalResourceId: 'QueryFunction', ResourceType: 'AWS::Lambda::Function', PhysicalResourceId: `${stack}-query`, ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date() }],
    NextToken: 'p2',
  });
  cfnMock.on(ListStackResourcesCommand, { StackName: stack, NextToken: 'p2' }).resolves({
    StackResourceSummaries: [
      { LogicalResourceId: 'ServerlessRestApi', ResourceType: 'AWS::ApiGateway::RestApi', PhysicalResourceId: apiId, ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date() },
      { LogicalResourceId: 'ServerlessRestApiProdStage', ResourceType: 'AWS::ApiGateway::Stage', PhysicalResourceId: stage, ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date() },
    ],
  });
}

describe('switchStack (mocked CloudFormation and API Gateway)', () => {
  let printed: string[];
  beforeEach(() => {
    cfnMock.reset();
    apiMock.reset();
    printed = [];
    stackWithApi('manuel-minimal', 'min111', 'prod');
    stackWithApi('manuel-full', 'full222', 'prod');
  });

  it('moves an existing mapping from the full stack to the minimal one and checks it', async () => {
    apiMock.on(GetBasePathMappingsCommand).resolves({ items: [{ basePath: '(none)', restApiId: 'full222', stage: 'prod' }] });
    apiMock.on(UpdateBasePathMappingCommand).resolves({ basePath: '(none)', restApiId: 'min111', stage: 'prod' });
    apiMock.on(GetBasePathMappingCommand).resolves({ basePath: '(none)', restApiId: 'min111', stage: 'prod' });
    const calls = new AwsCalls({ dryRun: false, print: (l) => printed.push(l) });
    const r = await switchStack({ calls, cfn, apigw }, { target: 'minimal', stacks, domain: 'api.example.com', basePath: '' });
    assert.equal(r.changed, true);
    assert.deepEqual(r.from, { restApiId: 'full222', stage: 'prod' });
    assert.deepEqual(r.to, { restApiId: 'min111', stage: 'prod' });
    const update = apiMock.commandCalls(UpdateBasePathMappingCommand);
    assert.equal(update.length, 1);
    assert.deepEqual(update[0].args[0].input, {
      domainName: 'api.example.com',
      basePath: '(none)',
      patchOperations: [
        { op: 'replace', path: '/restapiId', value: 'min111' },
        { op: 'replace', path: '/stage', value: 'prod' },
      ],
    });
    assert.ok(printed.some((l) => l.startsWith('apigateway.UpdateBasePathMapping ')));
  });

  it('changes nothing when the domain already points at the target', async () => {
    apiMock.on(GetBasePathMappingsCommand).resolves({ items: [{ basePath: '(none)', restApiId: 'full222', stage: 'prod' }] });
    const calls = new AwsCalls({ dryRun: false, print: (l) => printed.push(l) });
    const r = await switchStack({ calls, cfn, apigw }, { target: 'full', stacks, domain: 'api.example.com', basePath: '' });
    assert.equal(r.changed, false);
    assert.equal(apiMock.commandCalls(UpdateBasePathMappingCommand).length, 0);
    assert.equal(apiMock.commandCalls(CreateBasePathMappingCommand).length, 0);
  });

  it('creates the mapping when the base path has none yet', async () => {
    apiMock.on(GetBasePathMappingsCommand).resolves({ items: [{ basePath: 'other', restApiId: 'zzz', stage: 'prod' }] });
    apiMock.on(CreateBasePathMappingCommand).resolves({});
    apiMock.on(GetBasePathMappingCommand).resolves({ basePath: 'v1', restApiId: 'full222', stage: 'prod' });
    const calls = new AwsCalls({ dryRun: false, print: (l) => printed.push(l) });
    const r = await switchStack({ calls, cfn, apigw }, { target: 'full', stacks, domain: 'api.example.com', basePath: '/v1' });
    assert.equal(r.changed, true);
    assert.equal(r.from, null);
    assert.deepEqual(apiMock.commandCalls(CreateBasePathMappingCommand)[0].args[0].input, { domainName: 'api.example.com', basePath: 'v1', restApiId: 'full222', stage: 'prod' });
  });

  it('fails loudly when the mapping does not point at the target afterwards', async () => {
    apiMock.on(GetBasePathMappingsCommand).resolves({ items: [{ basePath: '(none)', restApiId: 'min111', stage: 'prod' }] });
    apiMock.on(UpdateBasePathMappingCommand).resolves({});
    apiMock.on(GetBasePathMappingCommand).resolves({ basePath: '(none)', restApiId: 'min111', stage: 'prod' });
    const calls = new AwsCalls({ dryRun: false, print: (l) => printed.push(l) });
    await assert.rejects(switchStack({ calls, cfn, apigw }, { target: 'full', stacks, domain: 'api.example.com', basePath: '' }), /still points at min111/);
  });

  it('--dry-run prints every call, sends the reads and none of the writes', async () => {
    apiMock.on(GetBasePathMappingsCommand).resolves({ items: [{ basePath: '(none)', restApiId: 'min111', stage: 'prod' }] });
    const calls = new AwsCalls({ dryRun: true, print: (l) => printed.push(l) });
    const r = await switchStack({ calls, cfn, apigw }, { target: 'full', stacks, domain: 'api.example.com', basePath: '' });
    assert.equal(r.changed, true);
    assert.equal(apiMock.commandCalls(UpdateBasePathMappingCommand).length, 0, 'no write was sent');
    assert.equal(apiMock.commandCalls(GetBasePathMappingCommand).length, 0, 'nothing to verify in a dry run');
    assert.deepEqual(
      printed.map((l) => l.split(' ')[0]),
      ['cloudformation.ListStackResources', 'cloudformation.ListStackResources', 'apigateway.GetBasePathMappings', 'apigateway.UpdateBasePathMapping'],
    );
    assert.match(printed.at(-1)!, /"value":"full222".*\(dry run: not sent\)$/);
  });

  it('refuses a stack without exactly one REST API', async () => {
    cfnMock.on(ListStackResourcesCommand, { StackName: 'manuel-full', NextToken: undefined }).resolves({ StackResourceSummaries: [] });
    const calls = new AwsCalls({ dryRun: true, print: () => {} });
    await assert.rejects(switchStack({ calls, cfn, apigw }, { target: 'full', stacks, domain: 'd', basePath: '' }), /has 0 REST APIs/);
  });
});
