/** Where spoken questions are kept when `AudioFileRetentionDays` > 0 (never otherwise). */
export interface AudioArchive {
  keep(item: { audio: Buffer; format: string; ownerId: string; transcript: string; at: Date }): Promise<void>;
  /** Deletes what is older than `olderThan`; returns how many recordings went. */
  purge(olderThan: Date): Promise<number>;
}
