// Coalesces work that arrives in the same turn of the event loop into one call of a batch entry
// point: device events into the engine (one transaction per module and batch instead of one per
// request), download tokens into their table. Order is kept: items apply in the order given.
import type { DeviceEventInput, UpgradeOutcome } from '../plans/upgrade-engine-contract.ts';

interface Pending<I, O> {
  input: I;
  resolve(outcome: O): void;
  reject(error: unknown): void;
}

export function createEventBatcher<I = DeviceEventInput, O = UpgradeOutcome>(
  report: (inputs: readonly I[]) => Promise<O[]>,
  maxBatch = 500,
) {
  let queue: Pending<I, O>[] = [];
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
    report(input: I): Promise<O> {
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
