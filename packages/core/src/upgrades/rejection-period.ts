// The effective period of a rejection (Quectel's "effective period for push rejection",
// protocols.md §3.1, 10 to 1,440 minutes, 120 by default): a device that refuses a silent plan's
// offer (Quectel status 3 REFUSEDOTA, the SDK's defer) is not failed; its record goes back to
// pending with a `reoffer` timer at the end of the period, and neither a push nor its own check
// offers it the upgrade before then. The device's refusals are counted on the record.
//
// Small on purpose: the device APIs (refusals through HTTP and MQTT) and the end-user API read
// the same rule from here.
import type { UpgradePolicy, UpgradeState } from './upgrade-state.ts';

/** When the record will be offered again after a refusal, or null when it is not waiting. */
export function reofferAt(
  state: Pick<UpgradeState, 'status' | 'nextAction' | 'nextActionAt'>,
): number | null {
  return state.status === 'pending' && state.nextAction === 'reoffer' ? state.nextActionAt : null;
}

/** Whether the record waits out a rejection period at `now` (nothing is offered until then). */
export function isWaitingAfterRefusal(
  state: Pick<UpgradeState, 'status' | 'nextAction' | 'nextActionAt'>,
  now: number,
): boolean {
  const at = reofferAt(state);
  return at !== null && at > now;
}

/** The state after a refusal of a silent plan's offer at `now`: pending until the period is over. */
export function refusedState(
  state: UpgradeState,
  policy: Pick<UpgradePolicy, 'rejectionPeriodMs'>,
  now: number,
): UpgradeState {
  return {
    ...state,
    status: 'pending',
    stage: null,
    progress: 0,
    startedAt: null,
    refusals: state.refusals + 1,
    nextAction: 'reoffer',
    nextActionAt: now + policy.rejectionPeriodMs,
  };
}
