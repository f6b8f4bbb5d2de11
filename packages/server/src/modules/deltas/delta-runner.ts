// The delta runner: one job at a time per process. It claims the oldest queued job through the
// database (so several instances share the queue), diffs the two packages in a worker thread,
// writes progress in 5 % steps, and stores the patch as a delta package. A job whose runner
// died (its lease ran out) goes back to the queue and starts over; see docs/deltas.md.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { isUpdraftError } from '@updraft/core';
import { createDiffJob, type DiffImage, type DiffResult, isDeltaError } from '@updraft/delta';
import type { Clock } from '../../adapters/clock/clock.ts';
import type { BlobStore } from '../firmware/blob-store.ts';
import type { FirmwareFile, FirmwarePackage, FirmwareStore } from '../firmware/firmware-store.ts';
import { defaultPackageName } from '../firmware/package-rules.ts';
import { type DeltaJob, deltaFileName, progressToStore } from './delta-job.ts';
import type { DeltaJobStore } from './delta-job-store.ts';
import type { DeltaJobSignals, PackageLookup } from './delta-service.ts';

/** The firmware store operations the runner needs to add (or take back) a delta package. */
export type DeltaPackageStore = Pick<
  FirmwareStore,
  'insertPackage' | 'listPackages' | 'deletePackage' | 'markOrphanBlobs'
>;

export interface DeltaRunnerOptions {
  store: DeltaJobStore;
  packages: PackageLookup;
  firmware: DeltaPackageStore;
  blobs: BlobStore;
  clock: Clock;
  /** Who holds leases; unique per process. */
  owner?: string;
  /** How long a claim lasts without a heartbeat. */
  leaseMs?: number;
  /** How often an idle runner looks for jobs queued by other instances. */
  pollMs?: number;
  onError?: (error: unknown, jobId: number) => void;
  /**
   * Runs once the delta package is stored, before the job says it succeeded (the server signs it
   * there where it signs for the product; docs/signing.md). A failure is reported to onError and
   * leaves the package as it is.
   */
  afterStore?: (delta: FirmwarePackage, source: FirmwarePackage, target: FirmwarePackage) => Promise<void>;
}

export interface DeltaRunner extends DeltaJobSignals {
  readonly owner: string;
  start(): void;
  /** Stops the loop; a running job goes back to the queue for the next start. */
  stop(): Promise<void>;
}

/** The tag a generated package carries, so that a retried job finds the package it made. */
const generatedTag = (jobId: number) => `delta-job/${jobId}`;

async function readAll(stream: Readable): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

export function createDeltaRunner(options: DeltaRunnerOptions): DeltaRunner {
  const { store, packages, firmware, blobs, clock } = options;
  const owner = options.owner ?? `deltas-${randomUUID()}`;
  const leaseMs = options.leaseMs ?? 60_000;
  const pollMs = options.pollMs ?? 2000;
  const onError = options.onError ?? (() => {});
  async function afterStore(
    delta: FirmwarePackage,
    source: FirmwarePackage,
    target: FirmwarePackage,
    jobId: number,
  ) {
    try {
      await options.afterStore?.(delta, source, target);
    } catch (error) {
      onError(error, jobId);
    }
  }
  let stopped = true;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let current: { id: number; controller: AbortController } | undefined;

  async function imageOf(file: FirmwareFile): Promise<DiffImage> {
    return blobs.localPath?.(file.sha256) ?? readAll(await blobs.open(file.sha256));
  }

  /** The package an earlier attempt of this job stored before it could say so, if any. */
  async function findGenerated(job: DeltaJob, target: FirmwarePackage): Promise<FirmwarePackage | undefined> {
    const page = await firmware.listPackages(
      { productId: job.productId, module: job.module, version: target.version, type: 'delta' },
      { limit: 500 },
    );
    return page.items.find((p) => p.extData['generatedFrom'] === generatedTag(job.id));
  }

  async function removePackage(pkg: FirmwarePackage): Promise<void> {
    // Its blob is left to the blob sweeper, after the grace period.
    await firmware.deletePackage(pkg.id, clock.now());
  }

  async function storeDelta(
    job: DeltaJob,
    source: FirmwarePackage,
    target: FirmwarePackage,
    result: DiffResult,
  ): Promise<FirmwarePackage> {
    const writer = await blobs.beginWrite({ maxBytes: result.patch.length });
    let created = false;
    let key: string | undefined;
    try {
      await writer.write(result.patch);
      const digest = await writer.finish();
      key = digest.key;
      const name = deltaFileName(source.version, target.version, job.profile, job.format);
      const [from, to] = [source.files[0]!, target.files[0]!];
      return await firmware.insertPackage(
        {
          productId: job.productId,
          module: job.module,
          name: defaultPackageName(target.version, source.version),
          version: target.version,
          type: 'delta',
          sourceVersion: source.version,
          releaseNotes: `Generated by delta job ${job.id} from packages ${source.id} and ${target.id}.`,
          remark: '',
          extData: {
            deltaProfile: job.profile,
            deltaFormat: job.format,
            // A VCDIFF patch carries no checksum: these let a device check the image it restores
            // from and the one it restores (an Updraft patch also has both in its header).
            sourceSha256: from.sha256,
            sourceSize: String(from.size),
            targetSha256: to.sha256,
            targetSize: String(to.size),
            generatedFrom: generatedTag(job.id),
          },
          totalSize: digest.size,
          createdBy: job.createdBy,
          createdAt: clock.now(),
        },
        [{ position: 1, name, size: digest.size, sha256: digest.sha256, md5: digest.md5 }],
        async () => {
          created = (await writer.commit()).created;
        },
      );
    } catch (error) {
      await writer.abort();
      if (created && key) await firmware.markOrphanBlobs([key], clock.now()).catch(() => {});
      throw error;
    }
  }

  async function runJob(job: DeltaJob): Promise<void> {
    const controller = new AbortController();
    current = { id: job.id, controller };
    let stored = 0;
    let beats: Promise<void> = Promise.resolve();
    // Progress and the lease travel together; a refused heartbeat means the job was cancelled
    // (here or through another instance) or its lease was taken over.
    const beat = (percent: number) => {
      beats = beats.then(async () => {
        if (!(await store.heartbeat(job.id, owner, percent, clock.now() + leaseMs))) controller.abort();
      });
    };
    const renew = setInterval(() => beat(stored), Math.max(1000, leaseMs / 3));
    try {
      const [source, target] = await Promise.all([
        packages.getPackage(job.sourcePackageId),
        packages.getPackage(job.targetPackageId),
      ]);
      const earlier = job.attempts > 1 ? await findGenerated(job, target) : undefined;
      if (earlier) {
        await afterStore(earlier, source, target, job.id);
        await store.transition(job.id, ['running'], 'succeeded', {
          progress: 100,
          resultPackageId: earlier.id,
          patchSize: earlier.totalSize,
          finishedAt: clock.now(),
        });
        return;
      }
      const result = await createDiffJob(
        await imageOf(source.files[0]!),
        await imageOf(target.files[0]!),
        { profile: job.profile, format: job.format },
        {
          signal: controller.signal,
          onProgress: (fraction) => {
            const percent = progressToStore(fraction, stored);
            if (percent === undefined) return;
            stored = percent;
            beat(percent);
          },
        },
      );
      await beats;
      if (controller.signal.aborted) return;
      const sizes = { patchSize: result.patch.length, fullCompressedSize: result.fullCompressedSize };
      if (!result.worthwhile) {
        await store.transition(job.id, ['running'], 'not_worthwhile', {
          ...sizes,
          progress: 100,
          finishedAt: clock.now(),
        });
        return;
      }
      const pkg = await storeDelta(job, source, target, result);
      await afterStore(pkg, source, target, job.id);
      const done = await store.transition(job.id, ['running'], 'succeeded', {
        ...sizes,
        progress: 100,
        resultPackageId: pkg.id,
        finishedAt: clock.now(),
      });
      // Cancelled while the package was being stored: take it back.
      if (!done) await removePackage(pkg);
    } catch (error) {
      if (controller.signal.aborted) return;
      const code = isUpdraftError(error) || isDeltaError(error) ? error.code : 'INTERNAL';
      const message = error instanceof Error ? error.message : String(error);
      if (code === 'INTERNAL') onError(error, job.id);
      await store.transition(job.id, ['running'], 'failed', {
        error: { code, message },
        finishedAt: clock.now(),
      });
    } finally {
      clearInterval(renew);
      await beats.catch(() => {});
      current = undefined;
    }
  }

  async function runOnce(): Promise<boolean> {
    const now = clock.now();
    await store.requeueExpired(now);
    const job = await store.claimNext(owner, now, now + leaseMs);
    if (!job) return false;
    await runJob(job);
    if (stopped) await store.transition(job.id, ['running'], 'queued', { progress: 0 });
    return true;
  }

  async function run(): Promise<void> {
    while (!stopped) {
      let worked = false;
      try {
        worked = await runOnce();
      } catch (error) {
        onError(error, 0);
      }
      if (worked || stopped) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  }

  return {
    owner,
    start() {
      if (!stopped) return;
      stopped = false;
      loop = run();
    },
    async stop() {
      stopped = true;
      current?.controller.abort();
      wake?.();
      await loop;
    },
    queued() {
      wake?.();
    },
    cancelled(id) {
      if (current?.id === id) current.controller.abort();
    },
  };
}
