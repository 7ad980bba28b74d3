/**
 * AWS API emulators for tests, each started on a free loopback port and closed by the test:
 *   - dynalite (npm; DynamoDB without TTL or transactions) with the tables of dynamodb-tables.ts;
 *   - s3rver (npm; S3, path-style) with fresh buckets;
 *   - moto_server (the machine's Python, moto 5.2: SQS, SNS, Cognito, CloudWatch, DynamoDB with TTL and
 *     transactions, S3), or null when it is not installed: tests that need it skip with that reason.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { clientConfig, type AwsService, type AwsSettings } from '../../src/adapters/aws/aws-client-config.js';
import type { TableKey } from '../../src/adapters/aws/dynamodb-tables.js';
import { freePort, motoAvailable, startLocalDynamo, startLocalMoto } from '../../src/entry/aws-local-emulators.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const unique = () => randomBytes(4).toString('hex');

export { freePort, motoAvailable };

/** Settings pointing one or more services at an emulator endpoint. */
export function localSettings(endpoints: Partial<Record<AwsService, string>>): AwsSettings {
  return { region: 'us-east-1', endpoints, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}

export interface DynamoEmulator {
  endpoint: string;
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  tables: Record<TableKey, string>;
  close(): Promise<void>;
}

/** dynalite on a free port, in memory, with all tables created (ACTIVE), as `aws:local` starts it. */
export async function startDynalite(): Promise<DynamoEmulator> {
  const local = await startLocalDynamo(`t${unique()}-`);
  const client = new DynamoDBClient(clientConfig(localSettings({ dynamodb: local.endpoint }), 'dynamodb'));
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    endpoint: local.endpoint,
    client,
    doc,
    tables: local.tables,
    close: async () => {
      client.destroy();
      await local.close();
    },
  };
}

/** s3rver accepts only its own fixed key pair. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface S3Emulator {
  endpoint: string;
  client: S3Client;
  /** A fresh bucket per call. */
  bucket(): Promise<string>;
  close(): Promise<void>;
}

/** s3rver on a free port, storing in a temp dir removed on close. */
export async function startS3rver(): Promise<S3Emulator> {
  const { default: S3rver } = await import('s3rver');
  const directory = mkdtempSync(join(tmpdir(), 'manuel-s3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory });
  const info = (await server.run()) as { port: number };
  const endpoint = `http://127.0.0.1:${info.port}`;
  const client = new S3Client(clientConfig({ ...localSettings({ s3: endpoint }), credentials: S3RVER_CREDENTIALS }, 's3'));
  return {
    endpoint,
    client,
    bucket: async () => {
      const name = `manuel-${unique()}`;
      await client.send(new CreateBucketCommand({ Bucket: name }));
      return name;
    },
    close: async () => {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

export interface MotoServer {
  endpoint: string;
  settings: AwsSettings;
  close(): Promise<void>;
}

/** Why moto-backed tests skip on this machine, or false when they can run. */
export const motoSkip = (): string | false => (motoAvailable() ? false : 'moto_server is not installed (pip install "moto[server]")');

/** moto_server on a free port (all services on one endpoint), started as `npm run aws:local` starts it. */
export async function startMoto(): Promise<MotoServer> {
  const moto = await startLocalMoto();
  const services: AwsService[] = ['dynamodb', 's3', 'sqs', 'sns', 'cognito', 'cloudwatch', 'apigateway', 'cloudformation'];
  return { endpoint: moto.endpoint, settings: localSettings(Object.fromEntries(services.map((s) => [s, moto.endpoint]))), close: moto.close };
}
