// The plan report's schema: counts, per component, progress, failure reasons, what awaits
// confirmation, the history a retry does not wipe, and completions over time.
import { Type } from '@sinclair/typebox';
import { componentStatuses } from '@updraft/core';
import { waveStates } from '../../../modules/plans/plan-waves.ts';
import { Timestamp } from '../schemas.ts';

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

import { Counts, Summary } from './plan-schemas.ts';

const ComponentCounts = Type.Object(Object.fromEntries(componentStatuses.map((s) => [s, Type.Integer()])));

export const Report = Type.Object({
  counts: Counts,
  components: Type.Array(
    Type.Object({
      index: Type.Integer(),
      module: Type.String(),
      targetVersion: Type.String(),
      counts: ComponentCounts,
    }),
    { description: 'Devices per state of each component, in upgrade order' },
  ),
  waves: Type.Array(Type.Object({ index: Type.Integer(), state: literals(waveStates), counts: Counts }), {
    description: 'Devices per status of each wave, in order; empty for a plan of one wave',
  }),
  summary: Summary,
  outcomes: Type.Object(
    {
      upgraded: Type.Integer({ description: 'Successes in which the device took at least one component' }),
      noUpdateRequired: Type.Integer({
        description:
          "Successes of devices that already ran every component's target: nothing was offered (Quectel's No Update Required)",
      }),
    },
    { description: 'counts.success split: devices upgraded, and devices that needed no update' },
  ),
  progressBuckets: Type.Array(Type.Integer(), { description: '10 buckets of upgrading devices by progress' }),
  failureReasons: Type.Array(Type.Object({ reason: Type.String(), count: Type.Integer() })),
  refusals: Type.Object(
    {
      devices: Type.Integer({ description: 'Devices that refused the offer at least once' }),
      total: Type.Integer({ description: 'Refusals in all' }),
      waiting: Type.Integer({ description: 'Devices waiting out the rejection period now' }),
    },
    { description: 'Refusals of a silent plan’s offer; each is offered again after the rejection period' },
  ),
  awaitingConfirmation: Type.Integer({
    description: 'Unfinished devices awaiting the confirmation of a manual plan',
  }),
  history: Type.Object(
    {
      devicesFailed: Type.Integer({
        description: 'Devices that failed at least once (retried ones included)',
      }),
      failedAttempts: Type.Integer({ description: 'Failed attempts in all, retried ones included' }),
      firstAttemptSuccesses: Type.Integer({ description: 'Devices that succeeded on their first attempt' }),
      firstAttemptSuccessRate: Type.Union([Type.Number(), Type.Null()], {
        description: 'First-attempt successes over decided devices (success + failure); null before any',
      }),
      failureReasons: Type.Array(Type.Object({ reason: Type.String(), count: Type.Integer() }), {
        description: 'Why devices failed, retried ones included (their latest failure)',
      }),
    },
    { description: 'The rollout as it happened: a retry does not wipe it' },
  ),
  completions: Type.Array(
    Type.Object({
      at: Timestamp,
      success: Type.Integer(),
      failure: Type.Integer(),
      cancelled: Type.Integer(),
    }),
  ),
});
