import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { matchedRoutes } from 'hono/route';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isManuelError, ManuelError } from '../../core/errors.js';
import type { ErrorOccurrence } from '../../core/ports/error-tracker.js';
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

/** `GET /api/manuals/:id`: the handler's route (not a middleware's `*`), never the raw path with its ids. */
export function routeTemplate(c: Context): string {
  const handler = matchedRoutes(c)
    .filter((r) => r.method !== 'ALL' && r.path !== '*' && r.path !== '/*')
    .pop();
  return `${c.req.method} ${handler?.path ?? '(no route)'}`;
}

const describe = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/** What the error tracker is told: the code, and the underlying cause that the response never shows. */
function occurrenceOf(c: Context<AppEnv>, err: unknown, known: ManuelError | null): ErrorOccurrence {
  const cause = known?.cause;
  return {
    errorType: known?.code ?? 'internal_error',
    message: known ? `${known.message}${cause !== undefined ? ` (${describe(cause)})` : ''}` : describe(err),
    where: routeTemplate(c),
    status: known ? errorStatus[known.code] : 500,
    requestId: c.get('requestId') || undefined,
  };
}

/**
 * Renders every thrown error. `report` (error tracking, EnableAdvancedErrorHandling) hears of each 5xx;
 * it must return at once (it defers its work), so the response never waits for it.
 */
export function errorHandler(fallbackLogger: Logger, report?: (occurrence: ErrorOccurrence) => void): ErrorHandler<AppEnv> {
  return (err, c) => {
    const log = c.get('log') ?? fallbackLogger;
    const known = toManuelError(err);
    const serverError = !known || errorStatus[known.code] >= 500;
    const shed = known?.details?.reason === 'overloaded';
    // A shed request is admission control doing its job under overload (counted in metrics), not a fault to track.
    if (serverError && !shed && report) {
      try {
        report(occurrenceOf(c, err, known));
      } catch (e) {
        log.warn({ err: e }, 'error not reported');
      }
    }
    if (known) {
      // A shed request (503 overloaded) is expected under overload and counted (requests_shed_total), not logged each time.
      if (serverError && !shed) log.error({ err: { code: known.code, message: known.message, ...(known.cause !== undefined ? { cause: describe(known.cause) } : {}) } }, 'request failed');
      return errorResponse(c, known);
    }
    log.error({ err }, 'unhandled error');
    return errorResponse(c, new ManuelError('internal_error', 'Internal server error'));
  };
}

export const notFoundHandler: NotFoundHandler<AppEnv> = (c) =>
  errorResponse(c, new ManuelError('not_found', `No route for ${c.req.method} ${c.req.path}`));
