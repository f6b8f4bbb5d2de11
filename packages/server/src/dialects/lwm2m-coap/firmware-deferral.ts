// Object 5 v1.1's Severity (/5/0/11: 0 critical, 1 mandatory, 2 optional) and Maximum Defer
// Period (/5/0/13: seconds a user may put the update off, 0 = not at all), written with an offer
// to a client whose Object 5 is 1.1 (its object link says `ver=1.1`; §6.2.1: a version other
// than 1.0 is always given). They tell the client what the plan does with a deferral, Update
// Result 11, which the dialect reports as the device's refusal (result-codes.ts):
//
// - a silent plan offers the upgrade again after its rejection period: that is how long the
//   client may defer, and the upgrade is mandatory;
// - a manual plan reaches the client only after the owner confirmed it, and a deferral then
//   ends it as rejected: deferral is not allowed (0);
// - a plan that brings devices back to an older version on purpose (a rollback) is critical.
import type { PlanSpec } from '@updraft/core';
import { contentFormats, objectVersion } from '@updraft/protocol';
import type { Lwm2mContext } from './context.ts';
import type { Registration } from './registry.ts';

/** /5/0/11 Severity (OMA-SUP-XML_5-V1_1). */
export const severities = { critical: 0, mandatory: 1, optional: 2 } as const;

export interface Deferral {
  severity: number;
  maxDeferSeconds: number;
}

/** What the plan makes of a deferral, as Severity and Maximum Defer Period. */
export function deferralOf(spec: Pick<PlanSpec, 'mode' | 'rejectionPeriodSeconds' | 'downgrade'>): Deferral {
  return {
    severity: spec.downgrade ? severities.critical : severities.mandatory,
    maxDeferSeconds: spec.mode === 'manual' ? 0 : spec.rejectionPeriodSeconds,
  };
}

/** Whether the client's Object 5 has /5/0/11 and /5/0/13 (version 1.1 or later). */
export function hasDeferral(reg: Pick<Registration, 'objects'>): boolean {
  const [major = 0, minor = 0] = objectVersion(reg.objects, 5).split('.').map(Number);
  return major > 1 || (major === 1 && minor >= 1);
}

/**
 * Writes Severity and Maximum Defer Period (plain text, §7.4.1) before the offer; a client that
 * refuses either still gets the offer.
 */
export async function writeDeferral(ctx: Lwm2mContext, reg: Registration, spec: PlanSpec): Promise<void> {
  const { severity, maxDeferSeconds } = deferralOf(spec);
  for (const [path, value] of [
    ['/5/0/11', severity],
    ['/5/0/13', maxDeferSeconds],
  ] as const) {
    const written = await ctx
      .client()
      .request(reg.peer, {
        method: 'PUT',
        path,
        payload: Buffer.from(String(value)),
        contentFormat: contentFormats.text,
      })
      .catch(() => undefined);
    if (written?.code !== '2.04')
      ctx.log.warn(
        { endpoint: reg.endpoint, path, code: written?.code },
        'LwM2M deferral resource not written',
      );
  }
}
