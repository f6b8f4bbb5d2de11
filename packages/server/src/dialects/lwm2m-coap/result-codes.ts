// LwM2M Object 5 (OMA-SUP-XML_5-V1_1, protocols.md §4) as canonical events: State (/5/0/3) and
// Update Result (/5/0/5), the dialect's one code table (result-codes.test.ts has a test per row),
// following protocols.md §5's proposal.
import type { FailureReason } from '@updraft/core';
import type { CanonicalEvent } from '../../modules/device-access/device-access.ts';

/** /5/0/3 State: 0 Idle, 1 Downloading, 2 Downloaded, 3 Updating. */
export function eventOfState(state: number): CanonicalEvent | null {
  switch (state) {
    case 1:
      return { type: 'accepted' };
    case 2:
      return { type: 'downloaded' };
    case 3:
      return { type: 'installing' };
    default:
      // 0 Idle says nothing by itself: the Update Result tells how it got there.
      return null;
  }
}

const failures: Readonly<Record<number, { readonly reason: FailureReason; readonly detail: string }>> = {
  2: { reason: 'download_failed', detail: 'not enough flash memory for the new package' },
  3: { reason: 'download_failed', detail: 'out of RAM during download' },
  4: { reason: 'download_failed', detail: 'connection lost during download' },
  5: { reason: 'check_failed', detail: 'integrity check failure' },
  6: { reason: 'version_mismatch', detail: 'unsupported package type' },
  7: { reason: 'download_failed', detail: 'invalid URI' },
  8: { reason: 'write_failed', detail: 'firmware update failed' },
  9: { reason: 'download_failed', detail: 'unsupported protocol' },
};

/** /5/0/5 Update Result 11 (1.1): the client deferred the update (protocols.md §5: refused). */
export const updateResultDeferred = 11;

/**
 * /5/0/5 Update Result as an event: 2..9 are failures; 11 (deferred) is the device's refusal,
 * offered again after the plan's rejection period (a rejection in a manual plan); 0 (initial),
 * 1 (success: judged by the version read afterwards, not by this code) and 10 (cancelled: the
 * server's own doing) are null.
 */
export function eventOfResult(result: number): CanonicalEvent | null {
  if (result === updateResultDeferred) return { type: 'refused', reason: 'Update Result 11: deferred' };
  const failure = failures[result];
  return failure
    ? { type: 'failed', reason: failure.reason, detail: `Update Result ${result}: ${failure.detail}` }
    : null;
}

export const updateResultSuccess = 1;
