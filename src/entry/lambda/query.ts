/** Lambda function `query`: POST /api/query: typed and spoken questions. The whole app runs; API Gateway sends it only these resources (function-routes.ts). */
import { awsServices } from './aws-services.js';
import { httpFunction } from './http-function.js';

export const handler = httpFunction(awsServices);
