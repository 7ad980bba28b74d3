import { createAws, loadAwsConfig, type AwsApp } from '../../wiring/aws.js';
import type { IngestRuntime } from './ingest-function.js';
import { once } from './once.js';

// The SDK warns about Node 20 on every client; the runtime (nodejs22.x) is newer anyway.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** The container's services, from its environment, built at the first invocation (not at import). */
export const awsServices: () => Promise<AwsApp> = once(() => createAws(loadAwsConfig(process.env)));

/**
 * What ProcessManual drives: the container's ingest worker. Its invocations (S3 events and the schedule)
 * also do monitoring's minute work (alarms), before the figures, metrics and alerts are flushed.
 */
export function ingestRuntimeOf(s: AwsApp): IngestRuntime {
  return {
    worker: s.ingestWorker,
    logger: s.logger,
    retryWindowMs: s.retryWindowMs,
    afterInvocation: async () => {
      await s.scheduledMonitoring();
      await s.afterInvocation();
    },
  };
}

export async function awsIngestRuntime(): Promise<IngestRuntime> {
  return ingestRuntimeOf(await awsServices());
}
