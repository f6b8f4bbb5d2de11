// Coalesces device events that arrive in the same turn of the event loop into one call of the
// engine's batch entry point (one transaction per module and batch instead of one per request).
// Order is kept: events of one device apply in the order they were reported.
import type { DeviceEventInput, UpgradeOutcome } from '../plans/upgrade-engine.ts';

interface Pending {
  input: DeviceEventInput;
  resolve(outcome: UpgradeOutcome): void;
  reject(error: unknown): void;
}

export function createEventBatcher(
  report: (inputs: readonly DeviceEventInput[]) => Promise<UpgradeOutcome[]>,
  maxBatch = 500,
) {
  let queue: Pending[] = [];
  let scheduled = false;

  async function flush(): Promise<void> {
    scheduled = false;
    const batch = queue;
    queue = [];
    for (let i = 0; i < batch.length; i += maxBatch) {
      const part = batch.slice(i, i + maxBatch);
      try {
        const outcomes = await report(part.map((p) => p.input));
        for (const [index, p] of part.entries()) p.resolve(outcomes[index]!);
      } catch (error) {
        for (const p of part) p.reject(error);
      }
    }
  }

  return {
    report(input: DeviceEventInput): Promise<UpgradeOutcome> {
      return new Promise((resolve, reject) => {
        queue.push({ input, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(() => void flush());
        }
      });
    },
  };
}
