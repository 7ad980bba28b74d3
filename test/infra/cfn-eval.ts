/**
 * Just enough of CloudFormation's evaluation for the template tests: which conditions and flags a
 * resource depends on, every reference a template makes, and the value of a property for given
 * parameter values (Ref to parameters, Fn::If / Equals / Not / And / Or, Condition, Split, Select,
 * FindInMap, AWS::NoValue). Anything else (GetAtt, Sub, ...) is left as it is.
 */
import type { Json } from './infra-files.js';

export const FLAGS = [
  'EnableAdvancedSecurity',
  'EnableAdvancedErrorHandling',
  'EnablePerformanceOptimization',
  'EnableXRayTracing',
  'EnableWAF',
  'EnableRedisCache',
] as const;
export type Flag = (typeof FLAGS)[number];

const isObj = (v: unknown): v is Record<string, Json> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Every `{Ref}` name and `{Condition}` name inside a node (conditions' own expressions included). */
function walk(node: Json, visit: (key: string, value: Json) => void): void {
  if (Array.isArray(node)) node.forEach((n) => walk(n, visit));
  else if (isObj(node)) {
    for (const [k, v] of Object.entries(node)) {
      visit(k, v);
      walk(v, visit);
    }
  }
}

/** The Enable* flags a condition depends on, through nested conditions. */
export function conditionFlags(template: Json, name: string, seen = new Set<string>()): Set<Flag> {
  const out = new Set<Flag>();
  if (seen.has(name)) return out;
  seen.add(name);
  const expr = template.Conditions?.[name];
  if (expr === undefined) throw new Error(`no condition ${name}`);
  walk(expr, (k, v) => {
    if (k === 'Ref' && (FLAGS as readonly string[]).includes(v)) out.add(v as Flag);
    if (k === 'Condition') conditionFlags(template, v, seen).forEach((f) => out.add(f));
  });
  return out;
}

/** The flags that decide whether a resource exists (its Condition's chain). */
export function resourceFlags(template: Json, id: string): Set<Flag> {
  const cond = template.Resources[id].Condition as string | undefined;
  return cond ? conditionFlags(template, cond) : new Set();
}

/** The conditions a node's `Fn::If`s test. */
export function ifConditions(node: Json): Set<string> {
  const out = new Set<string>();
  walk(node, (k, v) => {
    if (k === 'Fn::If') out.add(v[0]);
  });
  return out;
}

export interface Reference {
  kind: 'Ref' | 'GetAtt' | 'Sub' | 'Condition' | 'If' | 'DependsOn' | 'FindInMap';
  name: string;
  where: string;
}

/** `${Name}` / `${Name.Attr}` variables of a Sub string, `${!Literal}` excluded. */
export function subVariables(text: string): string[] {
  return [...text.matchAll(/\$\{([^}!][^}]*)\}/g)].map((m) => m[1]!.trim());
}

/** Every reference the template makes, with where it is. */
export function references(template: Json): Reference[] {
  const refs: Reference[] = [];
  const scan = (node: Json, where: string) => {
    if (Array.isArray(node)) return node.forEach((n, i) => scan(n, `${where}[${i}]`));
    if (!isObj(node)) return;
    for (const [k, v] of Object.entries(node)) {
      const at = `${where}.${k}`;
      if (k === 'Ref' && typeof v === 'string') refs.push({ kind: 'Ref', name: v, where });
      else if (k === 'Fn::GetAtt') refs.push({ kind: 'GetAtt', name: Array.isArray(v) ? v[0] : String(v).split('.')[0]!, where });
      else if (k === 'Condition' && typeof v === 'string') refs.push({ kind: 'Condition', name: v, where });
      else if (k === 'Fn::If') refs.push({ kind: 'If', name: v[0], where });
      else if (k === 'Fn::FindInMap') refs.push({ kind: 'FindInMap', name: v[0], where });
      else if (k === 'Fn::Sub') {
        const [text, vars] = Array.isArray(v) ? [v[0] as string, (v[1] ?? {}) as Record<string, Json>] : [v as string, {}];
        for (const name of subVariables(text)) {
          if (name in vars) continue;
          refs.push({ kind: 'Sub', name: name.startsWith('AWS::') ? name : name.split('.')[0]!, where: at });
        }
      }
      scan(v, at);
    }
  };
  for (const [id, res] of Object.entries(template.Resources as Record<string, Json>)) {
    if (res.Condition) refs.push({ kind: 'Condition', name: res.Condition, where: `Resources.${id}` });
    for (const d of [res.DependsOn ?? []].flat()) refs.push({ kind: 'DependsOn', name: d, where: `Resources.${id}` });
    scan(res.Properties ?? {}, `Resources.${id}.Properties`);
  }
  for (const [id, out] of Object.entries((template.Outputs ?? {}) as Record<string, Json>)) {
    if (out.Condition) refs.push({ kind: 'Condition', name: out.Condition, where: `Outputs.${id}` });
    scan(out.Value, `Outputs.${id}.Value`);
  }
  scan(template.Globals ?? {}, 'Globals');
  scan(template.Conditions ?? {}, 'Conditions');
  return refs;
}

export const NO_VALUE = Symbol('AWS::NoValue');

/** Evaluates a node for the given parameter values (defaults filled in by the caller). */
export function evaluate(template: Json, node: Json, params: Record<string, string>): Json {
  const cond = (name: string): boolean => {
    const expr = template.Conditions?.[name];
    if (expr === undefined) throw new Error(`no condition ${name}`);
    return Boolean(evaluate(template, expr, params));
  };
  const ev = (n: Json): Json => evaluate(template, n, params);
  if (Array.isArray(node)) return node.map(ev).filter((v) => v !== NO_VALUE);
  if (!isObj(node)) return node;
  const keys = Object.keys(node);
  if (keys.length === 1) {
    const [k] = keys as [string];
    const v = node[k];
    switch (k) {
      case 'Ref':
        if (v === 'AWS::NoValue') return NO_VALUE;
        if (v in params) return params[v];
        return node;
      case 'Condition':
        return cond(v);
      case 'Fn::If':
        return ev(cond(v[0]) ? v[1] : v[2]);
      case 'Fn::Equals':
        return String(ev(v[0])) === String(ev(v[1]));
      case 'Fn::Not':
        return !ev(v[0]);
      case 'Fn::And':
        return v.every((x: Json) => ev(x));
      case 'Fn::Or':
        return v.some((x: Json) => ev(x));
      case 'Fn::Split': {
        const s = ev(v[1]);
        return typeof s === 'string' ? s.split(v[0]) : node;
      }
      case 'Fn::Select': {
        const list = ev(v[1]);
        return Array.isArray(list) ? list[Number(ev(v[0]))] : node;
      }
      case 'Fn::FindInMap': {
        const [m, a, b] = v.map(ev);
        return template.Mappings[m][String(a)][String(b)];
      }
    }
  }
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(node)) {
    const e = ev(v);
    if (e !== NO_VALUE) out[k] = e;
  }
  return out;
}

/** Parameter values: the template's defaults, overridden by `values`. */
export function parameterValues(template: Json, values: Record<string, string | number> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, p] of Object.entries(template.Parameters as Record<string, Json>)) {
    if (p.Default !== undefined) out[name] = String(p.Default);
  }
  for (const [k, v] of Object.entries(values)) out[k] = String(v);
  return out;
}
