/**
 * The ingestion backlog read from the job queue's RUNNABLE index (dynamodb-job-queue.ts), which holds
 * exactly the jobs that are queued or processing: one Query reads the backlog and nothing else (0.5
 * RRU per 4 KB of it, never the finished jobs). The admin dashboard and the metrics gauges read it.
 *
 * The embedding backlog is taken from the progress the ingest job reports (`statistics.chunks` and
 * `statistics.embedded_chunks`, heartbeat by heartbeat): on this shape embedding runs inside the
 * ingest job, so the chunks still without a vector are those of the jobs in progress, a heartbeat
 * behind at most. That spares a scan of every manual in fileTracking.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { IngestBacklog } from '../../core/ports/ingest-backlog.js';
import { queryAll } from './dynamodb-items.js';
import { RUNNABLE, toJob } from './dynamodb-job-queue.js';

export class DynamoDbIngestBacklog implements IngestBacklog {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly jobsTable: string,
    private readonly hasEmbedder: boolean,
  ) {}

  private async backlog() {
    const items = await queryAll(this.doc, {
      TableName: this.jobsTable,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :r',
      ExpressionAttributeValues: { ':r': RUNNABLE },
    });
    return items.map(toJob);
  }

  async queued(): Promise<number> {
    return (await this.backlog()).filter((j) => j.status === 'queued').length;
  }

  async inProgress(): Promise<number> {
    return (await this.backlog()).filter((j) => j.status === 'processing').length;
  }

  async embeddingBacklog(): Promise<number> {
    if (!this.hasEmbedder) return 0;
    let n = 0;
    for (const j of await this.backlog()) {
      if (j.status !== 'processing') continue;
      const { chunks = 0, embedded_chunks: embedded = 0 } = j.statistics;
      n += Math.max(0, chunks - embedded);
    }
    return n;
  }
}
