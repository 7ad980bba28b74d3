import { describe } from 'node:test';
import { commandInjectionRules } from './command-injection-rules.js';
import { runRuleCases } from './rule-cases.js';

describe('WAF rules: command-injection', () => runRuleCases(commandInjectionRules));
