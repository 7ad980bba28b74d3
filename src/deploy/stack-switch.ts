/**
 * Moves the custom domain's base-path mapping to the chosen stack's REST API: how traffic moves between the
 * minimal and the full stack (and back) without clients changing their URL.
 */
import { APIGatewayClient, CreateBasePathMappingCommand, GetBasePathMappingCommand, GetBasePathMappingsCommand, UpdateBasePathMappingCommand, type BasePathMapping } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, ListStackResourcesCommand, type ListStackResourcesCommandOutput, type StackResourceSummary } from '@aws-sdk/client-cloudformation';
import type { AwsCalls } from './aws-calls.js';

export type StackKind = 'minimal' | 'full';

export interface StackNames {
  minimal: string;
  full: string;
}

export interface SwitchDeps {
  calls: AwsCalls;
  cfn: CloudFormationClient;
  apigw: APIGatewayClient;
}

export interface ApiTarget {
  restApiId: string;
  stage: string;
}

/** Every resource of a stack (all pages). */
export async function stackResources(calls: AwsCalls, cfn: CloudFormationClient, stackName: string): Promise<StackResourceSummary[]> {
  const out: StackResourceSummary[] = [];
  let token: string | undefined;
  do {
    const page = await calls.send<ListStackResourcesCommandOutput>('cloudformation', cfn, new ListStackResourcesCommand({ StackName: stackName, NextToken: token }));
    out.push(...(page?.StackResourceSummaries ?? []));
    token = page?.NextToken;
  } while (token);
  return out;
}

/** The stack's REST API and its stage (SAM's implicit or explicit API). */
export async function stackApi(calls: AwsCalls, cfn: CloudFormationClient, stackName: string): Promise<ApiTarget> {
  const resources = await stackResources(calls, cfn, stackName);
  const apis = resources.filter((r) => r.ResourceType === 'AWS::ApiGateway::RestApi' && r.PhysicalResourceId);
  if (apis.length !== 1) throw new Error(`stack ${stackName} has ${apis.length} REST APIs; expected exactly one`);
  const stage = resources.find((r) => r.ResourceType === 'AWS::ApiGateway::Stage' && r.PhysicalResourceId);
  if (!stage) throw new Error(`stack ${stackName} has no API Gateway stage`);
  return { restApiId: apis[0].PhysicalResourceId!, stage: stage.PhysicalResourceId! };
}

export interface SwitchResult {
  domain: string;
  basePath: string;
  from: ApiTarget | null;
  to: ApiTarget;
  changed: boolean;
}

/** API Gateway spells the empty base path "(none)". */
const apiBasePath = (basePath: string) => (basePath === '' || basePath === '/' ? '(none)' : basePath.replace(/^\/+/, ''));

export async function switchStack(deps: SwitchDeps, opts: { target: StackKind; stacks: StackNames; domain: string; basePath: string }): Promise<SwitchResult> {
  const { calls, cfn, apigw } = deps;
  const to = await stackApi(calls, cfn, opts.stacks[opts.target]);
  const basePath = apiBasePath(opts.basePath);
  const mappings: BasePathMapping[] = [];
  let position: string | undefined;
  do {
    const page = await calls.send<{ items?: BasePathMapping[]; position?: string }>('apigateway', apigw, new GetBasePathMappingsCommand({ domainName: opts.domain, position }));
    mappings.push(...(page?.items ?? []));
    position = page?.position;
  } while (position);
  const current = mappings.find((m) => (m.basePath ?? '(none)') === basePath) ?? null;
  const from = current ? { restApiId: current.restApiId ?? '', stage: current.stage ?? '' } : null;
  if (from && from.restApiId === to.restApiId && from.stage === to.stage) return { domain: opts.domain, basePath, from, to, changed: false };
  if (current) {
    await calls.send('apigateway', apigw, new UpdateBasePathMappingCommand({
      domainName: opts.domain,
      basePath,
      patchOperations: [
        { op: 'replace', path: '/restapiId', value: to.restApiId },
        { op: 'replace', path: '/stage', value: to.stage },
      ],
    }));
  } else {
    await calls.send('apigateway', apigw, new CreateBasePathMappingCommand({ domainName: opts.domain, basePath: basePath === '(none)' ? undefined : basePath, restApiId: to.restApiId, stage: to.stage }));
  }
  if (!calls.dryRun) {
    const now = await calls.send<BasePathMapping>('apigateway', apigw, new GetBasePathMappingCommand({ domainName: opts.domain, basePath }));
    if (now?.restApiId !== to.restApiId || now?.stage !== to.stage) throw new Error(`the mapping of ${opts.domain}/${basePath} still points at ${now?.restApiId}/${now?.stage}`);
  }
  return { domain: opts.domain, basePath, from, to, changed: true };
}
