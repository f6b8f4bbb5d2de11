// A plan's waves (issue 18, docs/adr/0018-waves-health-rollback.md): their assignment at the end
// of the enrolment sweep, the scheduler's wave step (core dueWaveAction), the operator's
// approval at a manual gate, the count per wave before publishing, and the progress per wave.
import {
  applyWaveAction,
  dueWaveAction,
  emptyUpgradeCounts,
  UpdraftError,
  type UpgradeCounts,
  type WaveProgress,
} from '@updraft/core';
import type { PlanLifecycle } from './plan-lifecycle.ts';
import type { PlanServiceOptions } from './plan-service-options.ts';
import type { Plan, WaveEvent } from './plan-store.ts';
import { countsPerWave } from './wave-assignment.ts';

const system = 'system';

export const waveStates = ['waiting', 'rolling', 'halted', 'soaking', 'gated', 'completed'] as const;
/** A wave's state as the views show it: before the one under way completed, after it waiting. */
export type WaveState = (typeof waveStates)[number];

export function waveStateOf(plan: Plan, index: number): WaveState {
  if (index < plan.wave.index) return 'completed';
  if (index > plan.wave.index) return 'waiting';
  return plan.wave.phase;
}

export function createPlanWaves(
  { plans, upgrades, clock }: PlanServiceOptions,
  { getPlan, act }: Pick<PlanLifecycle, 'getPlan' | 'act'>,
) {
  async function countsByWave(plan: Plan): Promise<UpgradeCounts[]> {
    return countsPerWave(await upgrades.waveGroups(plan.id), plan.spec.waves?.length ?? 1);
  }

  /** Moves the plan's wave progress by an action other than a halt, with its webhook events. */
  async function move(plan: Plan, to: WaveProgress, events: WaveEvent[]): Promise<boolean> {
    return plans.moveWave(plan.id, plan.status, plan.wave, to, events);
  }

  return {
    countsByWave,

    /** The scheduler's wave step for a running plan whose waves are assigned; true when it moved. */
    async stepWaves(plan: Plan): Promise<boolean> {
      const waves = plan.spec.waves;
      if (plan.status !== 'running' || waves === undefined || waves.length <= 1 || !plan.wavesAssigned) {
        return false;
      }
      const now = clock.now();
      const counts = (await countsByWave(plan))[plan.wave.index] ?? emptyUpgradeCounts();
      const action = dueWaveAction(waves, plan.wave, counts, now);
      if (action === null) return false;
      const to = applyWaveAction(plan.wave, action);
      const at = plan.wave.index;
      if (action.type === 'halt') {
        return act(plan, 'auto_pause', system, {
          reason: action.reason,
          quiet: true,
          patch: {
            wave: to,
            waveEvents: [{ type: 'wave.halted', wave: at, at: now, reason: action.reason }],
          },
        });
      }
      const events: WaveEvent[] =
        action.type === 'soak'
          ? []
          : action.type === 'gate'
            ? [{ type: 'wave.completed', wave: at, at: now }]
            : [
                { type: 'wave.completed', wave: at, at: now },
                { type: 'wave.started', wave: at + 1, at: now },
              ];
      return move(plan, to, events);
    },

    /** Opens the next wave of a plan waiting at a manual gate. */
    async approveWave(id: number, actor: string): Promise<Plan> {
      const plan = await getPlan(id);
      const waves = plan.spec.waves ?? [];
      if (plan.wave.phase !== 'gated' || plan.wave.index >= waves.length - 1) {
        throw new UpdraftError(
          'PLAN_WAVE_NOT_GATED',
          `plan ${id} is not waiting at a manual gate (wave ${plan.wave.index + 1} is ${plan.wave.phase})`,
          { wave: plan.wave.index, phase: plan.wave.phase, actor },
        );
      }
      const next = { index: plan.wave.index + 1, phase: 'rolling' as const, until: null };
      const started: WaveEvent = {
        type: 'wave.started',
        wave: next.index,
        at: clock.now(),
        reason: `approved by ${actor}`,
      };
      if (!(await move(plan, next, [started]))) {
        throw new UpdraftError('PLAN_WAVE_NOT_GATED', `plan ${id} changed meanwhile`, {
          wave: plan.wave.index,
        });
      }
      return getPlan(id);
    },
  };
}

export type PlanWaves = ReturnType<typeof createPlanWaves>;
