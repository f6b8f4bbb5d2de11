// Quectel's OTA statuses (TTLV 13 of 0x0114, protocols.md §3.2) as canonical events: the
// dialect's one code table (status-codes.test.ts has a test per row). protocols.md §5 proposes
// the mapping; where it leaves a choice, Updraft's is here (docs/quectel.md, "Statuses").
import { type OtaEvent, quectelStatusText, quectelOtaStatus as s } from '@updraft/protocol';
import type { CanonicalEvent } from '../../modules/device-access/device-access.ts';

/** What a status asks of the dialect beyond (or instead of) a canonical event. */
export type StatusMeaning =
  /** Nothing changes (0 no plan, 1 plan received: the push is the notification). */
  | { kind: 'none' }
  /** A canonical event for the component the report names. */
  | { kind: 'event'; event: CanonicalEvent }
  /** 2 SUBMITOTA: accepted; the firmware information (0x0113) follows. */
  | { kind: 'confirm'; event: CanonicalEvent }
  /**
   * 11 UPDATESUCCESS: success when the report states the component's version as its target;
   * without that version the device is installing and its version after the reboot decides.
   */
  | { kind: 'updated' }
  | { kind: 'unknown' };

/**
 * MESSAGE (14) as Updraft keeps it in a reason or detail: at most 128 characters (as ThingsPanel's
 * `desc`), control characters as spaces. A TTLV string may be 64 KiB; logs and the API need not.
 */
const MESSAGE_LIMIT = 128;
function keptMessage(message: string | undefined): string {
  return [...(message ?? '').replace(/\p{Cc}/gu, ' ').trim()].slice(0, MESSAGE_LIMIT).join('');
}

/** A refusal (3): the device's message, when it says more than the status name. */
function refusalOf(event: OtaEvent): CanonicalEvent {
  const text = quectelStatusText[s.refused];
  const message = event.message?.trim() ?? '';
  const said = keptMessage(
    message.startsWith(text) ? message.slice(text.length).replace(/^:\s*/, '') : message,
  );
  return said === '' ? { type: 'refused' } : { type: 'refused', reason: said };
}

function detailOf(status: number, event: OtaEvent): string {
  const text = quectelStatusText[status as keyof typeof quectelStatusText] ?? String(status);
  const message = keptMessage(event.message);
  const said = message && message !== text ? `: ${message}` : '';
  return `Quectel status ${status} ${text}${said}`;
}

export function meaningOf(event: OtaEvent): StatusMeaning {
  const { status } = event;
  switch (status) {
    case s.noPlan:
    case s.planReceived:
      return { kind: 'none' };
    case s.confirmed:
      return { kind: 'confirm', event: { type: 'accepted' } };
    case s.refused:
      // Quectel re-pushes a refused plan after the plan's rejection period (§3.1): the canonical
      // refusal (a manual plan's ends as rejected), with the device's message as its reason.
      return { kind: 'event', event: refusalOf(event) };
    case s.downloadStart:
      return { kind: 'event', event: { type: 'downloading', percent: 0 } };
    case s.downloading:
      return { kind: 'event', event: { type: 'downloading', percent: Math.min(event.percent ?? 0, 99) } };
    case s.downloadError:
      // The device drops the attempt and waits for a new push (§3.2): the attempt fails, and the
      // plan's retry strategy is the new push; after more than 5 the device reports 12 itself.
      return {
        kind: 'event',
        event: { type: 'failed', reason: 'download_failed', detail: detailOf(status, event) },
      };
    case s.downloaded:
      return { kind: 'event', event: { type: 'downloaded' } };
    case s.updating:
      return { kind: 'event', event: { type: 'installing' } };
    case s.updateSuccess:
      return { kind: 'updated' };
    case s.updateError:
      return { kind: 'event', event: { type: 'failed', reason: 'failed', detail: detailOf(status, event) } };
    default:
      return { kind: 'unknown' };
  }
}
