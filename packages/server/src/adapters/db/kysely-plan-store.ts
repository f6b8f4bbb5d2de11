// PlanStore on Kysely, for SQLite and PostgreSQL. Targeting is a join against plan_targets
// (reference semantics: @updraft/core matchesTarget); enrolment is INSERT … SELECT in batches;
// claims lock rows with FOR UPDATE SKIP LOCKED on PostgreSQL, while SQLite's BEGIN IMMEDIATE
// transactions (sqlite-dialect.ts) already serialise writers; internal/upgrade-writer.ts writes
// each batch back (state, log lines, webhook outbox) in the same transaction.
import {
  emptyUpgradeCounts,
  type PlanSpec,
  type PlanStatus,
  type PlanTransitionRecord,
  type UpgradeLogEntry,
  type UpgradeState,
} from '@updraft/core';
import { type Kysely, type RawBuilder, type Selectable, sql } from 'kysely';
import { toPage } from '../../modules/pagination.ts';
import type {
  ClaimedPlan,
  Completions,
  PlanStore,
  StoredUpgrade,
  UpgradeRecord,
  UpgradeSelector,
} from '../../modules/plans/plan-store.ts';
import {
  type Db,
  stateColumns,
  stateValues,
  toPlan,
  toState,
  type UpgradeRow,
} from './internal/plan-rows.ts';
import { insertTargets, type TargetPlan, targetingSql } from './internal/plan-targeting.ts';
import { createUpgradeWriter, statusChanges } from './internal/upgrade-writer.ts';
import { enqueueWebhookEvents } from './kysely-webhook-store.ts';
import type { SqlDialect } from './migrations/migration.ts';
import type { DatabaseSchema, PlansTable } from './schema.ts';

export function createKyselyPlanStore(db: Kysely<DatabaseSchema>, dialect: SqlDialect): PlanStore {
  const pg = dialect === 'postgres';
  // Scheduler scans skip rows another instance holds (they are taken next tick); operator
  // actions and device events on named records wait for them, or they would miss them.
  const lock = sql.raw(pg ? ' for update skip locked' : '');
  const lockWait = sql.raw(pg ? ' for update' : '');
  const { writeStates, writeLogs } = createUpgradeWriter(pg);

  async function loadTargetPlan(trx: Db, planId: number) {
    const row = await trx.selectFrom('plans').selectAll().where('id', '=', planId).executeTakeFirstOrThrow();
    return row;
  }

  async function insertFrom(trx: Db, plan: TargetPlan, initial: UpgradeState, extra: RawBuilder<unknown>) {
    const columns = sql.raw(['plan_id', 'device_id', 'module', ...stateColumns, 'created_at'].join(', '));
    const values = sql.join([
      sql`cast(${plan.id} as bigint)`,
      sql`d.id`,
      sql`cast(${plan.module} as text)`,
      ...stateValues(initial),
      sql`cast(${initial.createdAt} as bigint)`,
    ]);
    // ON CONFLICT DO NOTHING covers both (plan_id, device_id) and the one-active-plan index:
    // a device already enrolled, or busy in another plan of the module, is skipped.
    const result = await sql`insert into device_upgrades (${columns})
      select ${values} from devices d where ${targetingSql(plan)} and ${extra}
      on conflict do nothing`.execute(trx);
    return Number(result.numAffectedRows ?? 0n);
  }

  async function claim(trx: Db, selector: UpgradeSelector, limit: number): Promise<UpgradeRow[]> {
    const base = sql`select * from device_upgrades u where`;
    switch (selector.kind) {
      case 'due_dispatch': {
        const plan = await sql<{ status: string; concurrency: number }>`select status, concurrency
          from plans where id = ${selector.planId}${lock}`.execute(trx);
        const row = plan.rows[0];
        if (row?.status !== 'running') return [];
        const busy = await sql<{ n: number }>`select count(*) as n from device_upgrades
          where plan_id = ${selector.planId} and status in ('pushed', 'upgrading')`.execute(trx);
        const room = Math.min(limit, row.concurrency - Number(busy.rows[0]?.n ?? 0));
        if (room <= 0) return [];
        return (
          await sql<UpgradeRow>`${base} plan_id = ${selector.planId} and next_action in ('push', 'retry')
            and next_action_at <= ${selector.now} order by next_action_at, id limit ${room}${lock}`.execute(
            trx,
          )
        ).rows;
      }
      case 'due_timers': {
        if (selector.actions.length === 0) return [];
        return (
          await sql<UpgradeRow>`${base} plan_id = ${selector.planId}
            and next_action in (${sql.join(selector.actions)}) and next_action_at <= ${selector.now}
            order by next_action_at, id limit ${limit}${lock}`.execute(trx)
        ).rows;
      }
      case 'unfinished':
        return (
          await sql<UpgradeRow>`${base} plan_id = ${selector.planId} and active = 1
            order by id limit ${limit}${lockWait}`.execute(trx)
        ).rows;
      case 'ids': {
        if (selector.ids.length === 0) return [];
        const plan = selector.planId === undefined ? sql`` : sql` and plan_id = ${selector.planId}`;
        // As for `failed`: a finished record whose device is active in another plan of the
        // module is left alone (retrying it would break the one-active-plan index).
        return (
          await sql<UpgradeRow>`${base} id in (${sql.join(selector.ids)})${plan}
            and not exists (select 1 from device_upgrades o where o.device_id = u.device_id
              and o.module = u.module and o.active = 1 and o.plan_id <> u.plan_id)
            order by id limit ${limit}${lockWait}`.execute(trx)
        ).rows;
      }
      case 'failed':
        // A device that joined another plan of the module meanwhile cannot be retried here.
        return (
          await sql<UpgradeRow>`${base} plan_id = ${selector.planId} and status = 'failure'
            and id > ${selector.afterId} and not exists (select 1 from device_upgrades o
              where o.device_id = u.device_id and o.module = u.module and o.active = 1)
            order by id limit ${limit}${lockWait}`.execute(trx)
        ).rows;
      case 'awaiting':
        return (
          await sql<UpgradeRow>`${base} plan_id = ${selector.planId} and confirmation = 'awaiting'
            and active = 1 and id > ${selector.afterId} order by id limit ${limit}${lockWait}`.execute(trx)
        ).rows;
      case 'devices':
        if (selector.deviceIds.length === 0) return [];
        return (
          await sql<UpgradeRow>`${base} module = ${selector.module} and active = 1
            and device_id in (${sql.join(selector.deviceIds)}) order by id${lockWait}`.execute(trx)
        ).rows;
    }
  }

  const recordColumns = sql`u.*, d.name as device_name`;
  const toRecord = (row: UpgradeRow & { device_name: string; plan_status: string }): UpgradeRecord => ({
    id: row.id,
    planId: row.plan_id,
    deviceId: row.device_id,
    module: row.module,
    state: toState(row),
    planStatus: row.plan_status as PlanStatus,
    deviceName: row.device_name,
  });
  const recordQuery = sql`select ${recordColumns}, p.status as plan_status from device_upgrades u
    join devices d on d.id = u.device_id join plans p on p.id = u.plan_id`;
  type RecordRow = UpgradeRow & { device_name: string; plan_status: string };

  /** Ended records matching `where` (over `device_upgrades u`), counted per bucket of finished_at. */
  async function completionSeries(where: RawBuilder<unknown>, bucketMs: number): Promise<Completions[]> {
    const bucket = sql`cast(${bucketMs} as bigint)`;
    const series = await sql<{ b: number; status: string; n: number }>`select b, status, count(*) as n
      from (select u.finished_at / ${bucket} as b, u.status from device_upgrades u where ${where}
        and u.finished_at is not null and u.active = 0) s group by b, status order by b`.execute(db);
    const completions = new Map<number, Completions>();
    for (const row of series.rows) {
      const at = Number(row.b) * bucketMs;
      const entry = completions.get(at) ?? { at, success: 0, failure: 0, cancelled: 0 };
      if (row.status === 'success' || row.status === 'failure' || row.status === 'cancelled') {
        entry[row.status] += Number(row.n);
      }
      completions.set(at, entry);
    }
    return [...completions.values()];
  }

  return {
    async insertPlan(plan, now) {
      return db.transaction().execute(async (trx) => {
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
        return toPlan(row);
      });
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
        .$if(after !== undefined, (q) => q.where('id', '>', after!))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      return toPage(rows.map(toPlan), limit);
    },

    async updateDraft(id, { name, spec, verification }, now) {
      return db.transaction().execute(async (trx) => {
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
        return true;
      });
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
        await enqueueWebhookEvents(trx, dialect, [{ type: 'plan.transition', at: record.at, payload }]);
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

    async countUpgrades(planId) {
      const rows = await db
        .selectFrom('device_upgrades')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('plan_id', '=', planId)
        .groupBy('status')
        .execute();
      const counts = emptyUpgradeCounts();
      for (const row of rows) counts[row.status as keyof typeof counts] = Number(row.n);
      return counts;
    },

    async countTargets(plan) {
      const count = await sql<{ n: number }>`select count(*) as n from devices d
        where ${targetingSql(plan)}`.execute(db);
      return Number(count.rows[0]?.n ?? 0);
    },

    async findConflicts(plan, limit) {
      // A spec not saved has no plan of its own: every active upgrade of the module is another's.
      const other = plan.id === null ? sql`` : sql` and o.plan_id <> ${plan.id}`;
      const busy = sql`exists (select 1 from device_upgrades o where o.device_id = d.id
        and o.module = ${plan.module} and o.active = 1${other})`;
      const where = sql`${targetingSql(plan)} and ${busy}`;
      const count = await sql<{ n: number }>`select count(*) as n from devices d where ${where}`.execute(db);
      const ids = await sql<{ id: number }>`select d.id from devices d where ${where}
        order by d.id limit ${limit}`.execute(db);
      return { count: Number(count.rows[0]?.n ?? 0), deviceIds: ids.rows.map((r) => Number(r.id)) };
    },

    async conflictingUpgradeIds(planId, limit) {
      const plan = toPlan(await loadTargetPlan(db, planId));
      const rows = await sql<{
        id: number;
      }>`select o.id from device_upgrades o join devices d on d.id = o.device_id
        where o.module = ${plan.module} and o.active = 1 and o.plan_id <> ${planId} and ${targetingSql(plan)}
        order by o.id limit ${limit}`.execute(db);
      return rows.rows.map((r) => Number(r.id));
    },

    async enrolNextBatch(planId, limit, initial) {
      return db.transaction().execute(async (trx) => {
        const locked = await sql<Selectable<PlansTable>>`select * from plans where id = ${planId}${sql.raw(
          pg ? ' for update' : '',
        )}`.execute(trx);
        const row = locked.rows[0];
        if (!row) return { inserted: 0, done: true };
        if (row.enrol_done === 1) return { inserted: 0, done: true };
        const plan = toPlan(row);
        const cursor = Number(row.enrol_cursor);
        const edge = await sql<{ id: number }>`select id from devices where product_id = ${plan.productId}
          and id > ${cursor} order by id limit 1 offset ${limit - 1}`.execute(trx);
        const upto = edge.rows[0] ? Number(edge.rows[0].id) : null;
        const range = upto === null ? sql`d.id > ${cursor}` : sql`d.id > ${cursor} and d.id <= ${upto}`;
        const inserted = await insertFrom(trx, plan, initial, range);
        let next = upto;
        if (next === null) {
          const max = await sql<{ m: number | null }>`select max(id) as m from devices
            where product_id = ${plan.productId}`.execute(trx);
          next = Math.max(cursor, Number(max.rows[0]?.m ?? 0));
        }
        await trx
          .updateTable('plans')
          .set({
            enrol_cursor: next,
            enrol_done: upto === null ? 1 : 0,
            scanned_at: row.scanned_at ?? initial.createdAt,
          })
          .where('id', '=', planId)
          .execute();
        return { inserted, done: upto === null };
      });
    },

    async enrolRecent(planId, since, initial, now) {
      return db.transaction().execute(async (trx) => {
        const plan = toPlan(await loadTargetPlan(trx, planId));
        // New devices, new group members, and targeted devices another plan of the module held
        // (skipped by the one-active-plan index) that it has let go since. Devices already in
        // the plan (nearly all) are passed over first, through the (plan_id, device_id) index:
        // this scan runs every minute for every live plan.
        const recent = sql`not exists (select 1 from device_upgrades m where m.plan_id = ${planId}
          and m.device_id = d.id) and (d.created_at >= ${since} or exists (select 1 from group_members gm
          where gm.device_id = d.id and gm.added_at >= ${since}) or exists (select 1
          from device_upgrades o where o.device_id = d.id and o.module = ${plan.module}
            and o.plan_id <> ${planId} and o.active = 0 and o.finished_at >= ${since}))`;
        const inserted = await insertFrom(trx, plan, initial, recent);
        await trx.updateTable('plans').set({ scanned_at: now }).where('id', '=', planId).execute();
        return inserted;
      });
    },

    async planScannedAt(planId) {
      const row = await db
        .selectFrom('plans')
        .select('scanned_at')
        .where('id', '=', planId)
        .executeTakeFirst();
      return row?.scanned_at ?? null;
    },

    async updateUpgrades(selector, limit, apply) {
      return db.transaction().execute(async (trx) => {
        const rows = await claim(trx, selector, limit);
        if (rows.length === 0) return { claimed: 0, result: apply([], new Map()).result };
        const planIds = [...new Set(rows.map((r) => Number(r.plan_id)))];
        const plans = await trx
          .selectFrom('plans')
          .select(['id', 'status', 'spec'])
          .where('id', 'in', planIds)
          .execute();
        const claimed = new Map<number, ClaimedPlan>();
        // The load only decides whether a pending record may be offered: count it for the plans
        // that have one in this batch (most checks come from devices already pushed).
        const pendingPlans = new Set(
          rows.filter((r) => r.status === 'pending').map((r) => Number(r.plan_id)),
        );
        for (const p of plans) {
          let busy = 0;
          if (selector.kind === 'devices' && selector.withLoad && pendingPlans.has(Number(p.id))) {
            const n = await sql<{ n: number }>`select count(*) as n from device_upgrades
              where plan_id = ${p.id} and status in ('pushed', 'upgrading')`.execute(trx);
            busy = Number(n.rows[0]?.n ?? 0);
          }
          claimed.set(Number(p.id), {
            status: p.status as PlanStatus,
            spec: JSON.parse(p.spec) as PlanSpec,
            busy,
          });
        }
        const statusOf = (id: number) => claimed.get(id)?.status ?? 'cancelled';
        const stored: StoredUpgrade[] = rows.map((row) => ({
          id: Number(row.id),
          planId: Number(row.plan_id),
          deviceId: Number(row.device_id),
          module: row.module,
          state: toState(row),
          planStatus: statusOf(Number(row.plan_id)),
        }));
        const { writes, result } = apply(stored, claimed);
        await writeStates(trx, writes, new Map(stored.map((row) => [row.id, row.state])));
        await writeLogs(trx, writes);
        await enqueueWebhookEvents(trx, dialect, statusChanges(stored, writes));
        return { claimed: rows.length, result };
      });
    },

    async getUpgrade(id) {
      const rows = await sql<RecordRow>`${recordQuery} where u.id = ${id}`.execute(db);
      return rows.rows[0] && toRecord(rows.rows[0]);
    },

    async getUpgrades(ids) {
      const found: UpgradeRecord[] = [];
      for (let start = 0; start < ids.length; start += 500) {
        const part = ids.slice(start, start + 500);
        const rows = await sql<RecordRow>`${recordQuery} where u.id in (${sql.join(part)})`.execute(db);
        for (const row of rows.rows) found.push(toRecord(row));
      }
      return found;
    },

    async listUpgrades(planId, filter, { after, limit }) {
      const status = filter.status === undefined ? sql`` : sql` and u.status = ${filter.status}`;
      const device = filter.deviceId === undefined ? sql`` : sql` and u.device_id = ${filter.deviceId}`;
      const from = after === undefined ? sql`` : sql` and u.id > ${after}`;
      const rows = await sql<RecordRow>`${recordQuery} where u.plan_id = ${planId}${status}${device}${from}
        order by u.id limit ${limit + 1}`.execute(db);
      return toPage(rows.rows.map(toRecord), limit);
    },

    async upgradesOfDevice(deviceId, { after, limit }) {
      const from = after === undefined ? sql`` : sql` and u.id > ${after}`;
      const rows = await sql<RecordRow>`${recordQuery} where u.device_id = ${deviceId}${from}
        order by u.id limit ${limit + 1}`.execute(db);
      return toPage(rows.rows.map(toRecord), limit);
    },

    async activeUpgradesOfDevice(deviceId) {
      const rows = await sql<RecordRow>`${recordQuery} where u.device_id = ${deviceId} and u.active = 1
        order by u.id`.execute(db);
      return rows.rows.map(toRecord);
    },

    async upgradeLog(upgradeId) {
      const rows = await db
        .selectFrom('device_upgrade_logs')
        .selectAll()
        .where('upgrade_id', '=', upgradeId)
        .orderBy('id')
        .execute();
      return rows.map(
        (r): UpgradeLogEntry => ({
          at: r.at,
          event: r.event as UpgradeLogEntry['event'],
          from: r.from_status as UpgradeLogEntry['from'],
          to: r.to_status as UpgradeLogEntry['to'],
          actor: r.actor,
          message: r.message,
        }),
      );
    },

    async report(planId, bucketMs) {
      const counts = await this.countUpgrades(planId);
      const progress = await sql<{ progress: number; n: number }>`select progress, count(*) as n
        from device_upgrades where plan_id = ${planId} and status = 'upgrading'
        group by progress order by progress`.execute(db);
      const reasons = await sql<{ reason: string; n: number }>`select failure_reason as reason, count(*) as n
        from device_upgrades where plan_id = ${planId} and status = 'failure'
        group by failure_reason order by n desc, reason`.execute(db);
      return {
        counts,
        progress: progress.rows.map((r) => ({ progress: Number(r.progress), count: Number(r.n) })),
        failureReasons: reasons.rows.map((r) => ({ reason: r.reason, count: Number(r.n) })),
        completions: await completionSeries(sql`u.plan_id = ${planId}`, bucketMs),
      };
    },

    completions({ productId, since }, bucketMs) {
      const product =
        productId === undefined
          ? sql``
          : sql` and u.plan_id in (select id from plans where product_id = ${productId})`;
      return completionSeries(sql`u.finished_at >= ${since}${product}`, bucketMs);
    },

    async fleetVersions(productId) {
      const rows = await sql<{ module: string; version: string; n: number }>`select dv.module, dv.version,
        count(*) as n from device_versions dv join devices d on d.id = dv.device_id
        where d.product_id = ${productId} group by dv.module, dv.version
        order by dv.module, dv.version`.execute(db);
      return rows.rows.map((r) => ({ module: r.module, version: r.version, devices: Number(r.n) }));
    },

    async isPackageInUse(packageId) {
      const row = await db
        .selectFrom('plans')
        .select('id')
        .where('firmware_package_id', '=', packageId)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },

    async getSetting(key) {
      const row = await db
        .selectFrom('server_settings')
        .select('value')
        .where('key', '=', key)
        .executeTakeFirst();
      return row?.value;
    },

    async setSetting(key, value) {
      await db
        .insertInto('server_settings')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
    },
  };
}
