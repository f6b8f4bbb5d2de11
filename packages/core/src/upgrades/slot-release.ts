// An offline device gives its place under the concurrency cap back (issue 19: devices pushed
// while offline held the plan's places for hours and the rollout stood still). A pushed record
// whose device is offline (not connected and not seen for `seenRecentlyMs`) keeps its place for
// one push period, or `slotReleaseMs` in a plan that does not push again; then, instead of being
// pushed again, it goes back to pending, due at once: behind the devices already waiting, so the
// dispatcher gives the place to one of them. The device still gets the upgrade when it comes
// back and asks, if a place is free then. The store decides "offline" from the device's row; the
// machine decides "held long enough" and "still pushed", so a stale claim changes nothing.
import type { UpgradePolicy, UpgradeState } from './upgrade-state.ts';
import { seenRecentlyMs } from './waiting-reason.ts';

/** How long an offline device's pushed record holds its place when the plan never re-pushes (30 min). */
export const slotReleaseMs = 30 * 60_000;

/** How long an offline device's pushed record holds its place: one push period, or slotReleaseMs. */
export function slotHoldMs(policy: Pick<UpgradePolicy, 'pushPeriodMs'>): number {
  return policy.pushPeriodMs ?? slotReleaseMs;
}

/** Whether a device counts as offline at `now` (the rule of the `offline` waiting reason). */
export function isDeviceOffline(
  device: { online: boolean; lastSeenAt: number | null },
  now: number,
): boolean {
  return !device.online && (device.lastSeenAt === null || now - device.lastSeenAt >= seenRecentlyMs);
}

/** The record's state after giving its place back, or null when it is not due to. */
export function releasedState(
  state: UpgradeState,
  policy: Pick<UpgradePolicy, 'pushPeriodMs'>,
  now: number,
): UpgradeState | null {
  if (state.status !== 'pushed' || state.offeredAt === null) return null;
  if (now - state.offeredAt < slotHoldMs(policy)) return null;
  return {
    ...state,
    status: 'pending',
    stage: null,
    progress: 0,
    startedAt: null,
    nextAction: 'push',
    nextActionAt: now,
  };
}
