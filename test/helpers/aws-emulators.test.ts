import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { clientConfig } from '../../src/adapters/aws/aws-client-config.js';
import { TABLES } from '../../src/adapters/aws/dynamodb-tables.js';
import { motoSkip, startDynalite, startMoto, startS3rver, type DynamoEmulator, type S3Emulator } from './aws-emulators.js';

describe('AWS emulators for tests', () => {
  let dyn: DynamoEmulator;
  let s3: S3Emulator;
  before(async () => {
    [dyn, s3] = await Promise.all([startDynalite(), startS3rver()]);
  });
  after(async () => {
    await Promise.all([dyn?.close(), s3?.close()]);
  });

  it('dynalite has every table with the generic key schema and gsi1', async () => {
    for (const key of Object.keys(TABLES) as (keyof typeof TABLES)[]) {
      const d = await dyn.client.send(new DescribeTableCommand({ TableName: dyn.tables[key] }));
      assert.equal(d.Table?.TableStatus, 'ACTIVE');
      assert.deepEqual(d.Table?.KeySchema?.map((k) => k.AttributeName), ['pk', 'sk']);
      assert.equal(d.Table?.GlobalSecondaryIndexes?.[0]?.IndexName, 'gsi1');
    }
  });

  it('s3rver stores and returns an object', async () => {
    const bucket = await s3.bucket();
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'a/b.pdf', Body: Buffer.from('%PDF-1.4') }));
    const got = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: 'a/b.pdf' }));
    assert.equal(await got.Body?.transformToString(), '%PDF-1.4');
  });

  it('moto_server answers SQS', { skip: motoSkip() }, async () => {
    const moto = await startMoto();
    try {
      const sqs = new SQSClient(clientConfig(moto.settings, 'sqs'));
      const r = await sqs.send(new ListQueuesCommand({}));
      assert.equal(r.$metadata.httpStatusCode, 200);
      sqs.destroy();
    } finally {
      await moto.close();
    }
  });
});
