/**
 * Reads a CloudFormation / SAM template (YAML with short tags such as !Ref, !If, !Sub) into plain JSON in
 * the long form (`{Ref: x}`, `{'Fn::If': [...]}`), and evaluates its Conditions for given parameter values.
 * The one reader of templates: the cost model (which resources a parameters file creates), the template
 * tests and scripts/sam-overrides.mjs (which imports the compiled module from dist/).
 */
import { readFileSync } from 'node:fs';
import { parse, type ScalarTag, type CollectionTag } from 'yaml';

const FN_TAGS = ['GetAtt', 'Sub', 'If', 'Equals', 'Not', 'And', 'Or', 'Select', 'Split', 'Join', 'FindInMap', 'ImportValue', 'GetAZs', 'Base64', 'Cidr', 'Transform', 'ToJsonString', 'Length'];

function longForm(tag: string, value: unknown): unknown {
  if (tag === 'Ref') return { Ref: value };
  if (tag === 'Condition') return { Condition: value };
  if (tag === 'GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    return { 'Fn::GetAtt': [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [`Fn::${tag}`]: value };
}

function customTags(): (ScalarTag | CollectionTag)[] {
  const tags: (ScalarTag | CollectionTag)[] = [];
  for (const name of ['Ref', 'Condition', ...FN_TAGS]) {
    const tag = `!${name}`;
    tags.push({ tag, resolve: (str: string) => longForm(name, str) } as ScalarTag);
    tags.push({ tag, collection: 'seq', resolve: (seq: { toJSON(): unknown }) => longForm(name, seq.toJSON()) } as unknown as CollectionTag);
    tags.push({ tag, collection: 'map', resolve: (map: { toJSON(): unknown }) => longForm(name, map.toJSON()) } as unknown as CollectionTag);
  }
  return tags;
}

export interface CfnResource {
  Type: string;
  Condition?: string;
  Properties?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface CfnTemplate {
  Transform?: unknown;
  Parameters?: Record<string, { Type: string; Default?: unknown; AllowedValues?: unknown[] }>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, unknown>;
  Globals?: Record<string, Record<string, unknown>>;
  [k: string]: unknown;
}

export function parseTemplate(text: string): CfnTemplate {
  // strict + uniqueKeys: a key written twice is an error, as CloudFormation refuses it, not a silent override
  const doc = parse(text, { customTags: customTags(), strict: true, uniqueKeys: true, maxAliasCount: -1 }) as CfnTemplate;
  if (!doc || typeof doc !== 'object' || !doc.Resources) throw new Error('not a CloudFormation template (no Resources)');
  return doc;
}

export function readTemplate(path: string): CfnTemplate {
  return parseTemplate(readFileSync(path, 'utf8'));
}

/** Parameter values: the template's defaults overridden by the given ones (all as strings, like CloudFormation). */
export function resolveParameters(t: CfnTemplate, given: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, p] of Object.entries(t.Parameters ?? {})) if (p.Default !== undefined) out[k] = String(p.Default);
  for (const [k, v] of Object.entries(given)) if (k in (t.Parameters ?? {})) out[k] = String(v);
  return out;
}

/** Evaluates every Condition of the template (Fn::Equals/Not/And/Or/Condition over Refs to parameters). */
export function evaluateConditions(t: CfnTemplate, params: Record<string, string>): Record<string, boolean> {
  const memo: Record<string, boolean> = {};
  const value = (v: unknown): unknown => {
    if (v && typeof v === 'object' && 'Ref' in v) {
      const ref = (v as { Ref: string }).Ref;
      if (ref in params) return params[ref];
      if (ref === 'AWS::Region') return 'us-east-1';
      if (ref === 'AWS::NoValue') return undefined;
      throw new Error(`condition refers to unknown parameter ${ref}`);
    }
    if (v && typeof v === 'object' && 'Fn::Join' in v) {
      const [sep, parts] = (v as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
      return parts.map(value).join(sep);
    }
    if (v && typeof v === 'object' && 'Fn::Select' in v) {
      const [i, list] = (v as { 'Fn::Select': [number, unknown] })['Fn::Select'];
      const l = value(list) as unknown[];
      return l[Number(i)];
    }
    if (v && typeof v === 'object' && 'Fn::Split' in v) {
      const [sep, s] = (v as { 'Fn::Split': [string, unknown] })['Fn::Split'];
      return String(value(s)).split(sep);
    }
    return v;
  };
  const evalExpr = (e: unknown): boolean => {
    if (!e || typeof e !== 'object') throw new Error(`bad condition expression ${JSON.stringify(e)}`);
    const o = e as Record<string, unknown>;
    if ('Condition' in o) return cond(o.Condition as string);
    if ('Fn::Equals' in o) {
      const [a, b] = o['Fn::Equals'] as unknown[];
      return String(value(a)) === String(value(b));
    }
    if ('Fn::Not' in o) return !evalExpr((o['Fn::Not'] as unknown[])[0]);
    if ('Fn::And' in o) return (o['Fn::And'] as unknown[]).every(evalExpr);
    if ('Fn::Or' in o) return (o['Fn::Or'] as unknown[]).some(evalExpr);
    throw new Error(`unsupported condition function ${Object.keys(o).join(',')}`);
  };
  const cond = (name: string): boolean => {
    if (name in memo) return memo[name];
    const expr = t.Conditions?.[name];
    if (expr === undefined) throw new Error(`unknown condition ${name}`);
    memo[name] = evalExpr(expr);
    return memo[name];
  };
  for (const name of Object.keys(t.Conditions ?? {})) cond(name);
  return memo;
}

/** The resources a stack with these parameter values creates. */
export function activeResources(t: CfnTemplate, given: Record<string, unknown>): Record<string, CfnResource> {
  const conditions = evaluateConditions(t, resolveParameters(t, given));
  return Object.fromEntries(Object.entries(t.Resources).filter(([, r]) => !r.Condition || conditions[r.Condition]));
}

/**
 * A property value with `Fn::If` branches chosen by the conditions and Refs to parameters replaced by their
 * values (what the cost model needs to read MemorySize, Rules, SubnetIds...); other intrinsics are kept.
 */
export function resolveValue(v: unknown, params: Record<string, string>, conditions: Record<string, boolean>): unknown {
  if (Array.isArray(v)) return v.map((x) => resolveValue(x, params, conditions)).filter((x) => x !== NO_VALUE);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('Ref' in o && Object.keys(o).length === 1) {
      const ref = o.Ref as string;
      if (ref === 'AWS::NoValue') return NO_VALUE;
      if (ref in params) return params[ref];
      return v;
    }
    if ('Fn::If' in o) {
      const [c, yes, no] = o['Fn::If'] as [string, unknown, unknown];
      return resolveValue(conditions[c] ? yes : no, params, conditions);
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) {
      const r = resolveValue(x, params, conditions);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }
  return v;
}
export const NO_VALUE = Symbol('AWS::NoValue');
