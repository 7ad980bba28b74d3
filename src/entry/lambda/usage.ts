/** Lambda function `usage`: The caller's account: /api/user/usage and quota, /api/limits, /api/auth/* (Cognito), /api/keys. The whole app runs; API Gateway sends it only these resources (function-routes.ts). */
import { awsServices } from './aws-services.js';
import { httpFunction } from './http-function.js';

export const handler = httpFunction(awsServices);
