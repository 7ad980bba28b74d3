/**
 * The DynamoDB tables of the aws shape: one place that names them, for the adapters, the SAM templates
 * (checked by infra tests) and the emulator helpers. Every table has the same generic key schema, so each
 * adapter lays out its own items inside its table:
 *   - `pk` (S, partition key) + `sk` (S, sort key);
 *   - one global secondary index `gsi1` on `gsi1pk` (S) + `gsi1sk` (S), projecting ALL (sparse: only items
 *     that set `gsi1pk` are in it);
 *   - time to live on `expires_at` (epoch seconds). DynamoDB deletes expired items lazily (up to ~48 h
 *     later) and dynalite never does, so readers must also ignore items whose `expires_at` has passed.
 * On-demand billing (PAY_PER_REQUEST): no idle cost.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export type TableKey = 'users' | 'fileTracking' | 'ingestionJobs' | 'usage' | 'rateLimits' | 'errorTracking';

export interface TableSpec {
  /** Logical id of the AWS::DynamoDB::Table in infra/template*.yaml. */
  logicalId: string;
  /** Environment variable the Lambda functions read the physical table name from. */
  envVar: string;
  /** Which `Enable*` flag creates the table; undefined = every stack (minimal included). */
  flag?: 'EnableAdvancedSecurity' | 'EnableAdvancedErrorHandling';
  /** What lives in it. */
  holds: string;
}

export const TABLES: Record<TableKey, TableSpec> = {
  users: { logicalId: 'UsersTable', envVar: 'USERS_TABLE', holds: 'user profiles (admin flag, quota), API keys' },
  fileTracking: { logicalId: 'FileTrackingTable', envVar: 'FILE_TRACKING_TABLE', holds: 'manuals and their metadata, per owner' },
  ingestionJobs: { logicalId: 'IngestionJobsTable', envVar: 'INGESTION_JOBS_TABLE', holds: 'ingestion jobs, leases, progress' },
  usage: { logicalId: 'UsageTable', envVar: 'USAGE_TABLE', holds: 'usage counters (day/month), usage events, cost ledger, manual-set versions' },
  rateLimits: { logicalId: 'RateLimitsTable', envVar: 'RATE_LIMITS_TABLE', flag: 'EnableAdvancedSecurity', holds: 'rate-limit windows, signature nonces' },
  errorTracking: { logicalId: 'ErrorTrackingTable', envVar: 'ERROR_TRACKING_TABLE', flag: 'EnableAdvancedErrorHandling', holds: 'tracked errors, dead-letter records, alarm states, minute stats' },
};

export const KEY = { pk: 'pk', sk: 'sk', gsi1: 'gsi1', gsi1pk: 'gsi1pk', gsi1sk: 'gsi1sk', ttl: 'expires_at' } as const;

/** CreateTable input for a table of the generic schema (used by tests and `aws:local`). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: KEY.pk, AttributeType: 'S' },
      { AttributeName: KEY.sk, AttributeType: 'S' },
      { AttributeName: KEY.gsi1pk, AttributeType: 'S' },
      { AttributeName: KEY.gsi1sk, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: KEY.pk, KeyType: 'HASH' },
      { AttributeName: KEY.sk, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: KEY.gsi1,
        KeySchema: [
          { AttributeName: KEY.gsi1pk, KeyType: 'HASH' },
          { AttributeName: KEY.gsi1sk, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

/** Physical table names from the environment (the Lambda functions), failing with the variable's name. */
export function tableNamesFromEnv(env: NodeJS.ProcessEnv, keys: readonly TableKey[]): Record<TableKey, string> {
  const out = {} as Record<TableKey, string>;
  for (const k of keys) {
    const v = env[TABLES[k].envVar];
    if (!v) throw new Error(`missing environment variable ${TABLES[k].envVar} (the ${TABLES[k].logicalId} table name)`);
    out[k] = v;
  }
  return out;
}
