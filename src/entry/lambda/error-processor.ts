/**
 * Lambda function `error-processor`: SQS dead-letter queue -> error table + SNS (processDeadLetterBatch of
 * src/adapters/aws/error-processor.ts), answering partial batch failures (ReportBatchItemFailures).
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processDeadLetterBatch } from '../../adapters/aws/error-processor.js';
import { awsServices } from './aws-services.js';

export async function handler(event: SQSEvent, _context: Context): Promise<SQSBatchResponse> {
  const s = await awsServices();
  if (!s.deadLetterProcessing) throw new Error('ErrorProcessor needs EnableAdvancedErrorHandling and ERROR_TRACKING_TABLE');
  try {
    return await processDeadLetterBatch(event, s.deadLetterProcessing);
  } finally {
    await s.afterInvocation();
  }
}
