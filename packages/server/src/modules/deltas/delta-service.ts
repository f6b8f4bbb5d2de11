// Delta jobs as the management API sees them: ask for a delta between two full packages, follow
// the job, cancel it. The work itself happens in the runner (delta-runner.ts).
import { UpdraftError } from '@updraft/core';
import type { Clock } from '../../adapters/clock/clock.ts';
import type { FirmwarePackage, PackageSlot } from '../firmware/firmware-store.ts';
import type { PageRequest } from '../pagination.ts';
import {
  checkDeltaPair,
  type DeltaFormat,
  type DeltaJob,
  type DeltaProfile,
  nextDeltaJobStatus,
  statusesBefore,
} from './delta-job.ts';
import type { DeltaJobFilter, DeltaJobStore } from './delta-job-store.ts';

/** What the deltas module needs to know about firmware packages (the firmware service fits). */
export interface PackageLookup {
  /** NOT_FOUND when there is no such package. */
  getPackage(id: number): Promise<FirmwarePackage>;
}

/** Whether a package slot is taken (the firmware store fits). */
export interface SlotLookup {
  isSlotTaken(slot: PackageSlot): Promise<boolean>;
}

/** How the service tells this process's runner about a new or cancelled job. */
export interface DeltaJobSignals {
  queued(): void;
  cancelled(id: number): void;
}

export interface DeltaRequest {
  fromPackageId: number;
  profile: DeltaProfile;
  format?: DeltaFormat | undefined;
}

export function createDeltaService(deps: {
  store: DeltaJobStore;
  packages: PackageLookup;
  slots: SlotLookup;
  signals: DeltaJobSignals;
  clock: Clock;
}) {
  const { store, packages, slots, signals, clock } = deps;

  async function getJob(id: number): Promise<DeltaJob> {
    const job = await store.getJob(id);
    if (!job) throw new UpdraftError('NOT_FOUND', `no delta job ${id}`, { resource: 'delta job', id });
    return job;
  }

  return {
    getJob,
    listJobs: (filter: DeltaJobFilter, page: PageRequest) => store.listJobs(filter, page),

    /** Queues a delta from `request.fromPackageId` to the full package `targetPackageId`. */
    async requestDelta(targetPackageId: number, request: DeltaRequest, createdBy: string): Promise<DeltaJob> {
      const target = await packages.getPackage(targetPackageId);
      const source = await packages.getPackage(request.fromPackageId);
      checkDeltaPair(source, target);
      const slot = {
        productId: target.productId,
        module: target.module,
        version: target.version,
        sourceVersion: source.version,
      };
      if (await slots.isSlotTaken(slot)) {
        throw new UpdraftError(
          'FIRMWARE_VERSION_EXISTS',
          `module ${target.module} of product ${target.productId} already has version ${target.version} from ${source.version}`,
          { module: target.module, version: target.version, sourceVersion: source.version },
        );
      }
      const job = await store.insertJob({
        productId: target.productId,
        module: target.module,
        sourcePackageId: source.id,
        targetPackageId: target.id,
        profile: request.profile,
        format: request.format ?? 'updraft',
        createdBy,
        createdAt: clock.now(),
      });
      signals.queued();
      return job;
    },

    /** Cancels a queued or running job; a running diff stops and leaves no package and no blob. */
    async cancelJob(id: number): Promise<DeltaJob> {
      const job = await getJob(id);
      nextDeltaJobStatus(job.status, 'cancel');
      const done = await store.transition(id, statusesBefore('cancel'), 'cancelled', {
        finishedAt: clock.now(),
      });
      if (!done) {
        // The job finished between the read and the update.
        const now = await getJob(id);
        nextDeltaJobStatus(now.status, 'cancel');
      }
      signals.cancelled(id);
      return getJob(id);
    },
  };
}

export type DeltaService = ReturnType<typeof createDeltaService>;
