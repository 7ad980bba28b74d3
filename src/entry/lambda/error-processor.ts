/**
 * Lambda function `error-processor`: SQS dead-letter queue -> error table + SNS (processDeadLetterBatch of
 * src/adapters/aws/error-processor.ts), answering partial batch failures (ReportBatchItemFailures).
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processDeadLetterBatch, type DeadLetterBatchDeps } from '../../adapters/aws/error-processor.js';
import { awsServices } from './aws-services.js';

/** What the ErrorProcessor drives: the container's dead-letter processing and its flush. */
export interface ErrorProcessorRuntime {
  deadLetterProcessing: DeadLetterBatchDeps | null;
  afterInvocation(): Promise<void>;
}

/** The handler over given services (Lambda: the container's; aws:local: the shared ones). */
export function errorProcessorFunction(services: () => Promise<ErrorProcessorRuntime>) {
  return async (event: SQSEvent, _context: Context): Promise<SQSBatchResponse> => {
    const s = await services();
    if (!s.deadLetterProcessing) throw new Error('ErrorProcessor needs EnableAdvancedErrorHandling and ERROR_TRACKING_TABLE');
    try {
      return await processDeadLetterBatch(event, s.deadLetterProcessing);
    } finally {
      await s.afterInvocation();
    }
  };
}

export const handler = errorProcessorFunction(awsServices);
