/** Text -> dense vectors (unit length). */
export interface Embedder {
  readonly dimensions: number;
  readonly modelId: string;
  embed(texts: string[]): Promise<Float32Array[]>;
  close?(): Promise<void>;
}
