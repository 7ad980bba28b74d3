/** Lambda function `transcribe`: POST /api/transcribe: speech to text. The whole app runs; API Gateway sends it only these resources (function-routes.ts). */
import { awsServices } from './aws-services.js';
import { httpFunction } from './http-function.js';

export const handler = httpFunction(awsServices);
