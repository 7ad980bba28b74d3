/**
 * DynamoDB emulators for the contract suites of the users / rateLimits / errorTracking adapters: one
 * emulator per test file (started in a root `before`, closed in `after`), and a fresh table of the
 * generic schema per contract test, so every test starts empty.
 */
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientConfig } from '../../src/adapters/aws/aws-client-config.js';
import { createTableInput, KEY, TABLES, type TableKey } from '../../src/adapters/aws/dynamodb-tables.js';
import { motoSkip, startDynalite, startMoto } from '../helpers/aws-emulators.js';

export interface DynamoBackend {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /** Another client of the same endpoint (a second process or Lambda instance). */
  twinDoc(): DynamoDBDocumentClient;
  /** A new empty table of the generic schema (TTL on `expires_at` where the emulator has TTL). */
  freshTable(key: TableKey): Promise<string>;
}

const docOf = (client: DynamoDBClient) => DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

function backend(client: DynamoDBClient, withTtl: boolean, newClient: () => DynamoDBClient, twins: DynamoDBClient[]): DynamoBackend {
  return {
    client,
    doc: docOf(client),
    twinDoc() {
      const c = newClient();
      twins.push(c);
      return docOf(c);
    },
    async freshTable(key) {
      const name = `${TABLES[key].logicalId}-${randomBytes(4).toString('hex')}`;
      await client.send(new CreateTableCommand(createTableInput(name)));
      if (withTtl) await client.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: KEY.ttl, Enabled: true } }));
      return name;
    },
  };
}

/** dynalite for this file; the getter is valid inside tests. */
export function useDynalite(): () => DynamoBackend {
  let b: DynamoBackend | undefined;
  let close: (() => Promise<void>) | undefined;
  const twins: DynamoDBClient[] = [];
  before(async () => {
    const emu = await startDynalite();
    close = emu.close;
    const make = () => new DynamoDBClient({ region: 'us-east-1', endpoint: emu.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    b = backend(emu.client, false, make, twins);
  });
  after(async () => {
    for (const t of twins) t.destroy();
    await close?.();
  });
  return () => b!;
}

/** moto_server for this file (DynamoDB with TTL), or undefined when moto is not installed (see motoSkip). */
export function useMoto(): (() => DynamoBackend) | undefined {
  if (motoSkip()) return undefined;
  let b: DynamoBackend | undefined;
  let close: (() => Promise<void>) | undefined;
  const clients: DynamoDBClient[] = [];
  before(async () => {
    const moto = await startMoto();
    close = moto.close;
    // moto 5.2 is not atomic under concurrent requests: of 100 concurrent `SET n = n + 1 IF n < 20`,
    // 22 succeeded in one round out of five, two of them returning the same n (a lost update; dynalite:
    // exactly 20 every round). So the moto clients of a file take turns: moto checks the semantics
    // (conditions, ReturnValues, TTL on), dynalite the atomicity under real concurrency.
    let turn: Promise<unknown> = Promise.resolve();
    const make = () => {
      const c = new DynamoDBClient(clientConfig(moto.settings, 'dynamodb'));
      c.middlewareStack.add(
        (next) => (args) => {
          const run = turn.then(() => next(args));
          turn = run.catch(() => {});
          return run;
        },
        { step: 'initialize', name: 'oneAtATimeForMoto' },
      );
      clients.push(c);
      return c;
    };
    b = backend(make(), true, make, clients);
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await close?.();
  });
  return () => b!;
}

/** A client of its own whose calls all fail once `breakStore()` is called (the table unreachable). */
export function breakableDoc(b: DynamoBackend): { doc: DynamoDBDocumentClient; breakStore: () => void } {
  const doc = b.twinDoc();
  let broken = false;
  doc.middlewareStack.add(
    (next) => async (args) => {
      if (broken) throw Object.assign(new Error('DynamoDB unreachable (test)'), { name: 'NetworkingError' });
      return next(args);
    },
    { step: 'initialize', name: 'breakStore' },
  );
  return { doc, breakStore: () => void (broken = true) };
}

/** A client of its own that counts the DynamoDB operations it sends, by name (the cost of a port call). */
export function countingDoc(b: DynamoBackend): { doc: DynamoDBDocumentClient; calls: string[] } {
  const doc = b.twinDoc();
  const calls: string[] = [];
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return { doc, calls };
}
