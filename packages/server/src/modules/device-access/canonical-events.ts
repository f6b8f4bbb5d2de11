// The canonical device events (protocols.md §5, plus "version reported" and "health confirmed"):
// what any dialect can say about an upgrade, in one vocabulary (docs/glossary.md). Each dialect
// maps its own codes onto these in one table in its folder; this file maps these onto the
// engine's events, once. The platform-side states of §5 are not device events: "queued" is a
// pending upgrade, "notified" a push (Notifier.notify), "cancelled" a withdrawal.
import type { DeviceEvent, FailureReason } from '@updraft/core';

export type CanonicalEvent =
  /** The device takes the offered upgrade (OneNET token check, Quectel SUBMITOTA, LwM2M State 1). */
  | { readonly type: 'accepted' }
  /** A manual plan's upgrade is confirmed for the device, by it or its app (`actor`). */
  | { readonly type: 'confirmed'; readonly actor?: string }
  /** A manual plan's upgrade is declined for the device: it ends in failure, reason rejected. */
  | { readonly type: 'rejected'; readonly actor?: string }
  /**
   * The device (or its gateway) refuses the offer for now (Quectel 3 REFUSEDOTA, LwM2M Result 11,
   * the SDK's defer): a silent plan offers it again after the plan's rejection period (core
   * rejection-period.ts); in a manual plan it is a rejection. `reason`: the device's words.
   */
  | { readonly type: 'refused'; readonly reason?: string }
  | { readonly type: 'downloading'; readonly percent: number }
  | { readonly type: 'downloaded' }
  | { readonly type: 'installing'; readonly percent?: number }
  /**
   * A percentage without a stage (ThingsPanel steps 1..100): downloading or installing, the
   * device does not say which; 100 is success.
   */
  | { readonly type: 'progress'; readonly percent: number }
  /**
   * The upgrade succeeded. `setsTargetVersion`: the dialect defines success as "the device now
   * runs the target" (OneNET 201, §2.4 (4)), so the device's version is set to it.
   */
  | { readonly type: 'succeeded'; readonly setsTargetVersion?: boolean }
  | { readonly type: 'failed'; readonly reason: FailureReason; readonly detail?: string }
  | {
      readonly type: 'version_reported';
      readonly version: string;
      readonly signal?: number;
      readonly battery?: number;
      /** Bytes free for an upgrade. */
      readonly freeSpace?: number;
    }
  /**
   * The device runs the new image and says it is healthy (LwM2M State 0 + Result 1 after the
   * reboot, Quectel 11 with the target version, the health messages of docs/device-http.md and
   * docs/mqtt.md): success, also of a plan with a health window.
   */
  | { readonly type: 'health_confirmed'; readonly detail?: string }
  /**
   * The device says the new image is not healthy (health window, docs/state-machines.md):
   * failure `not_confirmed`, or `rolled_back` when `version` says it is back on another one.
   */
  | { readonly type: 'health_failed'; readonly version?: string; readonly detail?: string };

export type CanonicalEventType = CanonicalEvent['type'];

/** The engine's event for a canonical one: the single translation, a test per row. */
export function engineEventOf(event: CanonicalEvent): DeviceEvent {
  switch (event.type) {
    case 'accepted':
      return { type: 'accepted' };
    case 'confirmed':
    case 'rejected':
      return event.actor === undefined ? { type: event.type } : { type: event.type, actor: event.actor };
    case 'refused':
      return event.reason === undefined ? { type: 'refused' } : { type: 'refused', reason: event.reason };
    case 'downloading':
      return { type: 'progress', stage: 'downloading', percent: event.percent };
    case 'downloaded':
      return { type: 'progress', stage: 'downloaded', percent: 100 };
    case 'installing':
      return { type: 'progress', stage: 'installing', percent: event.percent ?? 0 };
    case 'progress':
      return { type: 'progress', percent: event.percent };
    case 'succeeded':
      // A percentage of 100 without a stage is the engine's success.
      return { type: 'progress', percent: 100 };
    case 'health_confirmed':
      return {
        type: 'health_reported',
        healthy: true,
        ...(event.detail !== undefined && { detail: event.detail }),
      };
    case 'health_failed':
      return {
        type: 'health_reported',
        healthy: false,
        ...(event.version !== undefined && { version: event.version }),
        ...(event.detail !== undefined && { detail: event.detail }),
      };
    case 'failed':
      return event.detail === undefined
        ? { type: 'failed', reason: event.reason }
        : { type: 'failed', reason: event.reason, detail: event.detail };
    case 'version_reported': {
      const { type, version, signal, battery, freeSpace } = event;
      return {
        type,
        version,
        ...(signal !== undefined && { signal }),
        ...(battery !== undefined && { battery }),
        ...(freeSpace !== undefined && { freeSpace }),
      };
    }
  }
}
