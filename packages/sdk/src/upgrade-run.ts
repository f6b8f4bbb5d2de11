// One upgrade of one module, from the offer to the version the device ends on: thresholds and the
// device's consent, a resumable download of every file of the package, verification, delta
// restore, install (the installer gets every file), then activation:
// the version check (after the restart an A/B install asked for), the health check, commit or
// rollback. Each phase is saved in the state folder before it starts (state.ts), so that a killed
// process, a reboot or a power cut goes on from there in the next session (resume()).
import { type Manifest, parseManifest } from '@updraft/protocol';
import { createActivation } from './activation.ts';
import { restoreDelta } from './delta-restore.ts';
import { isSdkError, SdkError } from './errors.ts';
import type { FailureReason } from './link.ts';
import { filesOf, newerLinkOf, type Offer } from './offer.ts';
import type { ModuleOptions, UpdateInfo, UpgradeResult } from './options.ts';
import { downloadPackage, type PackageFile, verifyPackage } from './package-files.ts';
import { withRetry } from './retry.ts';
import { type RunContext, retrySettings, sendReport, type Target } from './run-context.ts';
import { checkRestoredImage, checkSignature, trustPolicyOf } from './signature-check.ts';
import type { PendingUpgrade, UnsentReport } from './state.ts';

/** The part of the installer's error that the server hears. */
function reasonOfInstallError(error: SdkError): FailureReason {
  if (error.code === 'CHECK_FAILED') return 'check_failed';
  if (error.code === 'LOW_BATTERY') return 'low_battery';
  return 'write_failed';
}

/** `{productKey}.{deviceName}` → the product key. */
const productKeyOf = (username: string) => username.slice(0, Math.max(0, username.indexOf('.')));

/** The security version of a signed offer (its manifest was verified before the install). */
function securityVersionOf(offer: Offer): number | undefined {
  if (!offer.signature) return undefined;
  try {
    return parseManifest(Buffer.from(offer.signature.manifest, 'utf8')).securityVersion;
  } catch {
    return undefined;
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A name for the offer's files in the state folder (file n of the package adds `-n`). */
const fileKey = (offer: Offer) =>
  (offer.sha256 || offer.md5 || offer.token || offer.targetVersion).replace(/[^A-Za-z0-9]/g, '');

export function createUpgradeRun(ctx: RunContext) {
  const { link, options, emit } = ctx;
  const retry = retrySettings(options);
  const trust = trustPolicyOf(options.trustedKeys, options.requireSignature);
  const transportDownload = link.fetch ?? options.fetch;
  const download = options.wrapDownload
    ? options.wrapDownload(transportDownload ?? fetch)
    : transportDownload;

  /**
   * Sends an outcome, kept in the state folder until the server has it: tried again with backoff,
   * and if it still cannot leave, sent by the next connection or start (device.ts).
   */
  async function deliver(target: Target, report: UnsentReport): Promise<void> {
    const module = report.offer.module;
    target.state.unsent = { ...target.state.unsent, [module]: report };
    await target.store.save(target.state);
    try {
      await withRetry(() => sendReport(link, target.subject, report), retry, ctx.stopping);
    } catch {
      return;
    }
    if (target.state.unsent?.[module] === report) {
      delete target.state.unsent[module];
      await target.store.save(target.state);
    }
  }

  const result = (target: Target, offer: Offer, outcome: UpgradeResult['outcome'], error?: SdkError) =>
    ctx.record({
      subject: target.name,
      module: offer.module,
      targetVersion: offer.targetVersion,
      outcome,
      ...(error && { error }),
    });

  async function journal(target: Target, module: string, pending: PendingUpgrade | undefined) {
    if (pending) target.state.pending[module] = pending;
    else delete target.state.pending[module];
    await target.store.save(target.state);
  }

  /** The upgrade ended on `version`: the state folder says so and holds nothing under way. */
  async function settle(target: Target, offer: Offer, version: string, securityVersion?: number) {
    target.state.versions[offer.module] = version;
    // The installed security version only rises with a signed install (anti-downgrade).
    if (securityVersion !== undefined)
      target.state.security = { ...target.state.security, [offer.module]: securityVersion };
    delete target.state.pending[offer.module];
    await target.store.save(target.state);
    await target.store.forget(fileKey(offer));
  }

  async function fail(target: Target, offer: Offer, reason: FailureReason, error: SdkError) {
    emit({ type: 'failed', subject: target.name, offer, error });
    await deliver(target, { offer, outcome: 'failed', reason, detail: error.message });
    return result(target, offer, 'failed', error);
  }

  /** Tells the server the version the module runs after an upgrade that did not end on its target. */
  async function reportRunning(target: Target, module: string, version: string) {
    await link
      .reportVersion(
        target.subject,
        module,
        version,
        await telemetryOf(target),
        target.modules[module]?.codes,
      )
      .catch(() => {});
  }

  async function telemetryOf(target: Target) {
    return (await options.telemetry?.(target.name)) ?? {};
  }

  async function runningVersion(module: ModuleOptions, fallback: string): Promise<string> {
    return module.currentVersion ? await module.currentVersion() : fallback;
  }

  const infoOf = (pending: PendingUpgrade): UpdateInfo => ({
    module: pending.offer.module,
    version: pending.offer.targetVersion,
    previousVersion: pending.from,
    offer: pending.offer,
  });

  async function restart(target: Target, offer: Offer, after: 'install' | 'rollback') {
    emit({ type: 'restarting', subject: target.name, offer, after });
    await options.restart?.();
    return result(target, offer, 'restarting');
  }

  /** From the offer (or a download or install the state folder held) to the installed image. */
  async function run(target: Target, offer: Offer, resumed?: PendingUpgrade): Promise<UpgradeResult> {
    const module = target.modules[offer.module];
    emit({ type: 'offer', subject: target.name, offer });
    if (!module) {
      const error = new SdkError('INVALID_ARGUMENT', `no module ${offer.module} on ${target.name}`);
      emit({ type: 'failed', subject: target.name, offer, error });
      return result(target, offer, 'failed', error);
    }
    const defer = async (reason: string, byChoice = false) => {
      emit({ type: 'deferred', subject: target.name, offer, reason });
      await link.declined?.(target.subject, offer, reason, byChoice).catch(() => {});
      return result(target, offer, 'deferred');
    };
    if (!resumed) {
      if (offer.targetVersion === target.state.versions[offer.module]) {
        // Already there (a push again after a report the server did not get): say so.
        await deliver(target, { offer, outcome: 'succeeded' });
        return result(target, offer, 'success');
      }
      const now = await telemetryOf(target);
      if (offer.minBattery !== null && now.battery !== undefined && now.battery < offer.minBattery) {
        return defer(`battery ${now.battery}% is below ${offer.minBattery}%`);
      }
      if (offer.minSignal !== null && now.signal !== undefined && now.signal < offer.minSignal) {
        return defer(`signal ${now.signal} dBm is below ${offer.minSignal} dBm`);
      }
      const minFreeSpace = offer.minFreeSpace ?? null;
      if (minFreeSpace !== null && now.freeSpace !== undefined && now.freeSpace < minFreeSpace) {
        return defer(`free space ${now.freeSpace} bytes is below ${minFreeSpace} bytes`);
      }
      const accepted = options.accept ? await options.accept(offer, target.name) : true;
      if (accepted === 'later') return defer('the device deferred it');
      if (accepted !== true) return defer('the device refused it', true);
    }
    const from = resumed?.from ?? target.state.versions[offer.module] ?? module.version;
    const key = fileKey(offer);
    const forgetAndFail = async (reason: FailureReason, error: SdkError) => {
      await journal(target, offer.module, undefined);
      await target.store.forget(key);
      return fail(target, offer, reason, error);
    };
    // The server took the upgrade back before the install (LwM2M Cancel): nothing to report.
    const forgetCancelled = async () => {
      await journal(target, offer.module, undefined);
      await target.store.forget(key);
      return result(target, offer, 'cancelled');
    };
    let files: PackageFile[];
    try {
      if (!resumed) {
        await journal(target, offer.module, { offer, from, phase: 'downloading' });
        await withRetry(() => link.accepted(target.subject, offer), retry, ctx.stopping);
      }
      let reported = -10;
      files = await downloadPackage(filesOf(offer), {
        pathOf: (index) => target.store.partialPath(key, index),
        ...(download && { fetch: download }),
        signal: ctx.stopping,
        retry,
        newerUrl: (file) => newerLinkOf(file, target.newer.get(offer.module)),
        onLinkGone: () => ctx.askAgain(target, offer.module, offer),
        onProgress(received, total) {
          emit({ type: 'progress', subject: target.name, offer, received, total });
          const percent = Math.floor((received * 100) / Math.max(1, total));
          if (percent >= reported + 10 && percent < 100) {
            reported = percent;
            target.steps.set(offer.module, percent);
            void link.progress(target.subject, offer, percent).catch(() => {});
          }
        },
      });
    } catch (error) {
      // Stopped: the partial files and the journal stay for the next session.
      if (ctx.stopping.aborted) return defer('the device stopped');
      const sdkError = isSdkError(error) ? error : new SdkError('DOWNLOAD_FAILED', String(error));
      if (sdkError.code === 'CANCELLED') return forgetCancelled();
      if (sdkError.code === 'REFUSED') {
        // The server did not take the start (a paused plan): nothing to report, it comes again.
        await journal(target, offer.module, undefined);
        return defer(`the server holds the upgrade back: ${sdkError.message}`);
      }
      if (resumed && sdkError.code === 'DOWNLOAD_FAILED' && sdkError.details['status'] !== undefined) {
        // The link of an earlier session expired: the next version report asks for a fresh one.
        await journal(target, offer.module, undefined);
        return defer(`the download link of the earlier session is gone (${sdkError.details['status']})`);
      }
      return forgetAndFail('download_failed', sdkError);
    }
    try {
      await verifyPackage(files);
    } catch (error) {
      return forgetAndFail('check_failed', error as SdkError);
    }
    // The signature, before any byte is applied or installed (docs/signing.md).
    let manifest: Manifest | undefined;
    try {
      manifest = await checkSignature(
        offer,
        files,
        { productKey: productKeyOf(target.name), securityVersion: target.state.security?.[offer.module] },
        trust,
      );
    } catch (error) {
      return forgetAndFail('signature_invalid', error as SdkError);
    }
    // A step report: retried as the others, and never why an upgrade fails (a server restarting as
    // the download ends); the outcome report, kept until the server has it, says where it got to.
    // LwM2M's downloaded waits for the server's Update, and ends with CANCELLED on its Cancel.
    const stepped = await withRetry(() => link.downloaded(target.subject, offer), retry, ctx.stopping).then(
      () => undefined,
      (error: unknown) => error,
    );
    if (ctx.stopping.aborted) return defer('the device stopped');
    if (isSdkError(stepped) && stepped.code === 'CANCELLED') return forgetCancelled();

    if (offer.kind === 'delta') {
      // The patch is the package's first file; any others are handed over as they came.
      const image = target.store.imagePath(key);
      try {
        await restoreDelta(module, offer.module, files[0]!.path, image, options.deltaMemoryLimit);
      } catch (error) {
        return forgetAndFail('check_failed', error as SdkError);
      }
      try {
        await checkRestoredImage(manifest, image);
      } catch (error) {
        return forgetAndFail('signature_invalid', error as SdkError);
      }
      files = files.map((f, i) => (i === 0 ? { ...f, path: image } : f));
    }
    const pending: PendingUpgrade = { offer, from, phase: 'installing' };
    await journal(target, offer.module, pending);
    let outcome: unknown;
    try {
      outcome = await module.install({ ...infoOf(pending), path: files[0]!.path, files });
    } catch (error) {
      const sdkError = isSdkError(error)
        ? error
        : new SdkError('WRITE_FAILED', `install failed: ${messageOf(error)}`, {}, { cause: error });
      return forgetAndFail(reasonOfInstallError(sdkError), sdkError);
    }
    pending.phase = 'activating';
    await journal(target, offer.module, pending);
    await target.store.forget(key);
    if (outcome === 'restart') return restart(target, offer, 'install');
    return activate(target, pending);
  }

  const activation = createActivation(ctx, {
    deliver,
    result,
    journal,
    settle: (target, offer, version, signed) =>
      settle(target, offer, version, signed ? securityVersionOf(offer) : undefined),
    fail,
    reportRunning,
    runningVersion,
    infoOf,
    restart,
  });
  const { activate } = activation;

  return {
    run,

    /** Goes on with an upgrade the state folder held from an earlier session. */
    async resume(target: Target, pending: PendingUpgrade): Promise<UpgradeResult> {
      emit({ type: 'resumed', subject: target.name, offer: pending.offer, phase: pending.phase });
      if (pending.phase === 'activating') return activate(target, pending);
      if (pending.phase === 'confirming') return activation.confirm(target, pending);
      if (pending.phase === 'rolling-back')
        return activation.rollBack(target, pending, pending.reason ?? 'health check failed');
      if (pending.phase === 'rolled-back') return activation.rolledBack(target, pending);
      // A download, or an install cut short: the install runs again on the verified image.
      return run(target, pending.offer, pending);
    },
  };
}
