// An upgrade under way that the platform stopped hearing about is offered again (issue 21: a
// broker that acknowledged a device's last report and then dropped it, Mosquitto's
// `max_queued_messages`, left upgrades `upgrading` until the upgrade timeout failed them an hour
// later). A device sends such a report once; the re-push rule only covers `pushed` records.
//
// An `upgrading` record on its timeout timer whose device the platform has not heard of for
// `silenceMs` (two push periods) is offered the upgrade again, as a re-push offers it: a device
// that already runs the target answers with its version (success), one still downloading goes on
// and reports its next step. "Heard of" is the latest of: the record's last progress (the timeout
// timer counts from it, so `nextActionAt - upgradeTimeoutMs`), its last offer (the push, or an
// earlier re-offer) and the device's last sign of life the store knows (any request, a download
// of the upgrade's files). Nothing changes but the offer's time and the push count: the status,
// the stage and the timeout stay, so the upgrade timeout still fails a device that stays silent.
// The store selects the records by the same rule (an indexed range of the timeout timer); the
// machine decides, so a stale claim changes nothing.
import { formatTime, type Step } from './internal/upgrade-steps.ts';
import type { UpgradePolicy, UpgradeRefusal, UpgradeState } from './upgrade-state.ts';

/** Push periods without a word before an upgrade under way is offered again. */
export const silencePushPeriods = 2;

/** How long an upgrading record may go unheard before it is offered again; null when the plan never re-pushes. */
export function silenceMs(policy: Pick<UpgradePolicy, 'pushPeriodMs'>): number | null {
  return policy.pushPeriodMs === null ? null : silencePushPeriods * policy.pushPeriodMs;
}

/** The record's last progress (or start) while upgrading on its timeout timer; null otherwise. */
export function lastProgressAt(
  state: Pick<UpgradeState, 'status' | 'nextAction' | 'nextActionAt'>,
  policy: Pick<UpgradePolicy, 'upgradeTimeoutMs'>,
): number | null {
  if (state.status !== 'upgrading' || state.nextAction !== 'timeout' || state.nextActionAt === null) {
    return null;
  }
  return state.nextActionAt - policy.upgradeTimeoutMs;
}

/**
 * The last time the platform heard of the upgrade under way: its last progress, its last offer or
 * the device's last sign of life (`seenAt`), whichever is latest; null when it is not upgrading on
 * its timeout timer.
 */
export function lastHeardAt(
  state: Pick<UpgradeState, 'status' | 'nextAction' | 'nextActionAt' | 'offeredAt'>,
  policy: Pick<UpgradePolicy, 'upgradeTimeoutMs'>,
  seenAt: number | null,
): number | null {
  const progress = lastProgressAt(state, policy);
  if (progress === null) return null;
  return Math.max(progress, state.offeredAt ?? progress, seenAt ?? progress);
}

/** When the upgrade under way is to be offered again, or null when it never is (see above). */
export function silentOfferAt(
  state: Pick<UpgradeState, 'status' | 'nextAction' | 'nextActionAt' | 'offeredAt'>,
  policy: Pick<UpgradePolicy, 'upgradeTimeoutMs' | 'pushPeriodMs'>,
  seenAt: number | null,
): number | null {
  const silence = silenceMs(policy);
  const heard = lastHeardAt(state, policy, seenAt);
  return silence === null || heard === null ? null : heard + silence;
}

/** `silence_elapsed`: nothing heard of the upgrade under way for the silence, so it is offered again. */
export function onSilence(
  state: UpgradeState,
  seenAt: number | null,
  policy: UpgradePolicy,
  now: number,
): Step | { readonly refusal: UpgradeRefusal; readonly message: string } {
  const at = silentOfferAt(state, policy, seenAt);
  const heard = lastHeardAt(state, policy, seenAt);
  if (at === null || heard === null) {
    return {
      refusal: 'invalid_state',
      message: `not upgrading on a timeout timer in a plan that re-pushes (${state.status})`,
    };
  }
  if (at > now) {
    return {
      refusal: 'not_due',
      message: `heard of at ${formatTime(heard)}; offered again at ${formatTime(at)}`,
    };
  }
  const next: UpgradeState = { ...state, offeredAt: now, pushCount: state.pushCount + 1 };
  return {
    state: next,
    effects: [{ type: 'notify' }],
    message: `nothing heard since ${formatTime(heard)}; offered again (push ${next.pushCount})`,
  };
}
