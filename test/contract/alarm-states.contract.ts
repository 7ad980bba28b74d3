import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { AlarmStateStore } from '../../src/core/ports/alarm-states.js';

export type AlarmStatesFactory = () => Promise<{ states: AlarmStateStore; cleanup?: () => Promise<void> | void }>;

export function alarmStatesContract(name: string, make: AlarmStatesFactory): void {
  describe(`AlarmStateStore contract: ${name}`, () => {
    let states: AlarmStateStore;
    let cleanup: (() => Promise<void> | void) | undefined;
    beforeEach(async () => ({ states, cleanup } = await make()));
    afterEach(async () => cleanup?.());

    it('creates a record once, then moves it only from the state it is in (compare-and-set)', async () => {
      const raised = { name: 'ErrorRateThreshold', state: 'alarm' as const, since: '2025-03-10T12:01:00.000Z', value: 40 };
      assert.equal(await states.transition(null, raised), true);
      assert.equal(await states.transition(null, { ...raised, since: 'later' }), false, 'a second "first" loses');
      assert.deepEqual(await states.list(), [raised]);
      const cleared = { name: 'ErrorRateThreshold', state: 'ok' as const, since: '2025-03-10T12:09:00.000Z', value: 0 };
      assert.equal(await states.transition('ok', cleared), false, 'not in ok');
      assert.equal(await states.transition('alarm', cleared), true);
      assert.equal(await states.transition('alarm', { ...cleared, since: 'again' }), false, 'another process already cleared it');
      assert.deepEqual(await states.list(), [cleared]);
    });

    it('keeps alarms apart, sorted by name; a null value stays null', async () => {
      await states.transition(null, { name: 'LatencyThreshold', state: 'insufficient_data', since: 't1', value: null });
      await states.transition(null, { name: 'DailyCostThreshold', state: 'ok', since: 't2', value: 1.5 });
      assert.deepEqual(await states.list(), [
        { name: 'DailyCostThreshold', state: 'ok', since: 't2', value: 1.5 },
        { name: 'LatencyThreshold', state: 'insufficient_data', since: 't1', value: null },
      ]);
    });
  });
}
