// Lost news of an upgrade under way (docs/lwm2m.md, "When a notification is lost"): the State and
// Update Result of Object 5 reach the server as Observe notifications (RFC 7641), and a client
// gives up on a confirmable one after its retransmissions (RFC 7252 §4.2), as a server's own
// request to the client can time out. An upgrade without news for `stallMs` gets its client's
// State and Update Result read, and the step that was lost is taken again: Update executed for a
// client that sits Downloaded, the outcome judged for one that is back Idle, the offer written
// again for one that is Idle with nothing.
import type { Lwm2mContext, UnderWay } from './context.ts';
import type { Registration } from './registry.ts';
import { eventOfResult } from './result-codes.ts';

/** No news of an upgrade for this long: its client is asked (a download in progress is news enough). */
export const defaultStallMs = 60_000;

/** At most this many clients are asked per sweep, so that a mass stall does not flood the socket. */
const checksPerSweep = 100;

/** The offer goes out again at most this often for one upgrade. */
const maxResends = 3;

export interface StallSteps {
  readInteger(reg: Registration, path: string, resourceId: number): Promise<number | undefined>;
  onState(reg: Registration, state: number): Promise<void>;
  onResult(reg: Registration, result: number): Promise<void>;
  judgeVersion(reg: Registration, under: UnderWay, result?: number): Promise<void>;
  resend(reg: Registration, under: UnderWay): Promise<void>;
}

export function createStallCheck(ctx: Lwm2mContext, steps: StallSteps, stallMs: number) {
  /** Reads the client's Object 5 and takes the step its State calls for. */
  async function check(reg: Registration, under: UnderWay) {
    under.since = ctx.clock.now();
    const state = await steps.readInteger(reg, '/5/0/3', 3);
    if (state === undefined) return;
    const result = await steps.readInteger(reg, '/5/0/5', 5);
    // The upgrade ended or changed while the client answered.
    if (ctx.underWay.get(reg.device.id) !== under) return;
    if (result !== undefined && eventOfResult(result)) return steps.onResult(reg, result);
    if (state === 2) {
      // Downloaded: Update was never executed, or its request was lost on the way.
      under.executed = false;
      return steps.onState(reg, 2);
    }
    if (state !== 0) return;
    if (under.executed) return steps.judgeVersion(reg, under, result);
    if (under.sentAt !== undefined && under.resent < maxResends) {
      under.resent++;
      ctx.log.info({ endpoint: reg.endpoint, upgradeId: under.upgradeId }, 'LwM2M offer written again');
      await steps.resend(reg, under);
    }
  }

  return {
    check,
    /** The upgrades without news for `stallMs` whose clients are reachable now: each is checked, in its device's queue. */
    sweep(now: number) {
      let started = 0;
      for (const [deviceId, under] of ctx.underWay) {
        if (started >= checksPerSweep) return;
        if (now - under.since < stallMs) continue;
        const reg = ctx.registry.byDevice(deviceId);
        // A queue-mode client is asked at its next Update; an unregistered one when it registers.
        if (!reg || reg.queueMode || reg.expiresAt <= now) continue;
        under.since = now;
        started++;
        void ctx.serially(reg, () => check(reg, under));
      }
    },
  };
}
