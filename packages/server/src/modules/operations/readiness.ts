// GET /readyz: is this instance able to serve? Each dependency is probed for real (a query, a
// blob written, read back and deleted, the broker connection) under a time limit, all at once,
// and the answer names each part that failed. GET /healthz only says the process answers.
import { UpdraftError } from '@updraft/core';

/** One dependency: resolves when it works, throws (or rejects) saying why when it does not. */
export interface ReadinessProbe {
  name: string;
  probe(): Promise<void>;
}

export interface ProbeResult {
  ok: boolean;
  /** Why it failed (the error's message), absent when ok. */
  error?: string;
  ms: number;
}

export interface Readiness {
  /** Every probe's result; throws NOT_READY (503) naming the parts that failed. */
  check(): Promise<Record<string, ProbeResult>>;
}

async function run(probe: ReadinessProbe, timeoutMs: number): Promise<ProbeResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([probe.probe(), timeout]);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: message || 'failed', ms: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}

export function createReadiness(probes: readonly ReadinessProbe[], timeoutMs = 3000): Readiness {
  return {
    async check() {
      const results = await Promise.all(probes.map((p) => run(p, timeoutMs)));
      const checks = Object.fromEntries(probes.map((p, i) => [p.name, results[i]!]));
      const failed = probes.filter((_, i) => !results[i]!.ok).map((p) => p.name);
      if (failed.length > 0) {
        const reasons = failed.map((name) => `${name}: ${checks[name]!.error}`).join('; ');
        throw new UpdraftError('NOT_READY', `not ready: ${reasons}`, { failed, checks });
      }
      return checks;
    },
  };
}

/**
 * A probe whose last answer is kept for `ttlMs` (the blob store's probe costs a write, a read
 * and a delete: a load balancer asking every second should not put three S3 requests behind each).
 */
export function cachedProbe(probe: ReadinessProbe, ttlMs: number, now: () => number): ReadinessProbe {
  let last: { at: number; outcome: Promise<void> } | undefined;
  return {
    name: probe.name,
    probe() {
      const at = now();
      if (!last || at - last.at >= ttlMs) {
        const outcome = probe.probe();
        last = { at, outcome };
        // A failure is not kept: the next question probes again.
        outcome.catch(() => {
          if (last?.outcome === outcome) last = undefined;
        });
      }
      return last.outcome;
    },
  };
}
