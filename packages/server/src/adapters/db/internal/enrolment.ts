// Enrolment: pending device upgrades for the devices a plan targets, written by INSERT … SELECT
// against the targeting join (plan-targeting.ts): the first sweep in batches of devices (a
// cursor on the plan), then, every minute, the devices that became targets since.
import type { UpgradeState } from '@updraft/core';
import { type Kysely, type RawBuilder, type Selectable, sql } from 'kysely';
import type { DatabaseSchema, PlansTable } from '../schema.ts';
import { type Db, stateColumns, stateValues, toPlan } from './plan-rows.ts';
import { busySql, heldLaterSql, planModules, type TargetPlan, targetingSql } from './plan-targeting.ts';

export async function loadTargetPlan(trx: Db, planId: number) {
  const row = await trx.selectFrom('plans').selectAll().where('id', '=', planId).executeTakeFirstOrThrow();
  return row;
}

/**
 * What enrolment leaves out besides what ON CONFLICT skips (the first module's record in another
 * plan): devices another plan holds for one of this plan's modules (docs/adr/0013). A plan of
 * one component pays for the check only while some plan has a later component on its module.
 */
async function notHeld(trx: Db, plan: TargetPlan): Promise<RawBuilder<unknown>> {
  const modules = planModules(plan.spec, plan.module);
  if (modules.length > 1) return sql`not ${busySql(plan.id, modules)}`;
  const later = await sql`select 1 from plan_components where module = ${plan.module} and position > 0
    limit 1`.execute(trx);
  return later.rows.length === 0 ? sql`1 = 1` : sql`not ${heldLaterSql(plan.id, modules)}`;
}

async function insertFrom(trx: Db, plan: TargetPlan, initial: UpgradeState, extra: RawBuilder<unknown>) {
  const columns = sql.raw(
    ['plan_id', 'device_id', 'module', ...stateColumns, 'created_at', 'wave', 'from_version'].join(', '),
  );
  // Every record starts in the last wave: the first sweep's get their waves when it ends
  // (wave-assignment.ts), devices that join later stay there (issue 18).
  const lastWave = Math.max(0, (plan.spec.waves?.length ?? 1) - 1);
  const values = sql.join([
    sql`cast(${plan.id} as bigint)`,
    sql`d.id`,
    sql`cast(${plan.module} as text)`,
    ...stateValues(initial),
    sql`cast(${initial.createdAt} as bigint)`,
    sql`cast(${lastWave} as integer)`,
    // What a rollback plan brings the device back to (issue 18).
    sql`(select dv.version from device_versions dv where dv.device_id = d.id and dv.module = ${plan.module})`,
  ]);
  // ON CONFLICT DO NOTHING covers both (plan_id, device_id) and the one-active-plan index:
  // a device already enrolled, or busy in another plan of the module, is skipped.
  const result = await sql`insert into device_upgrades (${columns})
    select ${values} from devices d where ${targetingSql(plan)} and ${extra} and ${await notHeld(trx, plan)}
    on conflict do nothing`.execute(trx);
  return Number(result.numAffectedRows ?? 0n);
}

export async function enrolNextBatch(
  db: Kysely<DatabaseSchema>,
  pg: boolean,
  planId: number,
  limit: number,
  initial: UpgradeState,
): Promise<{ inserted: number; done: boolean }> {
  let finished = false;
  const result = await db.transaction().execute(async (trx) => {
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
    finished = upto === null;
    return { inserted, done: upto === null };
  });
  // A plan just enrolled may have added most of device_upgrades' rows, long before autovacuum
  // samples them: with the old statistics PostgreSQL took a plan of 20,000 records for 49 and
  // sorted the plan's whole remainder for every page of its list and export (issue 25).
  if (pg && finished) await sql`analyze device_upgrades`.execute(db);
  return result;
}

export async function enrolRecent(
  db: Kysely<DatabaseSchema>,
  planId: number,
  since: number,
  initial: UpgradeState,
  now: number,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const plan = toPlan(await loadTargetPlan(trx, planId));
    // New devices, new group members, and targeted devices another plan of the module held
    // (skipped by the one-active-plan index) that it has let go since. Devices already in
    // the plan (nearly all) are passed over first, through the (plan_id, device_id) index:
    // this scan runs every minute for every live plan.
    // A plan of several components also waits for plans that held any of its modules.
    const modules = planModules(plan.spec, plan.module);
    const recent = sql`not exists (select 1 from device_upgrades m where m.plan_id = ${planId}
      and m.device_id = d.id) and (d.created_at >= ${since} or exists (select 1 from group_members gm
      where gm.device_id = d.id and gm.added_at >= ${since}) or exists (select 1
      from device_upgrades o where o.device_id = d.id and o.plan_id <> ${planId} and o.active = 0
        and o.finished_at >= ${since} and exists (select 1 from plan_components pc
          where pc.plan_id = o.plan_id and pc.module in (${sql.join(modules)}))))`;
    const inserted = await insertFrom(trx, plan, initial, recent);
    await trx.updateTable('plans').set({ scanned_at: now }).where('id', '=', planId).execute();
    return inserted;
  });
}
