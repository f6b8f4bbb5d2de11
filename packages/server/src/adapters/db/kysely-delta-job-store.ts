import { UpdraftError } from '@updraft/core';
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { DeltaFormat, DeltaJob, DeltaJobStatus, DeltaProfile } from '../../modules/deltas/delta-job.ts';
import type { DeltaJobPatch, DeltaJobStore } from '../../modules/deltas/delta-job-store.ts';
import { toPage } from '../../modules/pagination.ts';
import type { DatabaseSchema, DeltaJobsTable } from './schema.ts';
import { isUniqueViolation } from './sql-helpers.ts';

const isLive = (status: DeltaJobStatus) => (status === 'queued' || status === 'running' ? 1 : 0);

function toJob(row: Selectable<DeltaJobsTable>): DeltaJob {
  return {
    id: row.id,
    productId: row.product_id,
    module: row.module,
    sourcePackageId: row.source_package_id,
    targetPackageId: row.target_package_id,
    profile: row.profile as DeltaProfile,
    format: row.format as DeltaFormat,
    status: row.status as DeltaJobStatus,
    progress: row.progress,
    resultPackageId: row.result_package_id,
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
    patchSize: row.patch_size,
    fullCompressedSize: row.full_compressed_size,
    attempts: row.attempts,
    createdBy: row.created_by,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

function columnsOf(patch: DeltaJobPatch): Updateable<DeltaJobsTable> {
  return {
    ...(patch.progress !== undefined && { progress: patch.progress }),
    ...(patch.resultPackageId !== undefined && { result_package_id: patch.resultPackageId }),
    ...(patch.error !== undefined && {
      error_code: patch.error?.code ?? null,
      error_message: patch.error?.message ?? null,
    }),
    ...(patch.patchSize !== undefined && { patch_size: patch.patchSize }),
    ...(patch.fullCompressedSize !== undefined && { full_compressed_size: patch.fullCompressedSize }),
    ...(patch.startedAt !== undefined && { started_at: patch.startedAt }),
    ...(patch.finishedAt !== undefined && { finished_at: patch.finishedAt }),
  };
}

export function createKyselyDeltaJobStore(db: Kysely<DatabaseSchema>): DeltaJobStore {
  async function getJob(id: number): Promise<DeltaJob | undefined> {
    const row = await db.selectFrom('delta_jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toJob(row);
  }

  return {
    async insertJob(job) {
      try {
        const row = await db
          .insertInto('delta_jobs')
          .values({
            product_id: job.productId,
            module: job.module,
            source_package_id: job.sourcePackageId,
            target_package_id: job.targetPackageId,
            profile: job.profile,
            format: job.format,
            status: 'queued',
            active: 1,
            created_by: job.createdBy,
            created_at: job.createdAt,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return toJob(row);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        throw new UpdraftError(
          'DELTA_JOB_EXISTS',
          `a delta job from package ${job.sourcePackageId} to ${job.targetPackageId} is already queued or running`,
          { sourcePackageId: job.sourcePackageId, targetPackageId: job.targetPackageId },
        );
      }
    },

    getJob,

    async listJobs(filter, { after, limit }) {
      const rows = await db
        .selectFrom('delta_jobs')
        .selectAll()
        .$if(after !== undefined, (q) => q.where('id', '>', after!))
        .$if(filter.status !== undefined, (q) => q.where('status', '=', filter.status!))
        .$if(filter.productId !== undefined, (q) => q.where('product_id', '=', filter.productId!))
        .$if(filter.sourcePackageId !== undefined, (q) =>
          q.where('source_package_id', '=', filter.sourcePackageId!),
        )
        .$if(filter.targetPackageId !== undefined, (q) =>
          q.where('target_package_id', '=', filter.targetPackageId!),
        )
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows.map(toJob), limit);
    },

    async transition(id, from, to, patch = {}) {
      const result = await db
        .updateTable('delta_jobs')
        .set({
          ...columnsOf(patch),
          status: to,
          active: isLive(to),
          // Only a running job has a runner.
          ...(to !== 'running' && { lease_owner: null, lease_until: null }),
        })
        .where('id', '=', id)
        .where('status', 'in', [...from])
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async claimNext(owner, now, leaseUntil) {
      // The status guard makes the claim safe with several instances: of two runners that pick
      // the same row, one update finds it no longer queued and claims nothing.
      const row = await db
        .updateTable('delta_jobs')
        .set((eb) => ({
          status: 'running',
          progress: 0,
          attempts: eb('attempts', '+', 1),
          lease_owner: owner,
          lease_until: leaseUntil,
          started_at: now,
        }))
        .where('id', '=', (eb) =>
          eb.selectFrom('delta_jobs').select('id').where('status', '=', 'queued').orderBy('id').limit(1),
        )
        .where('status', '=', 'queued')
        .returningAll()
        .executeTakeFirst();
      return row && toJob(row);
    },

    async heartbeat(id, owner, progress, leaseUntil) {
      const result = await db
        .updateTable('delta_jobs')
        .set({ progress, lease_until: leaseUntil })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .where('lease_owner', '=', owner)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async requeueExpired(now) {
      const rows = await db
        .updateTable('delta_jobs')
        .set({ status: 'queued', progress: 0, lease_owner: null, lease_until: null })
        .where('status', '=', 'running')
        .where('lease_until', '<', now)
        .returning('id')
        .execute();
      return rows.map((r) => r.id);
    },
  };
}
