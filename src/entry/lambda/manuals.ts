/** Lambda function `manuals`: /api/manuals/*: list, upload, URL download, detail, delete, the PDF, page images. The whole app runs; API Gateway sends it only these resources (function-routes.ts). */
import { awsServices } from './aws-services.js';
import { httpFunction } from './http-function.js';

export const handler = httpFunction(awsServices);
