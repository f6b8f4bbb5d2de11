// Device-upgrade events, at most one per plan per window. A campaign changes a plan's upgrades
// in thousands of small batches (a turn of the event loop each); one event row per batch cost a
// write statement per batch, and the stream only polls every half second anyway. The first
// batch of a plan in a quiet moment writes its event in its own transaction, as before; later
// batches within `windowMs` are held here and written together, one row per plan, when the
// window ends (one timer for all plans). A hint held when the process dies is lost: the
// console polls while its stream is down, and the plan's next change is told anyway.
import { maxIdsPerEvent, type NewLiveEvent } from './live-event-store.ts';

export interface UpgradeEventCoalescer {
  /** Of a batch's device-upgrade events (one per plan): those to write in its transaction now. */
  admit(events: readonly NewLiveEvent[]): NewLiveEvent[];
  /** Writes what is held now (at close). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

interface Held {
  /** When this plan's window ends (monotonic ms). */
  until: number;
  /** Upgrades changed since the window opened and not yet told (null: none), with the latest `at`. */
  ids: Set<number> | null;
  /** The upgrade writes they made (an upgrade may change twice in a window). */
  count: number;
  at: number;
}

export function createUpgradeEventCoalescer({
  append,
  windowMs = 500,
  monotonic = () => performance.now(),
  onError,
}: {
  /** Writes events in a transaction of their own. */
  append: (events: readonly NewLiveEvent[]) => Promise<void>;
  windowMs?: number;
  monotonic?: () => number;
  onError?: (error: unknown) => void;
}): UpgradeEventCoalescer {
  const plans = new Map<number, Held>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let writing: Promise<void> = Promise.resolve();

  function idsOf(event: NewLiveEvent): number[] {
    const ids = event.data['upgradeIds'];
    return Array.isArray(ids) ? (ids as number[]) : [];
  }

  function arm(): void {
    if (timer || closed || plans.size === 0) return;
    let next = Number.POSITIVE_INFINITY;
    for (const held of plans.values()) next = Math.min(next, held.until);
    timer = setTimeout(
      () => {
        timer = undefined;
        void tick();
      },
      Math.max(0, next - monotonic()),
    );
    timer.unref();
  }

  /** The held events of the plans whose window ended (all with `everything`); quiet plans are forgotten. */
  function due(everything: boolean): NewLiveEvent[] {
    const at = monotonic();
    const events: NewLiveEvent[] = [];
    for (const [planId, held] of plans) {
      if (!everything && held.until > at) continue;
      if (held.ids === null) {
        plans.delete(planId);
        continue;
      }
      const ids = [...held.ids];
      events.push({
        at: held.at,
        kind: 'device_upgrade',
        planId,
        data: { planId, upgradeIds: ids.slice(0, maxIdsPerEvent), count: Math.max(held.count, ids.length) },
      });
      // A new window: what changes next is held again, one row per window while the plan is busy.
      plans.set(planId, { until: at + windowMs, ids: null, count: 0, at: 0 });
    }
    return events;
  }

  function write(events: NewLiveEvent[]): Promise<void> {
    if (events.length === 0) return writing;
    writing = writing.then(() => append(events)).catch((error: unknown) => onError?.(error));
    return writing;
  }

  async function tick(): Promise<void> {
    await write(due(false));
    arm();
  }

  return {
    admit(events) {
      if (closed) return [...events];
      const now: NewLiveEvent[] = [];
      const at = monotonic();
      for (const event of events) {
        const planId = event.planId;
        const held = planId === null ? undefined : plans.get(planId);
        if (planId === null || !held || held.until <= at) {
          if (planId !== null) plans.set(planId, { until: at + windowMs, ids: null, count: 0, at: 0 });
          now.push(event);
          continue;
        }
        held.ids ??= new Set();
        for (const id of idsOf(event)) held.ids.add(id);
        held.count += Number(event.data['count'] ?? 0);
        held.at = Math.max(held.at, event.at);
      }
      arm();
      return now;
    },
    flush: () => write(due(true)),
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await write(due(true));
      plans.clear();
    },
  };
}
