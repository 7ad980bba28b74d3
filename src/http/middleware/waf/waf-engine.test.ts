import assert from 'node:assert/strict';
import { it } from 'node:test';
import { inspectValues } from './waf-engine.js';
import type { InspectedValue } from './waf-rule.js';

it('remembered verdicts are the rules’ own: an attack is blocked every time, a legitimate value passes every time', () => {
  const attack: InspectedValue = { part: 'query', name: 'id', value: "1' OR '1'='1" };
  const fine: InspectedValue = { part: 'header', name: 'accept', value: 'application/json' };
  const question: InspectedValue = { part: 'question', name: 'question', value: 'How do I run ip link set eth0 up && ping 8.8.8.8?' };
  const first = inspectValues([fine, attack]);
  assert.ok(first, 'the injection is caught');
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(inspectValues([fine, attack]), first);
    assert.equal(inspectValues([fine, question]), null);
  }
  // The same text under another name or part is judged on its own (the key is part, name and value).
  const asQuestion = inspectValues([{ part: 'question', name: 'question', value: attack.value }]);
  const asBody = inspectValues([{ part: 'body', name: 'id', value: attack.value }]);
  assert.ok(asBody, 'an injection in a body field is caught');
  assert.notDeepEqual(asQuestion, asBody);
});
