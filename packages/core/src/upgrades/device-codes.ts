// Device result codes of the supported protocols, translated to engine events. Pure tables; the
// transports parse the wire format and call these.
import type { FailureReason } from './failure-reason.ts';
import type { DeviceEvent } from './upgrade-state.ts';

type Failure = { readonly reason: FailureReason; readonly detail: string };

// protocols.md §2.4 (4)/(5), OneNET `step` > 100 and `result`; reasons per §5.
const oneNetFailures: Readonly<Record<number, Failure>> = {
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
 * OneNET progress `step` or status `result` (protocols.md §2.4): 0..99 download percent,
 * 100 and 101 download complete, 201 success, 102..107 and 202..208 failures. Null for
 * anything else (the transport answers errno 24 "bad result").
 */
export function eventFromOneNetCode(code: number): DeviceEvent | null {
  if (!Number.isInteger(code)) return null;
  if (code >= 0 && code < 100) return { type: 'progress', stage: 'downloading', percent: code };
  if (code === 100 || code === 101) return { type: 'progress', stage: 'downloaded', percent: 100 };
  // 201: "upgrade succeeded; device version := task target". A bare 100 is success.
  if (code === 201) return { type: 'progress', percent: 100 };
  const failure = oneNetFailures[code];
  return failure === undefined ? null : { type: 'failed', ...failure };
}

const thingsPanelFailures: Readonly<Record<number, Failure>> = {
  [-1]: { reason: 'failed', detail: 'upgrade failed' },
  [-2]: { reason: 'download_failed', detail: 'download failed' },
  [-3]: { reason: 'check_failed', detail: 'verification failed' },
  [-4]: { reason: 'write_failed', detail: 'write failed' },
};

/**
 * ThingsPanel progress `step` (protocols.md §1.5): a string or number, truncated like the
 * v0.5 code; 1..100 percent (100 = success), -1..-4 failures with `desc` as detail. Null for
 * 0, other numbers and non-numeric steps, which leave the record unchanged.
 */
export function eventFromThingsPanelStep(step: string | number, desc?: string): DeviceEvent | null {
  const value = typeof step === 'number' ? step : step.trim() === '' ? Number.NaN : Number(step);
  if (!Number.isFinite(value)) return null;
  const code = Math.trunc(value);
  if (code >= 1 && code <= 100) return { type: 'progress', percent: code };
  const failure = thingsPanelFailures[code];
  if (failure === undefined) return null;
  const detail = desc === undefined || desc === '' ? failure.detail : `${failure.detail}: ${desc}`;
  return { type: 'failed', reason: failure.reason, detail };
}
