// ThingsPanel v1's progress `step` (protocols.md §1.5) as canonical events: v0.5's table
// (../thingspanel-mqtt/step-codes.ts, the same steps) with one row of its own. v1 has no version
// inform (§1.1): step 100 is the success, and the device's version becomes the upgrade's target
// then (ADR 0014; docs/mqtt.md, "What counts as success"). step-codes.test.ts: a test per row.
import type { CanonicalEvent } from '../../modules/device-access/device-access.ts';
import { eventFromThingsPanelStep } from '../thingspanel-mqtt/step-codes.ts';

export function eventFromThingsPanelV1Step(step: string | number, desc?: string): CanonicalEvent | null {
  const event = eventFromThingsPanelStep(step, desc);
  if (event?.type === 'progress' && event.percent === 100)
    return { type: 'succeeded', setsTargetVersion: true };
  return event;
}
