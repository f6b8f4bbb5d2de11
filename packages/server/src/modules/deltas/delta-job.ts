// A delta job: the background work that diffs two full packages of one product and module and,
// when the patch is worth it, stores it as a delta package. No I/O here: the states, the events
// that move between them, and the rule for which packages make a pair.
import { UpdraftError } from '@updraft/core';
import type { FirmwarePackage } from '../firmware/firmware-store.ts';

export const deltaJobStatuses = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'not_worthwhile',
] as const;
export type DeltaJobStatus = (typeof deltaJobStatuses)[number];

export const deltaProfiles = ['mcu', 'linux'] as const;
export type DeltaProfile = (typeof deltaProfiles)[number];
export const deltaFormats = ['updraft', 'vcdiff'] as const;
export type DeltaFormat = (typeof deltaFormats)[number];

export interface DeltaJob {
  id: number;
  productId: number;
  module: string;
  sourcePackageId: number;
  targetPackageId: number;
  profile: DeltaProfile;
  format: DeltaFormat;
  status: DeltaJobStatus;
  /** Whole percent, 0..100. */
  progress: number;
  resultPackageId: number | null;
  error: { code: string; message: string } | null;
  patchSize: number | null;
  fullCompressedSize: number | null;
  /** How many times a runner has claimed the job (more than 1 after a crash). */
  attempts: number;
  createdBy: string;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export type NewDeltaJob = Pick<
  DeltaJob,
  | 'productId'
  | 'module'
  | 'sourcePackageId'
  | 'targetPackageId'
  | 'profile'
  | 'format'
  | 'createdBy'
  | 'createdAt'
>;

/**
 * claim: a runner takes a queued job. requeue: a runner stops or its lease expired (crash).
 * succeed / skip (not worthwhile) / fail: the diff ended. cancel: an operator asked.
 */
export type DeltaJobEvent = 'claim' | 'requeue' | 'succeed' | 'skip' | 'fail' | 'cancel';

const transitions: Record<DeltaJobEvent, { from: readonly DeltaJobStatus[]; to: DeltaJobStatus }> = {
  claim: { from: ['queued'], to: 'running' },
  requeue: { from: ['running'], to: 'queued' },
  succeed: { from: ['running'], to: 'succeeded' },
  skip: { from: ['running'], to: 'not_worthwhile' },
  fail: { from: ['queued', 'running'], to: 'failed' },
  cancel: { from: ['queued', 'running'], to: 'cancelled' },
};

/** The statuses an event may start from; stores use them as the guard of a conditional update. */
export function statusesBefore(event: DeltaJobEvent): readonly DeltaJobStatus[] {
  return transitions[event].from;
}

/** The status after `event`, or DELTA_JOB_INVALID_TRANSITION. */
export function nextDeltaJobStatus(from: DeltaJobStatus, event: DeltaJobEvent): DeltaJobStatus {
  const rule = transitions[event];
  if (!rule.from.includes(from)) {
    throw new UpdraftError('DELTA_JOB_INVALID_TRANSITION', `a ${from} delta job cannot ${event}`, {
      status: from,
      event,
    });
  }
  return rule.to;
}

export function isFinished(status: DeltaJobStatus): boolean {
  return status !== 'queued' && status !== 'running';
}

const invalidPair = (message: string, details: Record<string, unknown>) =>
  new UpdraftError('DELTA_JOB_INVALID_PAIR', message, details);

/**
 * Two packages make a pair when both are full, single-file packages of the same product and
 * module with different versions. Multi-file packages are left for later: which file diffs
 * against which is not defined yet.
 */
export function checkDeltaPair(source: FirmwarePackage, target: FirmwarePackage): void {
  const ids = { sourcePackageId: source.id, targetPackageId: target.id };
  if (source.productId !== target.productId || source.module !== target.module) {
    throw invalidPair('the two packages belong to different products or modules', ids);
  }
  for (const pkg of [source, target]) {
    if (pkg.type !== 'full') throw invalidPair(`package ${pkg.id} is not a full package`, ids);
    if (pkg.files.length !== 1) {
      throw invalidPair(
        `package ${pkg.id} has ${pkg.files.length} files; deltas need single-file packages`,
        ids,
      );
    }
  }
  if (source.version === target.version) throw invalidPair('the two packages have the same version', ids);
}

/** The name of a generated delta's one file: `.updelta` for the Updraft format, `.vcdiff` for VCDIFF. */
export function deltaFileName(
  source: string,
  target: string,
  profile: DeltaProfile,
  format: DeltaFormat,
): string {
  return format === 'vcdiff'
    ? `${target}-from-${source}.vcdiff`
    : `${target}-from-${source}.${profile}.updelta`;
}

/** Progress is stored in steps of this many percent, so a job writes at most 20 rows. */
export const progressStep = 5;

export function progressToStore(fraction: number, stored: number): number | undefined {
  const percent = Math.min(100 - progressStep, Math.floor((fraction * 100) / progressStep) * progressStep);
  return percent > stored ? percent : undefined;
}
