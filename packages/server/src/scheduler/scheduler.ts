// The scheduler: one loop over stored state, never a timer per plan or per device. Each tick
// walks the live plans; a plan's step runs under its database lease (one instance at a time)
// and every device-level claim locks its rows, so several server processes on one database
// never do a step twice. After a crash, the next tick (here or on another instance, once the
// lease has expired) carries on from what is stored. An owner that is the same after a restart
// (the instance's host and port) takes back at once the leases its killed predecessor held.
import { randomUUID } from 'node:crypto';

/** What the scheduler drives (the plan service fits). */
export interface SchedulerWork {
  livePlanIds(): Promise<number[]>;
  tickPlan(id: number, owner: string, leaseMs: number): Promise<void>;
}

export interface SchedulerOptions {
  work: SchedulerWork;
  /**
   * Who holds leases: unique among the live processes; the same after a restart of one instance,
   * so that it takes back the leases a crash left (read when the loop starts or ticks).
   */
  owner?: string | (() => string);
  intervalMs?: number;
  leaseMs?: number;
  /** Other idempotent steps run once per tick after the plans (e.g. webhook deliveries). */
  steps?: readonly (() => Promise<unknown>)[];
  /** planId is 0 for errors outside a plan's step. */
  onError?: (error: unknown, planId: number) => void;
  /** After each pass of the loop: how late it started against its interval, how long it ran (ms). */
  onPass?: (lagMs: number, durationMs: number) => void;
}

export interface Scheduler {
  /** The owner of this process's leases. */
  owner(): string;
  /** One pass over every live plan. */
  tick(): Promise<void>;
  start(): void;
  /** Stops the loop and waits for a running tick. */
  stop(): Promise<void>;
}

export function createScheduler({
  work,
  owner: ownerOption = `scheduler-${randomUUID()}`,
  intervalMs = 1000,
  leaseMs = 60_000,
  steps = [],
  onError = () => {},
  onPass = () => {},
}: SchedulerOptions): Scheduler {
  let owner: string | undefined;
  const ownerOf = () => {
    owner ??= typeof ownerOption === 'function' ? ownerOption() : ownerOption;
    return owner;
  };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;
  /** When the next pass is due (performance.now()), for its lag. */
  let due = 0;

  async function tick(): Promise<void> {
    for (const id of await work.livePlanIds()) {
      try {
        await work.tickPlan(id, ownerOf(), leaseMs);
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
    const started = performance.now();
    running = tick()
      .catch((error) => onError(error, 0))
      .finally(() => {
        running = undefined;
        const ended = performance.now();
        onPass(Math.max(0, started - due), ended - started);
        due = ended + intervalMs;
        if (!stopped) timer = setTimeout(loop, intervalMs);
      });
  }

  return {
    owner: ownerOf,
    tick,
    start() {
      if (!stopped) return;
      stopped = false;
      due = performance.now();
      timer = setTimeout(loop, 0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
