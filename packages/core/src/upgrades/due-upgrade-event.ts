import type { ScheduledAction, SchedulerEvent, UpgradeState } from './upgrade-state.ts';

const eventFor: Record<ScheduledAction, SchedulerEvent> = {
  push: { type: 'pushed' },
  retry: { type: 'retry_due' },
  repush: { type: 'repush_due' },
  timeout: { type: 'timeout_elapsed' },
  // The rejection period is over: the record is pushed again like a new one.
  reoffer: { type: 'pushed' },
  health: { type: 'health_window_elapsed' },
};

/**
 * The event the scheduler should apply to this record at `now`, or null. The scheduler claims
 * records with nextActionAt <= now through the database and applies this event; a stale or
 * duplicate claim is refused by applyUpgradeEvent (not_due / invalid_state), so the loop is
 * idempotent. 'push', 'reoffer' and 'retry' start work on a device: apply them only while the plan
 * dispatches (isPlanDispatching) and the concurrency cap has room.
 */
export function dueUpgradeEvent(state: UpgradeState, now: number): SchedulerEvent | null {
  if (state.nextAction === null || state.nextActionAt === null || state.nextActionAt > now) return null;
  return eventFor[state.nextAction];
}
