// The context one upgrade runs in (upgrade-run.ts) and its activation (activation.ts) share: the
// target device or sub-device, the link and options, how outcomes are sent, how retries are set.
import type { Link, Subject } from './link.ts';
import type { Offer } from './offer.ts';
import type { DeviceEvent, DeviceOptions, ModuleOptions, UpgradeResult } from './options.ts';
import { defaultRetry, type RetrySettings } from './retry.ts';
import type { DeviceState, StateStore, UnsentReport } from './state.ts';

/** The device itself or one of its sub-devices, with its modules and state folder. */
export interface Target {
  name: string;
  subject: Subject;
  store: StateStore;
  state: DeviceState;
  modules: Record<string, ModuleOptions>;
  busy: Set<string>;
  /** The last progress step reported per module in this session, for reconciliation. */
  steps: Map<string, number>;
  /**
   * Per module, the newest offer that came while its upgrade ran (a push again after a restart of
   * the server): its links carry the tokens the server now takes.
   */
  newer: Map<string, Offer>;
}

/** Sends an outcome the way the link carries it. */
export async function sendReport(link: Link, subject: Subject, report: UnsentReport): Promise<void> {
  if (report.outcome === 'succeeded') return link.succeeded(subject, report.offer);
  if (report.outcome === 'unhealthy' && link.health) {
    // The server's answer does not matter here: the device is back where it is either way.
    await link.health(subject, report.offer, {
      healthy: false,
      ...(report.version !== undefined && { version: report.version }),
      ...(report.detail !== undefined && { detail: report.detail }),
    });
    return;
  }
  return link.failed(subject, report.offer, report.reason ?? 'failed', report.detail ?? '');
}

export interface RunContext {
  link: Link;
  options: DeviceOptions;
  emit(event: DeviceEvent): void;
  record(result: UpgradeResult): UpgradeResult;
  /** Aborted by stop(): downloads end as a killed process would, resumable. */
  stopping: AbortSignal;
  /**
   * States again where the module's upgrade is (its target and last step), so that the server
   * offers it again with links it takes now; an offer in the answer (HTTP) or pushed (MQTT) lands
   * in `target.newer`.
   */
  askAgain(target: Target, module: string, under: Offer): Promise<void>;
}

export function retrySettings(options: DeviceOptions): RetrySettings {
  return { ...defaultRetry, ...options.retry };
}
