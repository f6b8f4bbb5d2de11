// Persistence of delta jobs (owned by the deltas module). Every status change is a conditional
// update guarded by the statuses it may start from, so two runners or a runner and a cancel
// never both win.
import type { Page, PageRequest } from '../pagination.ts';
import type { DeltaJob, DeltaJobStatus, NewDeltaJob } from './delta-job.ts';

export interface DeltaJobFilter {
  status?: DeltaJobStatus | undefined;
  productId?: number | undefined;
  sourcePackageId?: number | undefined;
  targetPackageId?: number | undefined;
}

/** What changes on a job together with its status. */
export interface DeltaJobPatch {
  progress?: number;
  resultPackageId?: number | null;
  error?: { code: string; message: string } | null;
  patchSize?: number | null;
  fullCompressedSize?: number | null;
  startedAt?: number | null;
  finishedAt?: number | null;
}

export interface DeltaJobStore {
  /** DELTA_JOB_EXISTS when a queued or running job already has the same source and target. */
  insertJob(job: NewDeltaJob): Promise<DeltaJob>;
  getJob(id: number): Promise<DeltaJob | undefined>;
  listJobs(filter: DeltaJobFilter, page: PageRequest): Promise<Page<DeltaJob>>;
  /** Moves a job from one of `from` to `to`; false when its status was none of them. */
  transition(
    id: number,
    from: readonly DeltaJobStatus[],
    to: DeltaJobStatus,
    patch?: DeltaJobPatch,
  ): Promise<boolean>;
  /**
   * Takes the oldest queued job for `owner` until `leaseUntil`: running, attempts + 1. Several
   * instances may call it at once; each job goes to one of them.
   */
  claimNext(owner: string, now: number, leaseUntil: number): Promise<DeltaJob | undefined>;
  /** Writes progress and extends the lease; false when the job is no longer running for `owner`. */
  heartbeat(id: number, owner: string, progress: number, leaseUntil: number): Promise<boolean>;
  /** Puts running jobs whose lease ended before `now` back in the queue; returns their ids. */
  requeueExpired(now: number): Promise<number[]>;
}
