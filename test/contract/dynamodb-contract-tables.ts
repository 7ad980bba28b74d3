/**
 * DynamoDB emulators for the contract suites (and the medium tests) of the DynamoDB adapters: one
 * emulator per test file or `describe` (started in `before`, closed in `after`), and a fresh table of
 * the generic schema (dynamodb-tables.ts) per test, so every test starts empty and the suites' fixed
 * ids never meet. Two ways in: `useDynalite()` / `useMoto()` give a backend whose tests make their own
 * tables; `onDynamo(emulator, body)` wraps a contract suite in a `describe` that makes one per test.
 */
import { randomBytes } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientConfig, type AwsSettings } from '../../src/adapters/aws/aws-client-config.js';
import { createActiveTable } from '../../src/adapters/aws/dynamodb-create-table.js';
import { KEY, TABLES, type TableKey } from '../../src/adapters/aws/dynamodb-tables.js';
import { localSettings, motoSkip, startDynalite, startMoto } from '../helpers/aws-emulators.js';

export type DynamoEmulatorName = 'dynalite' | 'moto';

export interface DynamoBackend {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /** Another client of the same endpoint (a second process or Lambda instance). */
  twinDoc(): DynamoDBDocumentClient;
  /** A new empty table of the generic schema (TTL on `expires_at` where the emulator has TTL, unless `ttl: false`). */
  freshTable(key?: TableKey, opts?: { ttl?: boolean }): Promise<string>;
}

const docOf = (client: DynamoDBClient) => DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

/** Starts `emulator`; every client made for it is destroyed by close(). */
async function startBackend(emulator: DynamoEmulatorName): Promise<{ backend: DynamoBackend; close: () => Promise<void> }> {
  const clients: DynamoDBClient[] = [];
  let settings: AwsSettings;
  let stop: () => Promise<void>;
  if (emulator === 'dynalite') {
    const e = await startDynalite();
    settings = localSettings({ dynamodb: e.endpoint });
    stop = e.close;
  } else {
    const m = await startMoto();
    settings = m.settings;
    stop = m.close;
  }
  // moto 5.2 is not atomic under concurrent requests: of 100 concurrent `SET n = n + 1 IF n < 20`,
  // 22 succeeded in one round out of five, two of them returning the same n (a lost update; dynalite:
  // exactly 20 every round). So the moto clients of a file take turns: moto checks the semantics
  // (conditions, ReturnValues, TTL on), dynalite the atomicity under real concurrency.
  let turn: Promise<unknown> = Promise.resolve();
  const make = () => {
    const c = new DynamoDBClient(clientConfig(settings, 'dynamodb'));
    if (emulator === 'moto') {
      c.middlewareStack.add(
        (next) => (args) => {
          const run = turn.then(() => next(args));
          turn = run.catch(() => {});
          return run;
        },
        { step: 'initialize', name: 'oneAtATimeForMoto' },
      );
    }
    clients.push(c);
    return c;
  };
  const client = make();
  const backend: DynamoBackend = {
    client,
    doc: docOf(client),
    twinDoc: () => docOf(make()),
    async freshTable(key, opts = {}) {
      const name = `${key ? TABLES[key].logicalId : 'c'}-${randomBytes(4).toString('hex')}`;
      await createActiveTable(client, name);
      if (emulator === 'moto' && opts.ttl !== false) {
        await client.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: KEY.ttl, Enabled: true } }));
      }
      return name;
    },
  };
  return {
    backend,
    close: async () => {
      for (const c of clients) c.destroy();
      await stop();
    },
  };
}

/** `emulator` for the enclosing file or describe; the getter is valid inside tests. */
function useBackend(emulator: DynamoEmulatorName): () => DynamoBackend {
  let b: DynamoBackend | undefined;
  let close: (() => Promise<void>) | undefined;
  before(async () => {
    ({ backend: b, close } = await startBackend(emulator));
  });
  after(async () => {
    await close?.();
  });
  return () => b!;
}

/** dynalite for this file; the getter is valid inside tests. */
export function useDynalite(): () => DynamoBackend {
  return useBackend('dynalite');
}

/** moto_server for this file (DynamoDB with TTL), or undefined when moto is not installed (see motoSkip). */
export function useMoto(): (() => DynamoBackend) | undefined {
  return motoSkip() ? undefined : useBackend('moto');
}

/**
 * Registers a file's DynamoDB contract suites on dynalite and on moto (TTL on), each emulator started
 * for the file; without moto, one skipped test says why. `register` gets the emulator's label for the
 * suite titles. Returns dynalite for the file's own tests.
 */
export function onDynaliteAndMoto(adapter: string, register: (label: 'dynalite' | 'moto, TTL on', backend: () => DynamoBackend) => void): () => DynamoBackend {
  const dynalite = useDynalite();
  register('dynalite', dynalite);
  const moto = useMoto();
  if (moto) register('moto, TTL on', moto);
  else it(`${adapter} (moto)`, { skip: motoSkip() }, () => {});
  return dynalite;
}

export interface DynamoSuite {
  /** The document client every adapter of the suite uses. */
  doc: DynamoDBDocumentClient;
  /** A second, independent client on the same endpoint (another Lambda instance). */
  twin: () => DynamoDBDocumentClient;
  /** A fresh table (no TTL) for the current test. */
  table: string;
}

/**
 * Runs contract suites on a DynamoDB emulator: the emulator starts once per `describe`, and every test
 * gets a fresh table. The contract factories read `s.table` when their own beforeEach runs, after this one's.
 */
export function onDynamo(emulator: DynamoEmulatorName, body: (s: DynamoSuite) => void): void {
  describe(`on ${emulator}`, { skip: emulator === 'moto' ? motoSkip() : false }, () => {
    const s = {} as DynamoSuite;
    const backend = useBackend(emulator);
    before(() => {
      s.doc = backend().doc;
      s.twin = () => backend().twinDoc();
    });
    beforeEach(async () => {
      s.table = await backend().freshTable(undefined, { ttl: false });
    });
    body(s);
  });
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
