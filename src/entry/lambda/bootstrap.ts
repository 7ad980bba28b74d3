/** Lambda function `bootstrap`: POST /api/bootstrap (the shared library) and the operator's /api/admin/* routes. The whole app runs; API Gateway sends it only these resources (function-routes.ts). */
import { awsServices } from './aws-services.js';
import { httpFunction } from './http-function.js';

export const handler = httpFunction(awsServices);
