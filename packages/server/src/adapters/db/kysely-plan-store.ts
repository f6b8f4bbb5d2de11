// PlanStore on Kysely, for SQLite and PostgreSQL: plans, their targeting lists (plan_targets,
// internal/plan-targeting.ts), lifecycle transitions (with their webhook events, in the same
// transaction) and the scheduler's housekeeping leases.
import { type PlanStatus, type PlanTransitionRecord, UpdraftError } from '@updraft/core';
import { type Kysely, sql } from 'kysely';
import { toPage } from '../../modules/pagination.ts';
import type { PlanStore, WaveEvent } from '../../modules/plans/plan-store.ts';
import { toPlan } from './internal/plan-rows.ts';
import { insertComponents, insertTargets } from './internal/plan-targeting.ts';
import { appendLiveEvents } from './kysely-live-event-store.ts';
import { enqueueWebhookEvents, type OutboxEvent } from './kysely-webhook-store.ts';
import type { SqlDialect } from './migrations/migration.ts';
import type { DatabaseSchema } from './schema.ts';
import { isUniqueViolationOf } from './sql-helpers.ts';

/** Runs a write that sets a plan's name; the product's other plan of that name is PLAN_NAME_EXISTS. */
async function nameUnique<T>(plan: { productId: number; name: string }, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isUniqueViolationOf(error, 'plans_name', 'name')) throw error;
    throw new UpdraftError(
      'PLAN_NAME_EXISTS',
      `product ${plan.productId} already has a plan named ${JSON.stringify(plan.name)}`,
      { name: plan.name },
    );
  }
}

/** Wave events as webhook deliveries (`wave` 0-based, as the API's `component` and `index`). */
function waveOutbox(planId: number, events: readonly WaveEvent[]): OutboxEvent[] {
  return events.map((e) => ({
    type: e.type,
    at: e.at,
    payload: {
      type: e.type,
      planId,
      wave: e.wave,
      at: e.at,
      ...(e.reason !== undefined && { reason: e.reason }),
    },
  }));
}

export function createKyselyPlanStore(db: Kysely<DatabaseSchema>, dialect: SqlDialect): PlanStore {
  return {
    async insertPlan(plan, now) {
      return nameUnique(plan, () =>
        db.transaction().execute(async (trx) => {
          const row = await trx
            .insertInto('plans')
            .values({
              product_id: plan.productId,
              module: plan.module,
              name: plan.name,
              firmware_package_id: plan.firmwarePackageId,
              status: 'draft',
              spec: JSON.stringify(plan.spec),
              verification: plan.verification ? 1 : 0,
              concurrency: plan.spec.concurrency,
              start_at: plan.spec.start.mode === 'at' ? plan.spec.start.at : null,
              deadline: plan.spec.deadline,
              created_by: plan.createdBy,
              created_at: now,
              updated_at: now,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          await insertTargets(trx, row.id, plan.spec);
          await insertComponents(trx, row.id, plan.spec, plan.module);
          return toPlan(row);
        }),
      );
    },

    async getPlan(id) {
      const row = await db.selectFrom('plans').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toPlan(row);
    },

    async listPlans(filter, { after, limit }) {
      const rows = await db
        .selectFrom('plans')
        .selectAll()
        .$if(filter.productId !== undefined, (q) => q.where('product_id', '=', filter.productId!))
        .$if(filter.status !== undefined, (q) => q.where('status', '=', filter.status!))
        // A plan of several components lists each component's package (migration 10).
        .$if(filter.firmwarePackageId !== undefined, (q) =>
          q.where((eb) =>
            eb.or([
              eb('firmware_package_id', '=', filter.firmwarePackageId!),
              eb.exists(
                eb
                  .selectFrom('plan_components as c')
                  .select('c.plan_id')
                  .whereRef('c.plan_id', '=', 'plans.id')
                  .where('c.package_id', '=', filter.firmwarePackageId!),
              ),
            ]),
          ),
        )
        .$if(after !== undefined, (q) => q.where('id', '>', after!))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows.map(toPlan), limit);
    },

    async updateDraft(id, { name, spec, verification }, now) {
      const productId = (
        await db.selectFrom('plans').select('product_id').where('id', '=', id).executeTakeFirst()
      )?.product_id;
      return nameUnique({ productId: productId ?? 0, name }, () =>
        db.transaction().execute(async (trx) => {
          const result = await trx
            .updateTable('plans')
            .set({
              name,
              spec: JSON.stringify(spec),
              verification: verification ? 1 : 0,
              concurrency: spec.concurrency,
              start_at: spec.start.mode === 'at' ? spec.start.at : null,
              deadline: spec.deadline,
              updated_at: now,
            })
            .where('id', '=', id)
            .where('status', '=', 'draft')
            .executeTakeFirst();
          if (Number(result.numUpdatedRows) !== 1) return false;
          await trx.deleteFrom('plan_targets').where('plan_id', '=', id).execute();
          await insertTargets(trx, id, spec);
          const { module } = await trx
            .selectFrom('plans')
            .select('module')
            .where('id', '=', id)
            .executeTakeFirstOrThrow();
          await trx.deleteFrom('plan_components').where('plan_id', '=', id).execute();
          await insertComponents(trx, id, spec, module);
          return true;
        }),
      );
    },

    async transition(id, record, patch) {
      return db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('plans')
          .set({
            status: record.to,
            updated_at: record.at,
            ...(patch.failureBaseline !== undefined && {
              failure_baseline: patch.failureBaseline === null ? null : JSON.stringify(patch.failureBaseline),
            }),
            ...(patch.takeOver !== undefined && { take_over: patch.takeOver ? 1 : 0 }),
            ...(patch.startedAt !== undefined && { started_at: patch.startedAt }),
            ...(patch.finishedAt !== undefined && { finished_at: patch.finishedAt }),
            // A reopened plan keeps its log until it ends again and the retention has passed.
            ...(patch.finishedAt === null && { log_prune_cursor: 0, log_pruned_at: null }),
            ...(patch.wave !== undefined && {
              wave_index: patch.wave.index,
              wave_phase: patch.wave.phase,
              wave_until: patch.wave.until,
            }),
          })
          .where('id', '=', id)
          .where('status', '=', record.from)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) return false;
        await trx
          .insertInto('plan_transitions')
          .values({
            plan_id: id,
            from_status: record.from,
            to_status: record.to,
            action: record.action,
            actor: record.actor,
            at: record.at,
            reason: record.reason,
          })
          .execute();
        if (patch.verifyPackageId !== undefined) {
          await trx
            .updateTable('firmware_packages')
            .set({ verified: 1 })
            .where('id', '=', patch.verifyPackageId)
            .execute();
        }
        const payload = { type: 'plan.transition', planId: id, ...record };
        await enqueueWebhookEvents(trx, dialect, [
          { type: 'plan.transition', at: record.at, payload },
          ...waveOutbox(id, patch.waveEvents ?? []),
        ]);
        await appendLiveEvents(trx, [
          {
            at: record.at,
            kind: 'plan',
            planId: id,
            data: { planId: id, from: record.from, to: record.to, action: record.action },
          },
        ]);
        return true;
      });
    },

    async moveWave(id, status, from, to, events) {
      return db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('plans')
          .set({ wave_index: to.index, wave_phase: to.phase, wave_until: to.until })
          .where('id', '=', id)
          .where('status', '=', status)
          .where('wave_index', '=', from.index)
          .where('wave_phase', '=', from.phase)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) return false;
        await enqueueWebhookEvents(trx, dialect, waveOutbox(id, events));
        await appendLiveEvents(trx, [
          {
            at: Date.now(),
            kind: 'plan',
            planId: id,
            data: { planId: id, wave: to.index, phase: to.phase },
          },
        ]);
        return true;
      });
    },

    async listTransitions(planId) {
      const rows = await db
        .selectFrom('plan_transitions')
        .selectAll()
        .where('plan_id', '=', planId)
        .orderBy('id')
        .execute();
      return rows.map((r) => ({
        from: r.from_status as PlanStatus,
        to: r.to_status as PlanStatus,
        action: r.action as PlanTransitionRecord['action'],
        actor: r.actor,
        at: r.at,
        reason: r.reason,
      }));
    },

    async listLivePlanIds() {
      // Cancelled or expired plans with records still active: a crash came between the
      // transition and ending them, and the scheduler finishes the job.
      const rows = await sql<{
        id: number;
      }>`select id from plans where status in ('scheduled', 'running', 'paused')
        or (status in ('cancelled', 'expired') and exists (select 1 from device_upgrades u
          where u.plan_id = plans.id and u.active = 1)) order by id`.execute(db);
      return rows.rows.map((r) => Number(r.id));
    },

    async claimPlanLease(id, owner, now, ttlMs) {
      const result = await db
        .updateTable('plans')
        .set({ lease_owner: owner, lease_until: now + ttlMs })
        .where('id', '=', id)
        .where((eb) =>
          eb.or([eb('lease_owner', 'is', null), eb('lease_until', '<', now), eb('lease_owner', '=', owner)]),
        )
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async releasePlanLease(id, owner) {
      await db
        .updateTable('plans')
        .set({ lease_owner: null, lease_until: null })
        .where('id', '=', id)
        .where('lease_owner', '=', owner)
        .execute();
    },

    async isPackageInUse(packageId) {
      const row = await db
        .selectFrom('plan_components')
        .select('plan_id')
        .where('package_id', '=', packageId)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },

    async componentTargets(planIds) {
      const found = new Map<number, { module: string; targetVersion: string }[]>();
      if (planIds.length === 0) return found;
      // A package's version never changes: the component's target is its package's version.
      const rows = await sql<{ plan_id: number; module: string; version: string }>`select pc.plan_id,
        pc.module, fp.version from plan_components pc join firmware_packages fp on fp.id = pc.package_id
        where pc.plan_id in (${sql.join([...new Set(planIds)])}) order by pc.plan_id, pc.position`.execute(
        db,
      );
      for (const row of rows.rows) {
        const list = found.get(Number(row.plan_id)) ?? [];
        list.push({ module: row.module, targetVersion: row.version });
        found.set(Number(row.plan_id), list);
      }
      return found;
    },
  };
}
