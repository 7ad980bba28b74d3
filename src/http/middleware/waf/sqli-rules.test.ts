import { describe } from 'node:test';
import { sqliRules } from './sqli-rules.js';
import { runRuleCases } from './rule-cases.js';

describe('WAF rules: sqli', () => runRuleCases(sqliRules));
