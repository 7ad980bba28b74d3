/**
 * Rollback from the full stack to the minimal one.
 *   - emergency: move the domain to the minimal stack now; nothing else.
 *   - standard: first export the full stack's data (every DynamoDB table as DynamoDB-JSON lines, every S3
 *     object) to a dated folder, then move the domain. The full stack stays up, so nothing is lost if the
 *     export needs checking; delete it afterwards (`sam delete --config-env full`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient, ScanCommand, type DescribeTableCommandOutput, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, S3Client, type GetObjectCommandOutput, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { stackResources, switchStack, type StackNames, type SwitchDeps, type SwitchResult } from './stack-switch.js';

export interface RollbackDeps extends SwitchDeps {
  dynamodb: DynamoDBClient;
  s3: S3Client;
}

export interface ExportSummary {
  dir: string;
  tables: { logicalId: string; name: string; items: number }[];
  buckets: { logicalId: string; name: string; objects: number; bytes: number }[];
}

export interface RollbackResult {
  mode: 'emergency' | 'standard';
  exported: ExportSummary | null;
  switched: SwitchResult;
}

const stamp = (d: Date) => d.toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');

/** Every table and bucket of a stack, written under `dir` (or, in a dry run, only listed and counted). */
export async function exportStackData(deps: RollbackDeps, stackName: string, dir: string): Promise<ExportSummary> {
  const { calls } = deps;
  const resources = await stackResources(calls, deps.cfn, stackName);
  const summary: ExportSummary = { dir, tables: [], buckets: [] };
  for (const r of resources.filter((x) => x.ResourceType === 'AWS::DynamoDB::Table' && x.PhysicalResourceId)) {
    const name = r.PhysicalResourceId!;
    if (calls.dryRun) {
      const d = await calls.send<DescribeTableCommandOutput>('dynamodb', deps.dynamodb, new DescribeTableCommand({ TableName: name }));
      summary.tables.push({ logicalId: r.LogicalResourceId!, name, items: d?.Table?.ItemCount ?? 0 });
      continue;
    }
    const lines: string[] = [];
    let start: ScanCommandOutput['LastEvaluatedKey'];
    do {
      const page = await calls.send<ScanCommandOutput>('dynamodb', deps.dynamodb, new ScanCommand({ TableName: name, ExclusiveStartKey: start, ConsistentRead: true }));
      for (const item of page?.Items ?? []) lines.push(JSON.stringify(item));
      start = page?.LastEvaluatedKey;
    } while (start);
    const file = join(dir, 'dynamodb', `${r.LogicalResourceId}.jsonl`);
    await calls.local(`write ${file} (${lines.length} items)`, async () => {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, lines.length ? lines.join('\n') + '\n' : '');
    });
    summary.tables.push({ logicalId: r.LogicalResourceId!, name, items: lines.length });
  }
  for (const r of resources.filter((x) => x.ResourceType === 'AWS::S3::Bucket' && x.PhysicalResourceId)) {
    const bucket = r.PhysicalResourceId!;
    let objects = 0;
    let bytes = 0;
    let token: string | undefined;
    do {
      const page = await calls.send<ListObjectsV2CommandOutput>('s3', deps.s3, new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      for (const o of page?.Contents ?? []) {
        if (!o.Key) continue;
        objects++;
        bytes += o.Size ?? 0;
        if (calls.dryRun) continue;
        const got = await calls.send<GetObjectCommandOutput>('s3', deps.s3, new GetObjectCommand({ Bucket: bucket, Key: o.Key }));
        const body = Buffer.from((await got?.Body?.transformToByteArray()) ?? new Uint8Array());
        const file = join(dir, 's3', r.LogicalResourceId!, ...o.Key.split('/').filter((p) => p && p !== '..' && p !== '.'));
        await calls.local(`write ${file} (${body.length} bytes)`, async () => {
          await mkdir(dirname(file), { recursive: true });
          await writeFile(file, body);
        });
      }
      token = page?.NextContinuationToken;
    } while (token);
    summary.buckets.push({ logicalId: r.LogicalResourceId!, name: bucket, objects, bytes });
  }
  await calls.local(`write ${join(dir, 'manifest.json')}`, async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ format: 'manuel-stack-export', version: 1, stack: stackName, exported_at: new Date().toISOString(), ...summary }, null, 2));
  });
  return summary;
}

export async function rollbackToMinimal(
  deps: RollbackDeps,
  opts: { mode: 'emergency' | 'standard'; stacks: StackNames; domain: string; basePath: string; outDir: string; now?: Date },
): Promise<RollbackResult> {
  let exported: ExportSummary | null = null;
  if (opts.mode === 'standard') {
    exported = await exportStackData(deps, opts.stacks.full, join(opts.outDir, `${opts.stacks.full}-${stamp(opts.now ?? new Date())}`));
  }
  const switched = await switchStack(deps, { target: 'minimal', stacks: opts.stacks, domain: opts.domain, basePath: opts.basePath });
  return { mode: opts.mode, exported, switched };
}
