import assert from 'node:assert/strict';
import { it } from 'node:test';
import { decodedVariants } from './waf-decode.js';
import type { InspectedValue, WafRule } from './waf-rule.js';

/** Runs a rule family's own cases: every attack matches (as the first part the rule inspects), no look-alike does. */
export function runRuleCases(rules: readonly WafRule[]): void {
  for (const rule of rules) {
    const asValue = (value: string): InspectedValue => ({ part: rule.inspects[0]!, name: rule.inspects[0] === 'header' ? 'user-agent' : 'field', value });
    const hits = (value: string) => rule.matches(rule.inspects[0] === 'method' ? [value] : decodedVariants(value), asValue(value));
    it(`${rule.id}: blocks its ${rule.attacks.length} attacks and lets its ${rule.noFire.length} look-alikes through`, () => {
      assert.ok(rule.attacks.length > 0 && rule.noFire.length > 0, 'every rule has attack and no-fire cases');
      for (const a of rule.attacks) assert.ok(hits(a), `${rule.id} should block ${JSON.stringify(a.slice(0, 120))}`);
      for (const n of rule.noFire) assert.ok(!hits(n), `${rule.id} should let through ${JSON.stringify(n)}`);
    });
  }
}
