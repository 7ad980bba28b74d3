/**
 * The AWS API emulators of `npm run aws:local`, each on a free loopback port:
 *   - dynalite (npm; DynamoDB) with every table of dynamodb-tables.ts;
 *   - s3rver (npm; S3) with the manuals and audio buckets, whose object events stand in for S3 event
 *     notifications (ObjectCreated -> ProcessManual), as real S3 would send them;
 *   - moto_server (the machine's Python, `pip install 'moto[server]'`) for Cognito, SQS and SNS, when it
 *     is on the PATH.
 * The same emulators as the tests (test/helpers/aws-emulators.ts), started here for the local stack.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutBucketCorsCommand, S3Client } from '@aws-sdk/client-s3';
import { clientConfig, type AwsSettings } from '../adapters/aws/aws-client-config.js';
import { createActiveTables } from '../adapters/aws/dynamodb-create-table.js';
import type { TableKey } from '../adapters/aws/dynamodb-tables.js';
import { freePort } from './free-port.js';

/** s3rver accepts only its own key pair; dynalite and moto accept any. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const REGION = 'us-east-1';

export { freePort };

export interface LocalDynamo {
  endpoint: string;
  tables: Record<TableKey, string>;
  close(): Promise<void>;
}

export async function startLocalDynamo(prefix = 'manuel-local-'): Promise<LocalDynamo> {
  const { default: dynalite } = await import('dynalite');
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const client = new DynamoDBClient(clientConfig({ region: REGION, endpoints: { dynamodb: endpoint }, credentials: LOCAL_CREDENTIALS }, 'dynamodb'));
  let tables: Record<TableKey, string>;
  try {
    tables = await createActiveTables(client, prefix);
  } finally {
    client.destroy();
  }
  return { endpoint, tables, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface S3ObjectEvent {
  Records: { eventSource: string; eventName: string; s3: { bucket: { name: string }; object: { key: string } } }[];
}

export interface LocalS3 {
  endpoint: string;
  buckets: { manuals: string; audio: string };
  /** S3 event notifications of the buckets (s3rver emits them like S3 does). */
  onEvent(listener: (event: S3ObjectEvent) => void): void;
  close(): Promise<void>;
}

/** The manuals bucket's CORS rule: any origin here (loopback only); the templates name CorsAllowedOrigins. */
export const MANUALS_BUCKET_CORS = {
  AllowedOrigins: ['*'],
  AllowedMethods: ['PUT', 'GET', 'HEAD'],
  AllowedHeaders: ['content-type'],
  ExposeHeaders: ['ETag', 'Content-Disposition', 'Content-Length'],
  MaxAgeSeconds: 600,
};

export async function startLocalS3(): Promise<LocalS3> {
  const { default: S3rver } = await import('s3rver');
  const directory = mkdtempSync(join(tmpdir(), 'manuel-aws-local-s3-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory });
  const info = await server.run();
  const endpoint = `http://127.0.0.1:${info.port}`;
  const buckets = { manuals: 'manuel-local-manuals', audio: 'manuel-local-audio' };
  const client = new S3Client(clientConfig({ region: REGION, endpoints: { s3: endpoint }, credentials: LOCAL_CREDENTIALS }, 's3'));
  try {
    for (const b of Object.values(buckets)) await client.send(new CreateBucketCommand({ Bucket: b }));
    // The web app PUTs direct uploads and GETs downloads at presigned URLs (ADR 0030), as in the templates' ManualsBucket.
    await client.send(new PutBucketCorsCommand({ Bucket: buckets.manuals, CORSConfiguration: { CORSRules: [MANUALS_BUCKET_CORS] } }));
  } finally {
    client.destroy();
  }
  return {
    endpoint,
    buckets,
    onEvent: (listener) => (server as unknown as { on(e: 'event', l: (ev: S3ObjectEvent) => void): void }).on('event', listener),
    close: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

export const motoAvailable = (): boolean => spawnSync('sh', ['-c', 'command -v moto_server'], { stdio: 'ignore' }).status === 0;

export interface LocalMoto {
  endpoint: string;
  close(): Promise<void>;
}

export async function startLocalMoto(): Promise<LocalMoto> {
  const port = await freePort();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).status < 500) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('moto_server did not start within 20 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}

export function localSettings(endpoints: AwsSettings['endpoints']): AwsSettings {
  return { region: REGION, endpoints, credentials: LOCAL_CREDENTIALS };
}
