import { Logger as PowertoolsLoggerLib } from '@aws-lambda-powertools/logger';
import type { Logger } from '../../core/ports/logger.js';

type Level = 'debug' | 'info' | 'warn' | 'error';

export interface PowertoolsLoggerOptions {
  serviceName?: string;
  /** Default: POWERTOOLS_LOG_LEVEL, else INFO (Powertools reads it). */
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** A Powertools logger built elsewhere (the handler's, with its Lambda context); default a new one. */
  logger?: PowertoolsLoggerLib;
}

/**
 * The Logger port on Powertools' logger: one JSON object per line on stdout, which CloudWatch Logs
 * keeps as is, with the Lambda context (request id, cold start, function) once the handler calls
 * `addContext` or `injectLambdaContext`, and the X-Ray trace id. Pino's call shape maps onto it:
 * `info({ job_id, err }, 'message')` -> `info('message', { job_id, err })`; errors anywhere in the
 * object come out as `{ name, location, message, stack }` (Powertools' JSON replacer).
 * Keys Powertools reserves (level, message, timestamp, service, ...) are dropped with a warning.
 */
export class PowertoolsLogger implements Logger {
  readonly powertools: PowertoolsLoggerLib;

  constructor(opts: PowertoolsLoggerOptions = {}) {
    this.powertools = opts.logger ?? new PowertoolsLoggerLib({ serviceName: opts.serviceName ?? 'manuel', ...(opts.logLevel ? { logLevel: opts.logLevel } : {}) });
  }

  private write(level: Level, obj: object | string, msg?: string): void {
    if (typeof obj === 'string') this.powertools[level](msg === undefined ? obj : `${obj} ${msg}`);
    else this.powertools[level](msg ?? '', obj as Record<string, unknown>);
  }

  info(obj: object | string, msg?: string): void {
    this.write('info', obj, msg);
  }
  warn(obj: object | string, msg?: string): void {
    this.write('warn', obj, msg);
  }
  error(obj: object | string, msg?: string): void {
    this.write('error', obj, msg);
  }
  debug(obj: object | string, msg?: string): void {
    this.write('debug', obj, msg);
  }

  child(bindings: Record<string, unknown>): Logger {
    const child = this.powertools.createChild();
    child.appendPersistentKeys(bindings);
    return new PowertoolsLogger({ logger: child });
  }
}
