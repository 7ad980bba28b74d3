/**
 * Client configuration shared by every AWS SDK v3 client of the aws shape. On Lambda only the region
 * matters; locally (`npm run aws:local`, tests) each service may point at an emulator endpoint.
 */
export type AwsService = 'dynamodb' | 's3' | 'sqs' | 'sns' | 'cognito' | 'bedrock' | 'transcribe' | 'cloudwatch' | 'apigateway' | 'cloudformation';

export interface AwsSettings {
  region: string;
  /** Emulator endpoints, per service (e.g. `{ dynamodb: 'http://127.0.0.1:4567' }`). */
  endpoints?: Partial<Record<AwsService, string>>;
  /** Static credentials (emulators); on Lambda the SDK's default chain is used. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface ClientConfig {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  forcePathStyle?: boolean;
  requestChecksumCalculation?: 'WHEN_REQUIRED' | 'WHEN_SUPPORTED';
  responseChecksumValidation?: 'WHEN_REQUIRED' | 'WHEN_SUPPORTED';
}

/** The config object to pass to `new XClient(...)` for a service. */
export function clientConfig(settings: AwsSettings, service: AwsService): ClientConfig {
  const endpoint = settings.endpoints?.[service];
  const cfg: ClientConfig = { region: settings.region };
  if (endpoint) {
    cfg.endpoint = endpoint;
    cfg.credentials = settings.credentials ?? { accessKeyId: 'local', secretAccessKey: 'local' };
    if (service === 's3') {
      // s3rver and moto serve buckets by path, and do not compute the newer default checksums.
      cfg.forcePathStyle = true;
      cfg.requestChecksumCalculation = 'WHEN_REQUIRED';
      cfg.responseChecksumValidation = 'WHEN_REQUIRED';
    }
  } else if (settings.credentials) {
    cfg.credentials = settings.credentials;
  }
  return cfg;
}

/**
 * Settings from the environment: `AWS_REGION` (Lambda sets it) and, for local emulators,
 * `MANUEL_AWS_ENDPOINT_<SERVICE>` (e.g. MANUEL_AWS_ENDPOINT_DYNAMODB) or `MANUEL_AWS_ENDPOINT` for all.
 */
export function awsSettingsFromEnv(env: NodeJS.ProcessEnv): AwsSettings {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const services: AwsService[] = ['dynamodb', 's3', 'sqs', 'sns', 'cognito', 'bedrock', 'transcribe', 'cloudwatch', 'apigateway', 'cloudformation'];
  const endpoints: Partial<Record<AwsService, string>> = {};
  for (const s of services) {
    const v = env[`MANUEL_AWS_ENDPOINT_${s.toUpperCase()}`] ?? env.MANUEL_AWS_ENDPOINT;
    if (v) endpoints[s] = v;
  }
  return { region, endpoints };
}
