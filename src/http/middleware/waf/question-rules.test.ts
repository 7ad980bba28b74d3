import { describe } from 'node:test';
import { questionRules } from './question-rules.js';
import { runRuleCases } from './rule-cases.js';

describe('WAF rules: question', () => runRuleCases(questionRules));
