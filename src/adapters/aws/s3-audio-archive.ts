import { randomUUID } from 'node:crypto';
import { DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AudioArchive } from '../../core/ports/audio-archive.js';

export interface S3AudioArchiveOptions {
  client: S3Client;
  /** The audio bucket (AudioBucket in the templates), apart from the manuals' bucket. */
  bucket: string;
  /** Default `audio/`: the templates' lifecycle rule expires objects under it after AudioFileRetentionDays. */
  prefix?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Spoken questions kept as `<prefix><yyyy-mm-dd>/<uuid>.<format>` plus a JSON sidecar with the owner
 * and the transcript, the layout of the file archive. On AWS the bucket's lifecycle rule is what
 * expires them (no scheduler to run); `purge` is the same deletion by hand, day folders older than
 * the cutoff, for the CLI and for a stack whose rule was changed.
 */
export class S3AudioArchive implements AudioArchive {
  private readonly client: S3Client;
  private readonly bucket: string;
  readonly prefix: string;

  constructor(opts: S3AudioArchiveOptions) {
    this.client = opts.client;
    this.bucket = opts.bucket;
    this.prefix = opts.prefix ?? 'audio/';
  }

  async keep(item: { audio: Buffer; format: string; ownerId: string; transcript: string; at: Date }): Promise<void> {
    const base = `${this.prefix}${item.at.toISOString().slice(0, 10)}/${randomUUID()}`;
    const format = item.format.replace(/[^A-Za-z0-9]/g, '') || 'bin';
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: `${base}.${format}`, Body: item.audio, ContentLength: item.audio.length }));
    const sidecar = Buffer.from(JSON.stringify({ owner_id: item.ownerId, transcript: item.transcript, at: item.at.toISOString() }));
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: `${base}.json`, Body: sidecar, ContentLength: sidecar.length, ContentType: 'application/json' }));
  }

  async purge(olderThan: Date): Promise<number> {
    const cutoff = olderThan.toISOString().slice(0, 10);
    let removed = 0;
    for (const day of await this.days()) {
      if (day >= cutoff) continue;
      removed += await this.deleteDay(day);
    }
    return removed;
  }

  /** The day folders present (ListObjectsV2 with a delimiter lists each folder once). */
  private async days(): Promise<string[]> {
    const days: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, Delimiter: '/', ContinuationToken: token }));
      for (const p of page.CommonPrefixes ?? []) {
        const day = p.Prefix!.slice(this.prefix.length, -1);
        if (DAY.test(day)) days.push(day);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return days;
  }

  /** Deletes one day's objects, 1000 per request; returns how many recordings (non-sidecar objects) went. */
  private async deleteDay(day: string): Promise<number> {
    let recordings = 0;
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.prefix}${day}/`, ContinuationToken: token }));
      const keys = (page.Contents ?? []).map((o) => o.Key!);
      if (keys.length > 0) {
        const out = await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }));
        if (out.Errors?.length) throw new Error(`S3 refused to delete ${out.Errors.length} audio object(s): ${out.Errors[0]!.Code} ${out.Errors[0]!.Message}`);
        recordings += keys.filter((k) => !k.endsWith('.json')).length;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return recordings;
  }
}
