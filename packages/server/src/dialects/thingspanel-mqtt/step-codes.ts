// ThingsPanel's progress `step` (protocols.md §1.5) as canonical events: the dialect's one code
// table (step-codes.test.ts has a test per row).
import type { FailureReason } from '@updraft/core';
import type { CanonicalEvent } from '../../modules/device-access/device-access.ts';

const failures: Readonly<Record<number, { readonly reason: FailureReason; readonly detail: string }>> = {
  [-1]: { reason: 'failed', detail: 'upgrade failed' },
  [-2]: { reason: 'download_failed', detail: 'download failed' },
  [-3]: { reason: 'check_failed', detail: 'verification failed' },
  [-4]: { reason: 'write_failed', detail: 'write failed' },
};

/**
 * A step given as a string or number, truncated like the v0.5 code: 1..99 progress without a
 * stage (ThingsPanel does not say downloading or installing), 100 success, -1..-4 failures with
 * `desc` as detail. Null for 0, other numbers and non-numeric steps, which change nothing.
 */
export function eventFromThingsPanelStep(step: string | number, desc?: string): CanonicalEvent | null {
  const value = typeof step === 'number' ? step : step.trim() === '' ? Number.NaN : Number(step);
  if (!Number.isFinite(value)) return null;
  const code = Math.trunc(value);
  if (code >= 1 && code <= 100) return { type: 'progress', percent: code };
  const failure = failures[code];
  if (failure === undefined) return null;
  const detail = desc === undefined || desc === '' ? failure.detail : `${failure.detail}: ${desc}`;
  // Updraft's SDK says why a verification failed: its signature check (docs/signing.md).
  if (code === -3 && desc?.startsWith('signature_invalid'))
    return { type: 'failed', reason: 'signature_invalid', detail };
  return { type: 'failed', reason: failure.reason, detail };
}
