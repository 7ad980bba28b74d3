import { fromJSONSchema, type ZodType } from 'zod';

interface Operation {
  security?: Record<string, string[]>[];
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
}

export interface RouteRef {
  method: string;
  /** The OpenAPI template, `/api/manuals/{id}`. */
  path: string;
}

/**
 * The server's own `/api/openapi.json`, used to check the check's answers. No JSON-Schema validator
 * (ajv...) is installed; zod 4 (a runtime dependency already) reads JSON Schema with `fromJSONSchema`,
 * OpenAPI 3.0's `nullable` included. It resolves `#/definitions/...` only, so the component refs are
 * rewritten to that before compiling; compiled schemas are kept per route and status.
 */
export class OpenApiDoc {
  private readonly compiled = new Map<string, ZodType | null>();
  /** Every body checked, and the ones that did not match, for the functional row. */
  readonly checked: string[] = [];
  readonly mismatches: string[] = [];

  constructor(readonly doc: Document) {}

  static async fetch(base: string, timeoutMs = 15_000): Promise<OpenApiDoc> {
    let res: Response;
    try {
      res = await fetch(`${base}/api/openapi.json`, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      throw new Error(`Cannot reach ${base}: ${String((e as Error).cause ?? (e as Error).message)}`);
    }
    if (res.status !== 200) throw new Error(`GET /api/openapi.json answered ${res.status}`);
    const doc = (await res.json()) as Document;
    if (!doc.paths) throw new Error('/api/openapi.json has no paths');
    return new OpenApiDoc(doc);
  }

  /** Operations that declare a security requirement (bearer, signature): the ones that must refuse strangers. */
  protectedRoutes(): RouteRef[] {
    const out: RouteRef[] = [];
    for (const [path, ops] of Object.entries(this.doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const schemes = (op.security ?? []).flatMap((s) => Object.keys(s));
        // /metrics is guarded only when MetricsToken is set: not an account route.
        if (schemes.length > 0 && schemes.some((s) => s !== 'metricsToken')) out.push({ method: method.toUpperCase(), path });
      }
    }
    return out;
  }

  has(method: string, path: string): boolean {
    return Boolean(this.doc.paths[path]?.[method.toLowerCase()]);
  }

  /** Checks a JSON body against the documented response of (route, status); notes a mismatch. Answers the issues. */
  validate(route: RouteRef, status: number, body: unknown): string[] {
    const label = `${route.method} ${route.path} ${status}`;
    this.checked.push(label);
    const schema = this.schemaOf(route, status);
    if (schema === undefined) {
      this.mismatches.push(`${label}: status not documented`);
      return [`status ${status} not documented`];
    }
    if (schema === null) return [];
    const r = schema.safeParse(body);
    if (r.success) return [];
    const issues = r.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
    this.mismatches.push(`${label}: ${issues.join('; ')}`);
    return issues;
  }

  /** undefined: the status is not documented; null: documented without a JSON body. */
  private schemaOf(route: RouteRef, status: number): ZodType | null | undefined {
    const key = `${route.method} ${route.path} ${status}`;
    if (this.compiled.has(key)) return this.compiled.get(key);
    const op = this.doc.paths[route.path]?.[route.method.toLowerCase()];
    const response = op?.responses?.[String(status)] ?? op?.responses?.default;
    if (!response) return undefined;
    const raw = response.content?.['application/json']?.schema;
    let schema: ZodType | null = null;
    if (raw) {
      const rooted = JSON.stringify({ ...(raw as object), definitions: this.doc.components?.schemas ?? {} }).replaceAll('"#/components/schemas/', '"#/definitions/');
      schema = fromJSONSchema(JSON.parse(rooted), { defaultTarget: 'openapi-3.0' });
    }
    this.compiled.set(key, schema);
    return schema;
  }
}

/** A concrete path for a template: `{id}` and friends become `value`. */
export const fillPath = (template: string, value: string): string => template.replace(/\{[^}]+\}/g, encodeURIComponent(value));
