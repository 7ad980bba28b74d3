/**
 * Which Lambda function serves which API Gateway resource: one function per area like the original stack,
 * each running the whole Hono app (a path that reaches the wrong function is still answered correctly).
 * The local proxy (src/entry/aws-local-proxy.ts) routes with this table; infra/template*.yaml declares
 * the same resources as the functions' Api events.
 */
export const HTTP_FUNCTIONS = ['query', 'manuals', 'usage', 'ingestion-status', 'bootstrap', 'health', 'transcribe'] as const;
export type HttpFunctionName = (typeof HTTP_FUNCTIONS)[number];
/** Functions that are not behind the API: S3 ObjectCreated (and a schedule) -> ingestion; SQS DLQ -> error records. */
export const EVENT_FUNCTIONS = ['process-manual', 'error-processor'] as const;
export type FunctionName = HttpFunctionName | (typeof EVENT_FUNCTIONS)[number];

export interface FunctionRoute {
  fn: HttpFunctionName;
  /** HTTP method, or ANY. */
  method: string;
  /** API Gateway resource path: `{name}` is one segment, `{proxy+}` the rest of the path. */
  resource: string;
}

export const FUNCTION_ROUTES: readonly FunctionRoute[] = [
  { fn: 'query', method: 'ANY', resource: '/api/query' },
  { fn: 'transcribe', method: 'ANY', resource: '/api/transcribe' },
  { fn: 'manuals', method: 'ANY', resource: '/api/manuals' },
  { fn: 'manuals', method: 'ANY', resource: '/api/manuals/{proxy+}' },
  { fn: 'ingestion-status', method: 'ANY', resource: '/api/ingestion/status' },
  // The caller's account: usage and quota, limits, sign-up/login/refresh/logout (Cognito), API keys.
  { fn: 'usage', method: 'ANY', resource: '/api/user/{proxy+}' },
  { fn: 'usage', method: 'ANY', resource: '/api/limits' },
  { fn: 'usage', method: 'ANY', resource: '/api/auth/{proxy+}' },
  { fn: 'usage', method: 'ANY', resource: '/api/keys' },
  { fn: 'usage', method: 'ANY', resource: '/api/keys/{proxy+}' },
  // Administration: the shared library, and the operator's routes.
  { fn: 'bootstrap', method: 'ANY', resource: '/api/bootstrap' },
  { fn: 'bootstrap', method: 'ANY', resource: '/api/admin/{proxy+}' },
  { fn: 'health', method: 'ANY', resource: '/health' },
  { fn: 'health', method: 'ANY', resource: '/health/{proxy+}' },
  { fn: 'health', method: 'ANY', resource: '/metrics' },
  { fn: 'health', method: 'ANY', resource: '/api/openapi.json' },
  { fn: 'health', method: 'ANY', resource: '/api/docs' },
  { fn: 'health', method: 'ANY', resource: '/api/docs/{proxy+}' },
];

/**
 * The templates also send `/` and `/{proxy+}` (every other path) to the bootstrap function, which answers
 * them with the app's JSON 404; the local proxy serves the web app's files there instead (CloudFront + S3).
 */
export const CATCH_ALL = { fn: 'bootstrap', resources: ['/', '/{proxy+}'] } as const;

export interface RouteMatch {
  route: FunctionRoute;
  pathParameters: Record<string, string> | null;
}

function compile(resource: string): { re: RegExp; names: string[] } {
  const names: string[] = [];
  const body = resource
    .split('/')
    .map((seg) => {
      const greedy = /^\{(\w+)\+\}$/.exec(seg);
      if (greedy) return names.push(greedy[1]!), '(.+)';
      const one = /^\{(\w+)\}$/.exec(seg);
      if (one) return names.push(one[1]!), '([^/]+)';
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { re: new RegExp(`^${body}$`), names };
}

const compiled = FUNCTION_ROUTES.map((route) => ({ route, ...compile(route.resource) }));

/** The route API Gateway would pick for a request (exact resources before greedy ones), or null (403/404 there). */
export function matchRoute(method: string, path: string): RouteMatch | null {
  let best: (RouteMatch & { greedy: boolean }) | null = null;
  for (const c of compiled) {
    const m0 = method.toUpperCase();
    // A preflight is answered by the function of the path (the app does CORS), whatever its methods.
    if (c.route.method !== 'ANY' && c.route.method !== m0 && m0 !== 'OPTIONS') continue;
    const m = c.re.exec(path);
    if (!m) continue;
    const greedy = c.route.resource.includes('+}');
    if (best && (greedy || !best.greedy)) continue;
    const pathParameters = c.names.length ? Object.fromEntries(c.names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)])) : null;
    best = { route: c.route, pathParameters, greedy };
  }
  return best ? { route: best.route, pathParameters: best.pathParameters } : null;
}
