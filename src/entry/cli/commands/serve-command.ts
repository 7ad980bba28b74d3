import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { contextOf } from '../cli-context.js';
import { CliError } from '../cli-error.js';

interface ServeOptions {
  port?: number;
  host?: string;
  dataDir?: string;
  parameters?: string;
  workers?: number;
}

const port = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port number (0 picks a free one)');
  return n;
};

const count = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError('a number of processes (1 or more)');
  return n;
};

export function serveCommand(): Command {
  return new Command('serve')
    .description('run the Manuel server in this process (Ctrl+C stops it cleanly)')
    .option('--port <port>', 'port to listen on (default: PORT or 3000)', port)
    .option('--host <host>', 'address to bind (default: HOST or 0.0.0.0)')
    .option('--data-dir <dir>', 'where the database and files live (default: MANUEL_DATA_DIR or ./data)')
    .option('--parameters <file>', 'a parameters file {"Parameters": {...}} (default: MANUEL_PARAMETERS)')
    .option('--workers <n>', 'server processes sharing the data dir (default: MANUEL_WORKERS, else one per core with EnablePerformanceOptimization, else 1)', count)
    .action(async (opts: ServeOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      // The flags become the environment the server already reads, so both paths stay one.
      const env: NodeJS.ProcessEnv = { ...process.env };
      if (opts.port !== undefined) env.PORT = String(opts.port);
      if (opts.host) env.HOST = opts.host;
      if (opts.dataDir) env.MANUEL_DATA_DIR = resolve(opts.dataDir);
      if (opts.parameters) env.MANUEL_PARAMETERS = resolve(opts.parameters);
      if (opts.workers !== undefined) env.MANUEL_WORKERS = String(opts.workers);

      // Loaded here, not at the top: other commands must not pay for SQLite and the embedder.
      const [{ loadEmbeddedConfig }, { startServer }] = await Promise.all([import('../../../config/config.js'), import('../../server.js')]);
      let config;
      try {
        config = loadEmbeddedConfig(env);
      } catch (e) {
        throw new CliError((e as Error).message, 2);
      }
      const { runPrimary, workerCount } = await import('../../cluster.js');
      const workers = workerCount(config.parameters, env.MANUEL_WORKERS);
      if (workers > 1) {
        const port = await runPrimary({ workers, parameters: config.parameters, env, log: (m) => ctx.note(m) });
        ctx.print(`Manuel is listening on port ${port} with ${workers} processes (data in ${config.dataDir}); Ctrl+C stops it`, { port, workers, data_dir: config.dataDir });
        return new Promise<void>(() => {}); // runPrimary exits the process after the drain
      }
      const server = await startServer(config);
      ctx.print(`Manuel is listening on ${server.url} (data in ${config.dataDir}); Ctrl+C stops it`, { url: server.url, port: server.port, data_dir: config.dataDir });

      await new Promise<void>((done) => {
        const stop = async (signal: string) => {
          process.off('SIGINT', onInt);
          process.off('SIGTERM', onTerm);
          ctx.note(`${signal}: finishing in-flight requests and stopping...`);
          await server.close();
          done();
        };
        const onInt = () => void stop('SIGINT');
        const onTerm = () => void stop('SIGTERM');
        process.on('SIGINT', onInt);
        process.on('SIGTERM', onTerm);
      });
    });
}
