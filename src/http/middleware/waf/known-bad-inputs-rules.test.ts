import { describe } from 'node:test';
import { knownBadInputsRules } from './known-bad-inputs-rules.js';
import { runRuleCases } from './rule-cases.js';

describe('WAF rules: known-bad-inputs', () => runRuleCases(knownBadInputsRules));
