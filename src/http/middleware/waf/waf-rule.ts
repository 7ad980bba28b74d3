/**
 * A WAF rule: one named check over some parts of a request. Families (common, known bad inputs,
 * SQL injection, command injection) live in one file each, every rule with the attacks it must stop
 * and the look-alikes it must let through (the rule-set tests run both lists).
 */

/** Where a value came from. `question` is free text only ever used as search text. */
export type WafPart =
  | 'method'
  | 'path'
  | 'query'
  | 'header'
  | 'body' // JSON string fields and multipart text fields other than the ones below
  | 'file_name' // multipart filenames and JSON file_name
  | 'url' // the URL-import `url`
  | 'question';

export interface InspectedValue {
  part: WafPart;
  /** Field, parameter or header name ('' for the path and the method). */
  name: string;
  value: string;
}

export interface WafRule {
  id: string;
  description: string;
  inspects: readonly WafPart[];
  /**
   * True when the value is an attack. `variants` are the decoded forms of the value (the raw one
   * first); most rules test each of them.
   */
  matches(variants: readonly string[], value: InspectedValue): boolean;
  /** Values (of the first part in `inspects`, unless written `part:value`) the rule must block. */
  attacks: readonly string[];
  /** Look-alikes it must let through. */
  noFire: readonly string[];
}

/** A rule matching any decoded variant against one of the patterns. */
export function patternRule(spec: Omit<WafRule, 'matches'> & { patterns: readonly RegExp[] }): WafRule {
  const { patterns, ...rest } = spec;
  return { ...rest, matches: (variants) => variants.some((v) => patterns.some((p) => p.test(v))) };
}
