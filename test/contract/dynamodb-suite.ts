/**
 * Runs contract suites on a DynamoDB emulator: the emulator starts once per `describe`, and every test
 * gets a fresh table of the generic schema (dynamodb-tables.ts), so the suites' fixed ids never meet.
 * The contract factories read `s.table` when their own beforeEach runs, after this one's.
 */
import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { after, before, beforeEach, describe } from 'node:test';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientConfig, type AwsSettings } from '../../src/adapters/aws/aws-client-config.js';
import { createTableInput } from '../../src/adapters/aws/dynamodb-tables.js';
import { localSettings, motoSkip, startDynalite, startMoto } from '../helpers/aws-emulators.js';

export type DynamoEmulatorName = 'dynalite' | 'moto';

export interface DynamoSuite {
  /** The document client every adapter of the suite uses. */
  doc: DynamoDBDocumentClient;
  /** A second, independent client on the same endpoint (another Lambda instance). */
  twin: () => DynamoDBDocumentClient;
  /** A fresh table for the current test. */
  table: string;
}

/**
 * moto's conditional writes are not atomic across its request threads (measured: 30 parallel
 * conditional UpdateItems on one item, 2 winners in 1 round of 5), so on moto each client sends one
 * request at a time: moto checks the expressions and the semantics, dynalite the concurrency.
 */
const docOf = (settings: AwsSettings, serial: boolean) =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({ ...clientConfig(settings, 'dynamodb'), ...(serial ? { requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 1 }), socketAcquisitionWarningTimeout: 120_000 } } : {}) }),
    { marshallOptions: { removeUndefinedValues: true } },
  );

export function onDynamo(emulator: DynamoEmulatorName, body: (s: DynamoSuite) => void): void {
  describe(`on ${emulator}`, { skip: emulator === 'moto' ? motoSkip() : false }, () => {
    const s = {} as DynamoSuite;
    const clients: DynamoDBDocumentClient[] = [];
    let close: () => Promise<void> = async () => undefined;
    before(async () => {
      let settings: AwsSettings;
      if (emulator === 'dynalite') {
        const e = await startDynalite();
        settings = localSettings({ dynamodb: e.endpoint });
        close = e.close;
      } else {
        const m = await startMoto();
        settings = m.settings;
        close = m.close;
      }
      s.doc = docOf(settings, emulator === 'moto');
      clients.push(s.doc);
      s.twin = () => {
        const c = docOf(settings, emulator === 'moto');
        clients.push(c);
        return c;
      };
    });
    beforeEach(async () => {
      s.table = `c${randomBytes(5).toString('hex')}`;
      await s.doc.send(new CreateTableCommand(createTableInput(s.table)));
    });
    after(async () => {
      for (const c of clients) c.destroy();
      await close();
    });
    body(s);
  });
}
