import { describe } from 'node:test';
import { commonRules } from './common-rules.js';
import { runRuleCases } from './rule-cases.js';

describe('WAF rules: common', () => runRuleCases(commonRules));
