import { errors, ManuelError } from '../../core/errors.js';

/**
 * An AWS SDK error as a coded upstream error carrying the HTTP status AWS answered with, so the
 * resilience layer (isTransientUpstream) retries throttling (429), time-outs (408) and 5xx, and
 * never a validation or access error. `label` names the service call, e.g. "Bedrock <model>".
 */
export function awsUpstreamError(e: unknown, label: string): ManuelError {
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = err.$metadata?.httpStatusCode;
  const name = err.name ?? 'Error';
  if (typeof status === 'number') {
    return new ManuelError('upstream_error', `${label} answered ${name} (HTTP ${status}): ${(err.message ?? '').slice(0, 200)}`, { upstream_status: status });
  }
  // No HTTP answer at all (socket, DNS): transient, like an unreachable OpenAI endpoint.
  return errors.upstream(`${label} is unreachable: ${err.message ?? name}`);
}
