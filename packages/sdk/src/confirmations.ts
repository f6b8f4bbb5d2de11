// The device side of manual plans (docs/device-http.md, "Confirmations"): the device's app, or a
// gateway for a sub-device, lists the upgrades that wait for its decision and confirms or
// rejects them. These calls are HTTP whichever transport carries the upgrade itself.
import type { DeviceApiCall } from './device-api-call.ts';
import { devParam } from './device-api-call.ts';
import { SdkError } from './errors.ts';
import type { Subject } from './link.ts';
import { ownerTextsOf, type UpgradeTexts } from './offer.ts';

/** An upgrade of a manual plan waiting for the device to confirm or reject it. */
export interface Confirmation {
  upgradeId: number;
  planId: number;
  /** The plan's name. */
  plan: string;
  module: string;
  targetVersion: string;
  kind: 'full' | 'delta';
  /** Unix milliseconds. */
  since: number;
  deadline: number | null;
  /** The plan's upgrade texts for the device's owner (zh, en). */
  texts: UpgradeTexts | null;
  /** The release notes of the package it starts with (may be empty). */
  releaseNotes: string;
}

export function createConfirmations(call: DeviceApiCall) {
  return {
    async list(subject: Subject): Promise<Confirmation[]> {
      const answer = await call('GET', `/device/v1/confirmations?${devParam(subject)}`);
      if (answer.errno !== 0) {
        throw new SdkError('REFUSED', `confirmations: ${answer.error}`, { errno: answer.errno });
      }
      const items = (answer.data?.['items'] ?? []) as Record<string, unknown>[];
      return items.map((item) => ({
        upgradeId: Number(item['upgradeId']),
        planId: Number(item['planId']),
        plan: String(item['plan']),
        module: String(item['module']),
        targetVersion: String(item['target']),
        kind: item['type'] === 2 ? 'delta' : 'full',
        since: Number(item['since']) * 1000,
        deadline: item['deadline'] === null ? null : Number(item['deadline']) * 1000,
        texts: ownerTextsOf(item).texts ?? null,
        releaseNotes: String(item['releaseNotes'] ?? ''),
      }));
    },

    /** errno 17 (no decision taken in this state), 20 and 22 (ended) become REFUSED. */
    async decide(subject: Subject, upgradeId: number, decision: 'confirm' | 'reject'): Promise<void> {
      const answer = await call(
        'POST',
        `/device/v1/confirmations/${upgradeId}/${decision}?${devParam(subject)}`,
      );
      if (answer.errno !== 0) {
        throw new SdkError('REFUSED', `${decision} upgrade ${upgradeId}: ${answer.error}`, {
          errno: answer.errno,
          upgradeId,
        });
      }
    },
  };
}
