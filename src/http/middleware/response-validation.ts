import type { MiddlewareHandler } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { ManuelError } from '../../core/errors.js';
import type { AppEnv } from '../app-env.js';
import { errorResponse } from './error-handler.js';

interface Parser {
  safeParse(v: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } };
}
interface Documented {
  method: string;
  pattern: RegExp;
  schemas: Map<number, Parser>;
}

type Registry = OpenAPIHono['openAPIRegistry'];

function documentedRoutes(registry: Registry): Documented[] {
  const out: Documented[] = [];
  for (const def of registry.definitions) {
    if (def.type !== 'route') continue;
    const schemas = new Map<number, Parser>();
    for (const [status, response] of Object.entries(def.route.responses ?? {})) {
      const schema = (response as { content?: Record<string, { schema?: unknown }> }).content?.['application/json']?.schema as Parser | undefined;
      if (schema && typeof schema.safeParse === 'function') schemas.set(Number(status), schema);
    }
    const pattern = new RegExp(`^${def.route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`);
    out.push({ method: def.route.method.toUpperCase(), pattern, schemas });
  }
  return out;
}

/**
 * Checks every JSON response against the zod schema its route documents, so the OpenAPI document
 * cannot drift from what the server sends. A mismatch becomes a 500 naming the field. Meant for
 * tests and development (it parses every body again).
 */
export function responseValidation(registry: () => Registry): MiddlewareHandler<AppEnv> {
  let routes: Documented[] | null = null;
  return async (c, next) => {
    await next();
    const type = c.res.headers.get('content-type') ?? '';
    if (!type.includes('application/json')) return;
    routes ??= documentedRoutes(registry());
    const route = routes.find((r) => r.method === c.req.method && r.pattern.test(c.req.path));
    const schema = route?.schemas.get(c.res.status);
    if (!schema) return;
    const body = await c.res.clone().json();
    const result = schema.safeParse(body);
    if (result.success) return;
    const issue = result.error!.issues[0]!;
    c.get('log')?.error({ path: c.req.path, status: c.res.status, issues: result.error!.issues.slice(0, 5) }, 'response does not match its schema');
    c.res = undefined as unknown as Response; // let errorResponse build a fresh one
    c.res = errorResponse(c, new ManuelError('internal_error', `Response does not match its schema at ${issue.path.join('.') || '(root)'}: ${issue.message}`));
  };
}
