// What a fuzz run counts and what it found. A finding is an input that broke a rule: a 5xx, a
// crash, a refusal without a code, a refused input that changed state, memory that kept growing.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface Finding {
  target: string;
  rule: string;
  input: string;
}

export class FuzzReport {
  readonly counts = new Map<string, number>();
  readonly findings: Finding[] = [];

  count(key: string, n = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }

  find(target: string, rule: string, input: unknown): void {
    // Keep the first few of each kind: one is enough to reproduce, thousands drown the log.
    if (this.findings.filter((f) => f.target === target && f.rule === rule).length >= 5) return;
    const text =
      typeof input === 'string'
        ? input
        : JSON.stringify(input, (_k, v) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v));
    this.findings.push({ target, rule, input: text.slice(0, 600) });
  }

  lines(): string[] {
    const keys = [...this.counts.keys()].sort();
    return [...keys.map((k) => `${k}=${this.counts.get(k)}`), `findings=${this.findings.length}`];
  }
}

/** How long one batch may take before the run stops with an error instead of waiting for good. */
export const batchLimitMs = 60_000;

/**
 * Runs `step` in batches until `budgetMs` has passed; returns how many batches ran. A batch that
 * does not finish within `batchLimitMs` (a request or connection that never settles) throws.
 */
export async function forBudget(
  target: string,
  budgetMs: number,
  step: (batch: number) => Promise<void>,
): Promise<number> {
  const end = performance.now() + budgetMs;
  let batch = 0;
  while (performance.now() < end) {
    const n = batch++;
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`fuzz target ${target}: batch ${n} did not finish within ${batchLimitMs} ms`)),
        batchLimitMs,
      );
    });
    try {
      await Promise.race([step(n), hung]);
    } finally {
      clearTimeout(timer);
    }
  }
  return batch;
}

/** A full garbage collection: the runner's --expose-gc, or the flag set now. */
function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Heap in use after a full collection. */
export function heapAfterGc(): number {
  const gc = collector();
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * The console's "not built yet" page (503 at `/…` until `npm run build:console`): a deliberate
 * answer, not a server fault. `npm test` runs on a fresh clone, where the build may not exist yet.
 */
export function isConsoleNotBuilt(res: { statusCode: number; body: string }): boolean {
  return res.statusCode === 503 && res.body.includes('The web console is not built yet');
}
