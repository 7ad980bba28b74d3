import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isManuelError, ManuelError } from '../../core/errors.js';
import type { Logger } from '../../core/ports/logger.js';
import type { AppEnv } from '../app-env.js';
import { codeForStatus, errorStatus } from '../error-map.js';

export interface ErrorBody {
  error: string;
  error_type: string;
  request_id: string;
  timestamp: string;
  details?: Record<string, unknown>;
  [extra: string]: unknown;
}

function toManuelError(err: unknown): ManuelError | null {
  if (isManuelError(err)) return err;
  if (err instanceof HTTPException) {
    if (err.status === 400 && /malformed json/i.test(err.message)) return new ManuelError('malformed_json', 'Malformed JSON in request body');
    const code = codeForStatus(err.status);
    return new ManuelError(code, err.message || code.replace(/_/g, ' '));
  }
  return null;
}

/** Renders an error as `{error, error_type, request_id, timestamp}` (+ details); never a stack trace. */
export function errorResponse(c: Context<AppEnv>, err: ManuelError) {
  const status = errorStatus[err.code] as ContentfulStatusCode;
  const body: ErrorBody = {
    error: err.message,
    error_type: err.code,
    request_id: c.get('requestId') ?? '',
    timestamp: new Date().toISOString(),
  };
  if (err.details) {
    const { usage_info, retry_after_seconds, rule, reason, ...rest } = err.details as Record<string, unknown>;
    // The original API put usage_info at the top of a 429 body; clients read it there. A security
    // rejection names its rule or reason at the top too.
    if (usage_info !== undefined) body.usage_info = usage_info;
    if (rule !== undefined) body.rule = rule;
    if (reason !== undefined) body.reason = reason;
    if (typeof retry_after_seconds === 'number') {
      c.header('Retry-After', String(Math.max(1, Math.ceil(retry_after_seconds))));
      body.retry_after_seconds = retry_after_seconds;
    }
    if (Object.keys(rest).length > 0) body.details = rest;
  }
  return c.json(body, status);
}

export function errorHandler(fallbackLogger: Logger): ErrorHandler<AppEnv> {
  return (err, c) => {
    const log = c.get('log') ?? fallbackLogger;
    const known = toManuelError(err);
    if (known) {
      // A shed request (503 overloaded) is expected under overload and counted (requests_shed_total), not logged each time.
      if (errorStatus[known.code] >= 500 && known.details?.reason !== 'overloaded') log.error({ err: { code: known.code, message: known.message } }, 'request failed');
      return errorResponse(c, known);
    }
    log.error({ err }, 'unhandled error');
    return errorResponse(c, new ManuelError('internal_error', 'Internal server error'));
  };
}

export const notFoundHandler: NotFoundHandler<AppEnv> = (c) =>
  errorResponse(c, new ManuelError('not_found', `No route for ${c.req.method} ${c.req.path}`));
