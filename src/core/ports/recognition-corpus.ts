/** Text of the caller's manuals, for biasing a speech recogniser toward how they are written. */
export interface RecognitionCorpus {
  /** Passages of the manuals `owners` may see, at most about `maxWords` words in all. */
  passages(owners: readonly string[], maxWords: number): Promise<string[]>;
}
