// The scheduler: one loop over stored state, never a timer per plan or per device. Each tick
// walks the live plans; a plan's step runs under its database lease (one instance at a time)
// and every device-level claim locks its rows, so several server processes on one database
// never do a step twice. After a crash, the next tick (here or on another instance, once the
// lease has expired) carries on from what is stored.
import { randomUUID } from 'node:crypto';

/** What the scheduler drives (the plan service fits). */
export interface SchedulerWork {
  livePlanIds(): Promise<number[]>;
  tickPlan(id: number, owner: string, leaseMs: number): Promise<void>;
}

export interface SchedulerOptions {
  work: SchedulerWork;
  /** Who holds leases; unique per process. */
  owner?: string;
  intervalMs?: number;
  leaseMs?: number;
  /** Other idempotent steps run once per tick after the plans (e.g. webhook deliveries). */
  steps?: readonly (() => Promise<unknown>)[];
  /** planId is 0 for errors outside a plan's step. */
  onError?: (error: unknown, planId: number) => void;
}

export interface Scheduler {
  readonly owner: string;
  /** One pass over every live plan. */
  tick(): Promise<void>;
  start(): void;
  /** Stops the loop and waits for a running tick. */
  stop(): Promise<void>;
}

export function createScheduler({
  work,
  owner = `scheduler-${randomUUID()}`,
  intervalMs = 1000,
  leaseMs = 60_000,
  steps = [],
  onError = () => {},
}: SchedulerOptions): Scheduler {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;

  async function tick(): Promise<void> {
    for (const id of await work.livePlanIds()) {
      try {
        await work.tickPlan(id, owner, leaseMs);
      } catch (error) {
        // One plan's failure must not starve the others; its lease expires and it is retried.
        onError(error, id);
      }
    }
    for (const step of steps) {
      try {
        await step();
      } catch (error) {
        onError(error, 0);
      }
    }
  }

  function loop() {
    if (stopped) return;
    running = tick()
      .catch((error) => onError(error, 0))
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(loop, intervalMs);
      });
  }

  return {
    owner,
    tick,
    start() {
      if (!stopped) return;
      stopped = false;
      timer = setTimeout(loop, 0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
