// After the install (and the restart it asked for): the version check, the health check, commit
// or rollback, and what the server hears. With a plan's health window (the offer's
// `healthWindowSeconds`, docs/sdk.md "Health after the install") the device first says the new
// version runs, then reports its health within the window: healthy commits it; unhealthy, no
// answer in time, or a server that already ended the upgrade (`not_confirmed`) rolls back to the
// previous image and reports the version the device is back on.
import { SdkError } from './errors.ts';
import type { FailureReason } from './link.ts';
import type { Offer } from './offer.ts';
import type { ModuleOptions, UpdateInfo, UpgradeResult } from './options.ts';
import { withRetry } from './retry.ts';
import { type RunContext, retrySettings, type Target } from './run-context.ts';
import type { PendingUpgrade, UnsentReport } from './state.ts';

/** What activation needs of the run (upgrade-run.ts). */
export interface RunHelpers {
  deliver(target: Target, report: UnsentReport): Promise<void>;
  result(target: Target, offer: Offer, outcome: UpgradeResult['outcome'], error?: SdkError): UpgradeResult;
  journal(target: Target, module: string, pending: PendingUpgrade | undefined): Promise<void>;
  /** `signed`: the target version's install, whose security version the state keeps. */
  settle(target: Target, offer: Offer, version: string, signed?: boolean): Promise<void>;
  fail(target: Target, offer: Offer, reason: FailureReason, error: SdkError): Promise<UpgradeResult>;
  reportRunning(target: Target, module: string, version: string): Promise<void>;
  runningVersion(module: ModuleOptions, fallback: string): Promise<string>;
  infoOf(pending: PendingUpgrade): UpdateInfo;
  restart(target: Target, offer: Offer, after: 'install' | 'rollback'): Promise<UpgradeResult>;
}

/**
 * How long the device waits for its health verdict: the plan's window less a margin (a tenth, at
 * most a minute), since the server's window began when it received the success report, a
 * little earlier than the device's. Over MQTT a healthy report after the server's window is
 * ignored without an answer, so the margin is what keeps the device from committing a version
 * the server already failed.
 */
export function verdictWithinMs(windowSeconds: number): number {
  const ms = windowSeconds * 1000;
  return ms - Math.min(ms / 10, 60_000);
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The health verdict by `until` (epoch ms); 'stopped' when the device stops first. */
function byDeadline(
  check: Promise<string | null>,
  until: number,
  stopping: AbortSignal,
): Promise<string | null | 'stopped'> {
  return new Promise((resolve) => {
    // Whichever comes first settles it, and nothing of the others is left behind (a check that
    // never answers must not keep a stopped device's timer alive).
    const settle = (verdict: string | null | 'stopped') => {
      clearTimeout(timer);
      stopping.removeEventListener('abort', stop);
      resolve(verdict);
    };
    const timer = setTimeout(
      () => settle('no health confirmation within the plan’s health window'),
      Math.max(0, until - Date.now()),
    );
    const stop = () => settle('stopped');
    if (stopping.aborted) return settle('stopped');
    stopping.addEventListener('abort', stop, { once: true });
    void check.then(settle);
  });
}

export function createActivation(ctx: RunContext, h: RunHelpers) {
  const { link, options, emit } = ctx;
  const retry = retrySettings(options);
  const confirms = (offer: Offer) => offer.healthWindowSeconds !== undefined && link.health !== undefined;

  /** Why the new version is not healthy, or null: the module's check, then the device's. */
  async function healthProblem(target: Target, pending: PendingUpgrade): Promise<string | null> {
    const module = target.modules[pending.offer.module]!;
    try {
      await module.healthCheck?.(h.infoOf(pending));
    } catch (error) {
      return `health check failed: ${messageOf(error)}`;
    }
    try {
      const healthy = options.confirmHealth
        ? await options.confirmHealth(h.infoOf(pending), target.name)
        : true;
      return healthy ? null : 'the device reported itself unhealthy';
    } catch (error) {
      return `health check failed: ${messageOf(error)}`;
    }
  }

  /** The new version runs and is healthy (and, with a window, confirmed): commit and settle. */
  async function commit(target: Target, pending: PendingUpgrade, reported: boolean): Promise<UpgradeResult> {
    const { offer } = pending;
    const module = target.modules[offer.module]!;
    try {
      await module.commit?.(h.infoOf(pending));
    } catch (error) {
      return rollBack(target, pending, `commit failed: ${messageOf(error)}`);
    }
    await h.settle(target, offer, offer.targetVersion, true);
    if (!reported) await h.deliver(target, { offer, outcome: 'succeeded' });
    emit({ type: 'installed', subject: target.name, offer });
    // A device informs its new version after it restarted into it (MQTT; HTTP's 201 said it).
    // LwM2M: the Register after the reboot, with the new /3/0/3.
    if (link.kind !== 'http') await h.reportRunning(target, offer.module, offer.targetVersion);
    return h.result(target, offer, 'success');
  }

  /** The install is done (and restarted if it asked to): check, commit or roll back, report. */
  async function activate(target: Target, pending: PendingUpgrade): Promise<UpgradeResult> {
    const { offer } = pending;
    const module = target.modules[offer.module]!;
    const running = await h.runningVersion(module, offer.targetVersion);
    if (running !== offer.targetVersion) {
      // The install did not take, or the bootloader fell back to the other slot.
      await h.settle(target, offer, running);
      const error = new SdkError(
        'WRITE_FAILED',
        `after the install ${offer.module} runs ${running}, not ${offer.targetVersion}`,
        { version: running },
      );
      const failed = await h.fail(target, offer, 'write_failed', error);
      await h.reportRunning(target, offer.module, running);
      return failed;
    }
    if (confirms(offer)) return confirm(target, pending);
    const problem = await healthProblem(target, pending);
    if (problem !== null) return rollBack(target, pending, problem);
    return commit(target, pending, false);
  }

  /**
   * A plan with a health window: the server hears that the target runs (its window starts), then
   * the device's health before the window ends (`confirmBy`, kept in the state folder).
   */
  async function confirm(target: Target, pending: PendingUpgrade): Promise<UpgradeResult> {
    const { offer } = pending;
    if (pending.phase !== 'confirming') {
      await h.deliver(target, { offer, outcome: 'succeeded' });
      pending.phase = 'confirming';
      pending.confirmBy = Date.now() + verdictWithinMs(offer.healthWindowSeconds ?? 0);
      await h.journal(target, offer.module, pending);
    }
    const verdict = await byDeadline(healthProblem(target, pending), pending.confirmBy ?? 0, ctx.stopping);
    // Stopped: the state folder keeps the phase, the next session checks again.
    if (verdict === 'stopped') return h.result(target, offer, 'deferred');
    if (verdict !== null) return rollBack(target, pending, verdict);
    let answer: 'applied' | 'ended';
    try {
      answer = await withRetry(
        () => link.health!(target.subject, offer, { healthy: true }),
        retry,
        ctx.stopping,
      );
    } catch (error) {
      // Unconfirmed, the server fails it at the window's end: the previous image is the safe side.
      return rollBack(target, pending, `the health report could not be sent: ${messageOf(error)}`);
    }
    if (answer === 'ended') {
      return rollBack(
        target,
        pending,
        'the server ended the upgrade before it was confirmed (not_confirmed)',
      );
    }
    return commit(target, pending, true);
  }

  /** The new version failed (or was not confirmed): back to the previous image, reported. */
  async function unhealthy(target: Target, offer: Offer, version: string, error: SdkError) {
    emit({ type: 'failed', subject: target.name, offer, error });
    if (confirms(offer)) {
      await h.deliver(target, { offer, outcome: 'unhealthy', version, detail: error.message });
      await h.reportRunning(target, offer.module, version);
      return h.result(target, offer, 'failed', error);
    }
    const failed = await h.fail(target, offer, 'failed', error);
    await h.reportRunning(target, offer.module, version);
    return failed;
  }

  async function rollBack(target: Target, pending: PendingUpgrade, why: string): Promise<UpgradeResult> {
    const { offer } = pending;
    const module = target.modules[offer.module]!;
    const notBack = async (detail: string) => {
      const running = await h.runningVersion(module, offer.targetVersion).catch(() => offer.targetVersion);
      await h.settle(target, offer, running);
      const error = new SdkError(
        'HEALTH_CHECK_FAILED',
        `${why}; ${detail}; ${offer.module} runs ${running}`,
        {
          version: running,
        },
      );
      return unhealthy(target, offer, running, error);
    };
    if (!module.rollback) return notBack('no rollback');
    pending.phase = 'rolling-back';
    pending.reason = why;
    await h.journal(target, offer.module, pending);
    let outcome: unknown;
    try {
      outcome = await module.rollback(h.infoOf(pending));
    } catch (error) {
      return notBack(`the rollback failed: ${messageOf(error)}`);
    }
    pending.phase = 'rolled-back';
    await h.journal(target, offer.module, pending);
    if (outcome === 'restart') return h.restart(target, offer, 'rollback');
    return rolledBack(target, pending);
  }

  /** The rollback is done (and restarted): report the failure and the version the module is back on. */
  async function rolledBack(target: Target, pending: PendingUpgrade): Promise<UpgradeResult> {
    const { offer } = pending;
    const back = await h.runningVersion(target.modules[offer.module]!, pending.from);
    await h.settle(target, offer, back);
    const error = new SdkError(
      'HEALTH_CHECK_FAILED',
      `${pending.reason ?? 'health check failed'}; rolled back to ${back}`,
      { version: back, rolledBack: true },
    );
    return unhealthy(target, offer, back, error);
  }

  return { activate, confirm, rollBack, rolledBack };
}
