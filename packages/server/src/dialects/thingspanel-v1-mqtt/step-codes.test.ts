// ThingsPanel v1's steps as canonical events: step 100 (as a number, a string or a fraction) is
// the success with the target as the device's version, as v1 has no version inform; every other
// step is read as v0.5 reads it (its table's own rows: ../thingspanel-mqtt/step-codes.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventFromThingsPanelStep } from '../thingspanel-mqtt/step-codes.ts';
import { eventFromThingsPanelV1Step } from './step-codes.ts';

describe('ThingsPanel v1 steps as canonical events', () => {
  for (const step of [100, '100', 100.4]) {
    it(`maps step ${JSON.stringify(step)} to success that sets the target version`, () => {
      assert.deepEqual(eventFromThingsPanelV1Step(step, 'done'), {
        type: 'succeeded',
        setsTargetVersion: true,
      });
    });
  }

  it('maps every other step as v0.5 does', () => {
    const steps: (string | number)[] = ['abc', '', 0, 101, 99.9, '-2', ' 7 '];
    for (let step = -6; step <= 99; step++) steps.push(step, String(step));
    for (const step of steps) {
      assert.deepEqual(
        eventFromThingsPanelV1Step(step, 'why'),
        eventFromThingsPanelStep(step, 'why'),
        JSON.stringify(step),
      );
    }
  });
});
