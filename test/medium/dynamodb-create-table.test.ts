import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { clientConfig } from '../../src/adapters/aws/aws-client-config.js';
import { createActiveTable } from '../../src/adapters/aws/dynamodb-create-table.js';
import { createTableInput } from '../../src/adapters/aws/dynamodb-tables.js';
import { localSettings } from '../helpers/aws-emulators.js';

// dynalite made slow to activate tables, as DynamoDB is: a write to a CREATING table is refused.
let server: { listen(port: number, host: string, cb: () => void): void; address(): unknown; close(cb: () => void): void };
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
before(async () => {
  const { default: dynalite } = await import('dynalite');
  server = dynalite({ createTableMs: 2000 }) as typeof server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  client = new DynamoDBClient(clientConfig(localSettings({ dynamodb: endpoint }), 'dynamodb'));
  doc = DynamoDBDocumentClient.from(client);
});
after(async () => {
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const item = { pk: 'p', sk: 's' };

it('a write right after CreateTable alone is refused while the table is CREATING (the race this closes)', async () => {
  await client.send(new CreateTableCommand(createTableInput('plain')));
  const { Table } = await client.send(new DescribeTableCommand({ TableName: 'plain' }));
  assert.equal(Table?.TableStatus, 'CREATING');
  await assert.rejects(doc.send(new PutCommand({ TableName: 'plain', Item: item })), (e: unknown) => (e as Error).name === 'ResourceNotFoundException');
});

it('createActiveTable resolves only once the table is ACTIVE: the first write succeeds', async () => {
  await createActiveTable(client, 'waited');
  const { Table } = await client.send(new DescribeTableCommand({ TableName: 'waited' }));
  assert.equal(Table?.TableStatus, 'ACTIVE');
  await doc.send(new PutCommand({ TableName: 'waited', Item: item }));
});
