// Fans live events out to this instance's event-stream clients. Events reach the database from
// any instance (in the transaction of their change); each instance polls the table by id while
// it has clients, so a change made anywhere reaches every console. On PostgreSQL ids are handed
// out before commit, so a smaller id can become visible after a larger one: a missing id holds
// the poll's floor back for `gapGraceMs` of monotonic time (then it is taken as a rolled-back
// transaction's).
import type { LiveEvent, LiveEventStore } from './live-event-store.ts';

export type LiveListener = (event: LiveEvent) => void;

export interface LiveFeed {
  /**
   * Listens from now on. With `after` (a Last-Event-ID), the events since are given first;
   * `reset` is true when some of them are gone already (older than the kept hour): reload all.
   */
  subscribe(
    listener: LiveListener,
    after?: number,
  ): Promise<{ unsubscribe(): void; reset: boolean; latestId: number }>;
  /** Clients listening on this instance. */
  listeners(): number;
  /** Deletes events older than the kept hour, at most every 10 minutes (a scheduler step). */
  purgeIfDue(): Promise<number>;
  close(): void;
}

export function createLiveFeed({
  store,
  now,
  pollMs = 500,
  gapGraceMs = 5000,
  keepMs = 3600_000,
}: {
  store: LiveEventStore;
  now: () => number;
  pollMs?: number;
  gapGraceMs?: number;
  keepMs?: number;
}): LiveFeed {
  const listeners = new Set<LiveListener>();
  /** Every id at or below the floor has been dispatched or given up on. */
  let floor: number | null = null;
  const seen = new Set<number>();
  const gaps = new Map<number, number>();
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;
  let nextPurge = 0;

  async function poll(): Promise<void> {
    let settled = floor ?? (await store.latestId());
    const events = await store.after(settled, 1000);
    for (const event of events) {
      if (seen.has(event.id)) continue;
      seen.add(event.id);
      gaps.delete(event.id);
      for (const listener of listeners) listener(event);
    }
    // Move the floor over what is settled: seen ids, and gaps older than the grace.
    const top = Math.max(settled, ...seen);
    const at = performance.now();
    while (settled < top) {
      const next: number = settled + 1;
      if (seen.has(next)) seen.delete(next);
      else {
        const since = gaps.get(next) ?? at;
        gaps.set(next, since);
        if (at - since < gapGraceMs) break;
        gaps.delete(next);
      }
      settled = next;
    }
    floor = settled;
  }

  function schedule(): void {
    if (listeners.size === 0 || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      polling = poll()
        .catch(() => {
          // The database is away for a moment: the next poll tries again (readyz says so).
        })
        .finally(() => {
          polling = undefined;
          schedule();
        });
    }, pollMs);
  }

  return {
    async subscribe(listener, after) {
      let reset = false;
      const latestId = await store.latestId();
      if (after !== undefined && after < latestId) {
        const oldest = await store.oldestId();
        reset = oldest === null || oldest > after + 1;
        // What happened since the client's last event (at most 1000; more is a reset).
        const missed = await store.after(after, 1000);
        if (missed.length === 1000) reset = true;
        for (const event of missed) listener(event);
      }
      if (listeners.size === 0 && !polling) {
        floor = latestId;
        seen.clear();
        gaps.clear();
      }
      listeners.add(listener);
      schedule();
      return {
        unsubscribe() {
          listeners.delete(listener);
          if (listeners.size === 0 && timer) {
            clearTimeout(timer);
            timer = undefined;
          }
        },
        reset,
        latestId,
      };
    },
    listeners: () => listeners.size,
    async purgeIfDue() {
      const at = now();
      if (at < nextPurge) return 0;
      nextPurge = at + 600_000;
      return store.deleteBefore(at - keepMs);
    },
    close() {
      listeners.clear();
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
