// UpgradeStore on Kysely, for SQLite and PostgreSQL: device upgrades and their enrolment.
// Targeting is a join against plan_targets (reference semantics: @updraft/core matchesTarget);
// enrolment is INSERT … SELECT in batches (internal/enrolment.ts); claims lock rows
// (internal/upgrade-claims.ts) and internal/upgrade-writer.ts writes each batch back (state,
// log lines, webhook outbox) in the same transaction.
import {
  emptyUpgradeCounts,
  type PlanSpec,
  type PlanStatus,
  type UpgradeLogEntry,
  type UpgradeStatus,
  withSpecDefaults,
} from '@updraft/core';
import { type Kysely, sql } from 'kysely';
import type { UpgradeEventCoalescer } from '../../modules/live/upgrade-event-coalescer.ts';
import { toPage } from '../../modules/pagination.ts';
import type {
  ClaimedPlan,
  StoredUpgrade,
  TargetedSpec,
  UpgradeRecord,
  UpgradeStore,
} from '../../modules/plans/upgrade-store.ts';
import { enrolNextBatch, enrolRecent, loadTargetPlan } from './internal/enrolment.ts';
import { toPlan, toState, toStoredUpgrade, type UpgradeRow } from './internal/plan-rows.ts';
import { busySql, planModules, targetingSql } from './internal/plan-targeting.ts';
import { pushSubjects } from './internal/push-subjects.ts';
import { claim } from './internal/upgrade-claims.ts';
import { createUpgradeWriter, statusChanges } from './internal/upgrade-writer.ts';
import { assignWaves, targetedDevices } from './internal/wave-assignment.ts';
import { appendLiveEvents, upgradeEventsOf } from './kysely-live-event-store.ts';
import { enqueueWebhookEvents } from './kysely-webhook-store.ts';
import type { SqlDialect } from './migrations/migration.ts';
import { prepareQuery } from './prepared-query.ts';
import type { DatabaseSchema } from './schema.ts';
import { readAtScale } from './sql-helpers.ts';

export function createKyselyUpgradeStore(
  db: Kysely<DatabaseSchema>,
  dialect: SqlDialect,
  {
    liveEvents,
  }: {
    /** Which of a batch's device-upgrade events to write in its transaction (all by default). */
    liveEvents?: Pick<UpgradeEventCoalescer, 'admit'>;
  } = {},
): UpgradeStore {
  const pg = dialect === 'postgres';
  const { writeStates, writeLogs } = createUpgradeWriter(pg);
  const recordColumns = sql`u.*, d.name as device_name, d.online as device_online,
    d.last_seen_at as device_last_seen_at, d.signal as device_signal, d.battery as device_battery,
    d.free_space as device_free_space,
    dv.version as device_version`;
  const nullableNumber = (value: number | string | null) => (value === null ? null : Number(value));
  /** The first `limit` targeted devices another plan holds (busySql), by id. */
  async function busyIds(plan: TargetedSpec, limit: number) {
    // A spec not saved has no plan of its own: every active upgrade of the module is another's.
    const busy = busySql(plan.id, planModules(plan.spec, plan.module));
    const ids = await sql<{ id: number }>`select d.id from devices d where ${targetingSql(plan)} and ${busy}
      order by d.id limit ${limit}`.execute(db);
    return ids.rows.map((r) => Number(r.id));
  }
  const toRecord = (row: RecordRow): UpgradeRecord => ({
    ...toStoredUpgrade(row),
    deviceName: row.device_name,
    device: {
      online: Number(row.device_online) === 1,
      lastSeenAt: nullableNumber(row.device_last_seen_at),
      signal: nullableNumber(row.device_signal),
      battery: nullableNumber(row.device_battery),
      freeSpace: nullableNumber(row.device_free_space),
      version: row.device_version,
    },
  });
  // The device's version of the record's module: the module under way (a plan of several
  // components moves the record's module along), so "reported version" is the device's own.
  const recordQuery = sql`select ${recordColumns}, p.status as plan_status from device_upgrades u
    join devices d on d.id = u.device_id join plans p on p.id = u.plan_id
    left join device_versions dv on dv.device_id = u.device_id and dv.module = u.module`;
  type RecordRow = UpgradeRow & {
    device_name: string;
    plan_status: string;
    device_online: number | string;
    device_last_seen_at: number | string | null;
    device_signal: number | string | null;
    device_battery: number | string | null;
    device_free_space: number | string | null;
    device_version: string | null;
  };
  // The device API's hot reads (a check, each download request), built and compiled once, with
  // the plan's status but not the device's name.
  const upgradeWithPlan = () =>
    db
      .selectFrom('device_upgrades as u')
      .innerJoin('plans as p', 'p.id', 'u.plan_id')
      .selectAll('u')
      .select('p.status as plan_status');
  const activeRowQuery = prepareQuery(db as Kysely<unknown>, (deviceId: number, module: string) =>
    upgradeWithPlan()
      .where('u.device_id', '=', deviceId)
      .where('u.module', '=', module)
      // A literal, not a parameter: only then may SQLite use the partial index on active = 1.
      .where('u.active', '=', sql.lit(1)),
  );
  // A check's two reads in one statement: the device's version of the module and its active
  // upgrade of it (on SQLite each statement takes and releases the file's read locks).
  type RowWithVersion = { [K in keyof UpgradeRow]: UpgradeRow[K] | null } & {
    plan_status: string | null;
    device_version: string | null;
  };
  const withVersionQuery = prepareQuery(db as Kysely<unknown>, (deviceId: number, module: string) => {
    const query = sql<RowWithVersion>`select u.*, p.status as plan_status, (select dv.version
      from device_versions dv where dv.device_id = ${deviceId} and dv.module = ${module}) as device_version
      from (select 1 as one) o
      left join device_upgrades u on u.device_id = ${deviceId} and u.module = ${module} and u.active = 1
      left join plans p on p.id = u.plan_id`;
    return { compile: () => query.compile(db) };
  });
  const rowQuery = prepareQuery(db as Kysely<unknown>, (id: number) =>
    upgradeWithPlan().where('u.id', '=', id),
  );
  // Newest first through (device_id, id): every version report without an active upgrade reads it.
  const lastRowQuery = prepareQuery(db as Kysely<unknown>, (deviceId: number, module: string) =>
    upgradeWithPlan()
      .where('u.device_id', '=', deviceId)
      .where('u.module', '=', module)
      .orderBy('u.id', 'desc')
      .limit(1),
  );

  return {
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

    async countTargets(plan, limit) {
      // One pass: busySql probes the one-active index once per targeted device (at 1,000,000
      // devices as fast as joining the busy set, which must be built first, and faster than
      // counting targets and busy devices in two passes at once on two cores).
      const busy = busySql(plan.id, planModules(plan.spec, plan.module));
      const count = await readAtScale(
        db,
        dialect,
        sql<{ n: number; busy: number }>`select count(*) as n,
          sum(case when ${busy} then 1 else 0 end) as busy from devices d where ${targetingSql(plan)}`,
      );
      const busyCount = Number(count.rows[0]?.busy ?? 0);
      return {
        devices: Number(count.rows[0]?.n ?? 0),
        busy: { count: busyCount, deviceIds: busyCount === 0 ? [] : await busyIds(plan, limit) },
      };
    },

    async targetVersions(plan) {
      const rows = await sql<{ version: string; n: number }>`select dv.version as version, count(*) as n
        from devices d join device_versions dv on dv.device_id = d.id and dv.module = ${plan.module}
        where ${targetingSql(plan)} group by dv.version`.execute(db);
      return rows.rows.map((r) => ({ version: r.version, devices: Number(r.n) }));
    },

    async findConflicts(plan, limit) {
      // A spec not saved has no plan of its own: every active upgrade of the module is another's.
      const where = sql`${targetingSql(plan)} and ${busySql(plan.id, planModules(plan.spec, plan.module))}`;
      const count = await sql<{ n: number }>`select count(*) as n from devices d where ${where}`.execute(db);
      const n = Number(count.rows[0]?.n ?? 0);
      // None busy, the usual case: no second pass over the targeted devices to list none.
      return { count: n, deviceIds: n === 0 ? [] : await busyIds(plan, limit) };
    },

    async conflictingUpgradeIds(planId, limit) {
      const plan = toPlan(await loadTargetPlan(db, planId));
      const modules = planModules(plan.spec, plan.module);
      // On one of the plan's modules now, or to go on to one of them (busySql).
      const rows = await sql<{
        id: number;
      }>`select o.id from device_upgrades o join devices d on d.id = o.device_id
        where o.active = 1 and o.plan_id <> ${planId} and ${targetingSql(plan)}
          and (o.module in (${sql.join(modules)}) or exists (select 1 from plan_components pc
            where pc.plan_id = o.plan_id and pc.position > o.component and pc.module in (${sql.join(modules)})))
        order by o.id limit ${limit}`.execute(db);
      return rows.rows.map((r) => Number(r.id));
    },

    enrolNextBatch: (planId, limit, initial) => enrolNextBatch(db, pg, planId, limit, initial),
    enrolRecent: (planId, since, initial, now) => enrolRecent(db, planId, since, initial, now),

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
        const rows = await claim(trx, pg, selector, limit);
        if (rows.length === 0) return { claimed: 0, result: apply([], new Map()).result };
        const planIds = [...new Set(rows.map((r) => Number(r.plan_id)))];
        const plans = await trx
          .selectFrom('plans')
          .select(['id', 'status', 'spec', 'wave_index'])
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
            // The dispatcher's lock: two transactions that may each take the last free place
            // count one after the other (SQLite's BEGIN IMMEDIATE already serialises them).
            if (pg) await sql`select id from plans where id = ${p.id} for update`.execute(trx);
            const n = await sql<{ n: number }>`select count(*) as n from device_upgrades
              where plan_id = ${p.id} and status in ('pushed', 'upgrading')`.execute(trx);
            busy = Number(n.rows[0]?.n ?? 0);
          }
          claimed.set(Number(p.id), {
            status: p.status as PlanStatus,
            spec: withSpecDefaults(JSON.parse(p.spec) as PlanSpec),
            busy,
            openWave: Number(p.wave_index),
          });
        }
        const statusOf = (id: number) => claimed.get(id)?.status ?? 'cancelled';
        // Per claimed row: fields set one by one (a conditional spread cost a runtime call each).
        const stored: StoredUpgrade[] = rows.map((row) => {
          const upgrade: StoredUpgrade = {
            id: Number(row.id),
            planId: Number(row.plan_id),
            deviceId: Number(row.device_id),
            module: row.module,
            state: toState(row),
            planStatus: statusOf(Number(row.plan_id)),
            wave: Number(row.wave),
          };
          if ('known_version' in row) upgrade.knownVersion = row.known_version as string | null;
          if ('seen_at' in row) upgrade.seenAt = row.seen_at === null ? null : Number(row.seen_at);
          return upgrade;
        });
        const { writes, result } = apply(stored, claimed);
        const made = await writeStates(trx, writes, new Map(stored.map((row) => [row.id, row.state])));
        await writeLogs(trx, made);
        await enqueueWebhookEvents(trx, dialect, statusChanges(stored, made));
        // The console's event stream: one event per plan whose upgrades this batch changed, or
        // held with the plan's next ones when it had one a moment ago (upgrade-event-coalescer).
        const planOf = new Map(stored.map((row) => [row.id, row.planId]));
        const at = made.find((w) => w.log)?.log?.at ?? Date.now();
        const events = upgradeEventsOf(made, (id) => planOf.get(id), at);
        await appendLiveEvents(trx, liveEvents ? liveEvents.admit(events) : events);
        return { claimed: rows.length, result };
      });
    },

    async getUpgrade(id) {
      const rows = await sql<RecordRow>`${recordQuery} where u.id = ${id}`.execute(db);
      return rows.rows[0] && toRecord(rows.rows[0]);
    },

    pushSubjects: (ids) => pushSubjects(db, ids),

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

    async activeUpgradeRow(deviceId, module) {
      const [row] = await activeRowQuery(deviceId, module);
      return row && toStoredUpgrade(row);
    },

    async activeUpgradeRowWithVersion(deviceId, module) {
      const [row] = await withVersionQuery(deviceId, module);
      const version = row?.device_version ?? undefined;
      if (!row || row.id === null) return { upgrade: undefined, version };
      return { upgrade: toStoredUpgrade(row as UpgradeRow & { plan_status: string }), version };
    },

    async upgradeRow(id) {
      const [row] = await rowQuery(id);
      return row && toStoredUpgrade(row);
    },

    async lastUpgradeRow(deviceId, module) {
      const [row] = await lastRowQuery(deviceId, module);
      return row && toStoredUpgrade(row);
    },

    async activeUpgradesOfDevice(deviceId) {
      const rows = await sql<RecordRow>`${recordQuery} where u.device_id = ${deviceId} and u.active = 1
        order by u.id`.execute(db);
      return rows.rows.map(toRecord);
    },

    async activeUpgradesOfDevices(deviceIds) {
      const found: UpgradeRecord[] = [];
      // device_upgrades_one_active (device_id, module) where active = 1 answers each part.
      for (let start = 0; start < deviceIds.length; start += 500) {
        const part = deviceIds.slice(start, start + 500);
        const rows = await sql<RecordRow>`${recordQuery} where u.device_id in (${sql.join(part)})
          and u.active = 1`.execute(db);
        for (const row of rows.rows) found.push(toRecord(row));
      }
      return found;
    },

    async rollbackSources(planId) {
      const rows = await sql<{ from_version: string | null; device_id: number }>`select from_version,
        device_id from device_upgrades where plan_id = ${planId} and status = 'success'
        order by device_id`.execute(db);
      const byVersion = new Map<string | null, number[]>();
      for (const row of rows.rows) {
        const list = byVersion.get(row.from_version) ?? [];
        list.push(Number(row.device_id));
        byVersion.set(row.from_version, list);
      }
      return [...byVersion].map(([version, deviceIds]) => ({ version, deviceIds }));
    },

    async waveGroups(planId) {
      const rows = await sql<{ wave: number; status: string; n: number }>`select wave, status,
        count(*) as n from device_upgrades where plan_id = ${planId} group by wave, status`.execute(db);
      return rows.rows.map((r) => ({
        wave: Number(r.wave),
        status: r.status as UpgradeStatus,
        count: Number(r.n),
      }));
    },

    assignWaves: (planId, groupIds, assign) => assignWaves(db, planId, groupIds, assign),
    targetedDevices: (plan, groupIds) => targetedDevices(db, plan, groupIds),

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
  };
}
