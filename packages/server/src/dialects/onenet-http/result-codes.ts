// OneNET's progress `step` and result codes (protocols.md §2.4 (4)/(5); reasons per §5) as
// canonical events: the dialect's one code table (result-codes.test.ts has a test per row).
import type { FailureReason } from '@updraft/core';
import type { CanonicalEvent } from '../../modules/device-access/device-access.ts';

const failures: Readonly<Record<number, { readonly reason: FailureReason; readonly detail: string }>> = {
  102: { reason: 'download_failed', detail: 'download failed: insufficient space' },
  103: { reason: 'download_failed', detail: 'download failed: memory overflow' },
  104: { reason: 'download_failed', detail: 'download failed: request timeout' },
  105: { reason: 'low_battery', detail: 'download failed: low battery' },
  106: { reason: 'weak_signal', detail: 'download failed: weak signal' },
  107: { reason: 'download_failed', detail: 'download failed: unknown' },
  202: { reason: 'low_battery', detail: 'upgrade failed: low battery' },
  203: { reason: 'write_failed', detail: 'upgrade failed: memory overflow' },
  204: { reason: 'version_mismatch', detail: 'upgrade failed: package inconsistent with target' },
  205: { reason: 'check_failed', detail: 'upgrade failed: MD5 check failed' },
  206: { reason: 'failed', detail: 'upgrade failed: unknown' },
  207: { reason: 'retries_exhausted', detail: 'maximum retries reached' },
  208: { reason: 'deadline', detail: 'device upgrade expired' },
};

/**
 * 0..99 download percent, 100 and 101 download complete, 201 success (and the device's version
 * becomes the task's target), 102..107 and 202..208 failures. Null for anything else (errno 24).
 */
export function eventFromOneNetCode(code: number): CanonicalEvent | null {
  if (!Number.isInteger(code)) return null;
  if (code >= 0 && code < 100) return { type: 'downloading', percent: code };
  if (code === 100 || code === 101) return { type: 'downloaded' };
  if (code === 201) return { type: 'succeeded', setsTargetVersion: true };
  const failure = failures[code];
  return failure === undefined ? null : { type: 'failed', ...failure };
}
