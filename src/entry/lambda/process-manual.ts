/** Lambda function `process-manual`: S3 ObjectCreated on manuals/ (and a schedule) -> the ingestion worker. */
import { awsIngestRuntime } from './aws-services.js';
import { ingestFunction } from './ingest-function.js';

export const handler = ingestFunction(awsIngestRuntime);
