import { resolve } from 'node:path';
import { parametersFromEnv, parseParameters, readParametersFile, type Parameters } from './parameters.js';

/** Everything the embedded shape needs, read once at start-up and passed down. */
export interface EmbeddedConfig {
  port: number;
  host: string;
  dataDir: string;
  parameters: Parameters;
  logLevel: string;
  /** Folder of PDFs loaded by POST /api/bootstrap {action: populate}. */
  bootstrapDir: string;
  /** A cluster worker whose primary holds the embedding model (set by the supervisor, cluster.ts). */
  sharedEmbedder: boolean;
}

export function loadEmbeddedConfig(env: NodeJS.ProcessEnv = process.env, overrides: Record<string, unknown> = {}): EmbeddedConfig {
  const file = env.MANUEL_PARAMETERS ? readParametersFile(env.MANUEL_PARAMETERS) : {};
  const parameters = parseParameters({ ...file, ...parametersFromEnv(env), ...overrides });
  const dataDir = resolve(env.MANUEL_DATA_DIR || './data');
  return {
    port: env.PORT ? Number(env.PORT) : 3000,
    host: env.HOST || '0.0.0.0',
    dataDir,
    parameters,
    logLevel: env.LOG_LEVEL || 'info',
    bootstrapDir: resolve(env.MANUEL_BOOTSTRAP_DIR || resolve(dataDir, 'library')),
    sharedEmbedder: env.MANUEL_SHARED_EMBEDDER === '1',
  };
}
