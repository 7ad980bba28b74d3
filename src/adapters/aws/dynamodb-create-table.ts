import { CreateTableCommand, waitUntilTableExists, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTableInput, TABLES, type TableKey } from './dynamodb-tables.js';

/**
 * Creates a table of the generic schema and resolves once it is ACTIVE. CreateTable answers while the
 * table is still CREATING, and until it is ACTIVE a write is refused with ResourceNotFoundException
 * (DynamoDB, and dynalite too, even with `createTableMs: 0`: its switch to ACTIVE is a timer that a
 * quick enough next request can beat). The first check is immediate; then at least a second apart.
 */
export async function createActiveTable(client: DynamoDBClient, tableName: string, maxWaitSeconds = 60): Promise<void> {
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  await waitUntilTableExists({ client, maxWaitTime: maxWaitSeconds, minDelay: 1, maxDelay: 5 }, { TableName: tableName });
}

/** Every table of dynamodb-tables.ts, named `<prefix><logical id>` and ACTIVE; returns their names. */
export async function createActiveTables(client: DynamoDBClient, prefix: string): Promise<Record<TableKey, string>> {
  const names = {} as Record<TableKey, string>;
  for (const key of Object.keys(TABLES) as TableKey[]) {
    names[key] = `${prefix}${TABLES[key].logicalId}`;
    await createActiveTable(client, names[key]);
  }
  return names;
}
