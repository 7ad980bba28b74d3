import { commandInjectionRules } from './command-injection-rules.js';
import { commonRules } from './common-rules.js';
import { knownBadInputsRules } from './known-bad-inputs-rules.js';
import { questionRules } from './question-rules.js';
import { sqliRules } from './sqli-rules.js';
import { decodedVariants } from './waf-decode.js';
import type { InspectedValue, WafPart, WafRule } from './waf-rule.js';

export const ALL_RULES: readonly WafRule[] = [...commonRules, ...knownBadInputsRules, ...sqliRules, ...commandInjectionRules, ...questionRules];

export interface WafMatch {
  rule: string;
  part: WafPart;
  name: string;
}

/** Size limits (AWS SizeRestrictions_*): generous for people, tight for fuzzers and smuggling. */
export const SIZE_LIMITS = { path: 2048, query: 4096, headerValue: 8192, headersTotal: 32_768 } as const;

export function sizeViolation(req: { path: string; query: string; headers: [string, string][] }): WafMatch | null {
  if (req.path.length > SIZE_LIMITS.path) return { rule: 'common.size_restrictions_path', part: 'path', name: '' };
  if (req.query.length > SIZE_LIMITS.query) return { rule: 'common.size_restrictions_query', part: 'query', name: '' };
  let total = 0;
  for (const [name, value] of req.headers) {
    total += name.length + value.length + 4;
    if (value.length > SIZE_LIMITS.headerValue) return { rule: 'common.size_restrictions_header', part: 'header', name };
  }
  if (total > SIZE_LIMITS.headersTotal) return { rule: 'common.size_restrictions_header', part: 'header', name: '' };
  return null;
}

/** The rules that look at a part, computed once. */
const byPart = new Map<WafPart, WafRule[]>();
for (const rule of ALL_RULES) for (const part of rule.inspects) byPart.set(part, [...(byPart.get(part) ?? []), rule]);

/**
 * Verdicts of the built-in rules on values seen before: a client sends the same headers (host, user
 * agent, accept...) and often the same question on every request, and the rules are pure functions
 * of (part, name, value), so the answer is the same. Short values only; bounded (starts over when full).
 */
const VERDICT_MAX_VALUE = 1024;
const VERDICT_MAX_ENTRIES = 5_000;
const verdicts = new Map<string, string | null>();

function firstBrokenRule(value: InspectedValue, applicable: readonly WafRule[]): string | null {
  const variants = value.part === 'method' ? [value.value] : decodedVariants(value.value);
  for (const rule of applicable) if (rule.matches(variants, value)) return rule.id;
  return null;
}

/** The first rule any value breaks, or null. Each value is decoded once for all of its rules. */
export function inspectValues(values: Iterable<InspectedValue>, rules: ReadonlyMap<WafPart, WafRule[]> = byPart): WafMatch | null {
  for (const value of values) {
    const applicable = rules.get(value.part);
    if (!applicable || applicable.length === 0) continue;
    let broken: string | null | undefined;
    if (rules === byPart && value.value.length <= VERDICT_MAX_VALUE) {
      const key = `${value.part}\0${value.name}\0${value.value}`;
      broken = verdicts.get(key);
      if (broken === undefined) {
        broken = firstBrokenRule(value, applicable);
        if (verdicts.size >= VERDICT_MAX_ENTRIES) verdicts.clear();
        verdicts.set(key, broken);
      }
    } else broken = firstBrokenRule(value, applicable);
    if (broken !== null) return { rule: broken, part: value.part, name: value.name };
  }
  return null;
}
