// Which device upgrades a claim takes (UpgradeSelector), locked until commit: FOR UPDATE SKIP
// LOCKED on PostgreSQL for scans, FOR UPDATE for named records; SQLite's BEGIN IMMEDIATE
// transactions (sqlite-dialect.ts) already serialise writers.
import { sql } from 'kysely';
import type { UpgradeSelector } from '../../../modules/plans/upgrade-store.ts';
import type { Db, UpgradeRow } from './plan-rows.ts';

/**
 * Upgrading records nothing was heard of (core silence.ts). The range of the timeout timer on
 * device_upgrades_due (plan_id, next_action, next_action_at) holds only the records silent for
 * long enough; the rest is a filter. In id order SQLite would read every upgrading record of the
 * plan instead. Only the upgrade rows are locked: the device's row is read, not changed.
 */
export function silentUpgradingQuery(
  selector: Extract<UpgradeSelector, { kind: 'silent_upgrading' }>,
  limit: number,
  pg: boolean,
) {
  return sql<UpgradeRow>`select u.*, d.last_seen_at as seen_at from device_upgrades u
    join devices d on d.id = u.device_id
    where u.plan_id = ${selector.planId} and u.next_action = 'timeout'
    and u.next_action_at <= ${selector.timeoutBefore} and u.status = 'upgrading'
    and (u.offered_at is null or u.offered_at <= ${selector.heardBefore})
    and (d.last_seen_at is null or d.last_seen_at <= ${selector.heardBefore})
    order by u.next_action_at, u.id limit ${limit}${sql.raw(pg ? ' for update of u skip locked' : '')}`;
}

export async function claim(
  trx: Db,
  pg: boolean,
  selector: UpgradeSelector,
  limit: number,
): Promise<UpgradeRow[]> {
  // Scheduler scans skip rows another instance holds (they are taken next tick); operator
  // actions and device events on named records wait for them, or they would miss them.
  const lock = sql.raw(pg ? ' for update skip locked' : '');
  const lockWait = sql.raw(pg ? ' for update' : '');
  const base = sql`select * from device_upgrades u where`;
  switch (selector.kind) {
    case 'due_dispatch': {
      const plan = await sql<{
        status: string;
        concurrency: number;
        wave_index: number;
      }>`select status, concurrency, wave_index from plans where id = ${selector.planId}${lock}`.execute(trx);
      const row = plan.rows[0];
      if (row?.status !== 'running') return [];
      const busy = await sql<{ n: number }>`select count(*) as n from device_upgrades
        where plan_id = ${selector.planId} and status in ('pushed', 'upgrading')`.execute(trx);
      const room = Math.min(limit, row.concurrency - Number(busy.rows[0]?.n ?? 0));
      if (room <= 0) return [];
      // The device's version of the record's module: a later component it already runs at the
      // target is skipped when it falls due (core, event 'pushed'; docs/adr/0013).
      return (
        await sql<UpgradeRow>`select u.*, (select dv.version from device_versions dv
            where dv.device_id = u.device_id and dv.module = u.module) as known_version
          from device_upgrades u where plan_id = ${selector.planId} and next_action in ('push', 'retry', 'reoffer')
          and next_action_at <= ${selector.now} and wave <= ${Number(row.wave_index)}
          order by next_action_at, id limit ${room}${lock}`.execute(trx)
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
    case 'offline_pushed':
      // Only the upgrade rows are locked: the device's row is read, not changed.
      return (
        await sql<UpgradeRow>`select u.* from device_upgrades u join devices d on d.id = u.device_id
          where u.plan_id = ${selector.planId} and u.status = 'pushed'
          and u.offered_at <= ${selector.pushedBefore} and d.online = 0
          and (d.last_seen_at is null or d.last_seen_at <= ${selector.seenBefore})
          order by u.id limit ${limit}${sql.raw(pg ? ' for update of u skip locked' : '')}`.execute(trx)
      ).rows;
    case 'silent_upgrading':
      return (await silentUpgradingQuery(selector, limit, pg).execute(trx)).rows;
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
        // Active records, and a device's latest record when a timeout ended it: the device's own
        // word of success may still heal that one (core, reconciliation; issue 14). Rows come in
        // id order, so an active record (always the newer) is the one the engine applies to.
        (
          await sql<UpgradeRow>`${base} module = ${selector.module}
          and device_id in (${sql.join(selector.deviceIds)}) and (active = 1 or (status = 'failure'
            and 'timeout' in (failure_reason, last_failure_reason) and not exists (select 1
              from device_upgrades n where n.device_id = u.device_id and n.module = u.module
              and n.id > u.id))) order by id${lockWait}`.execute(trx)
        ).rows
      );
  }
}
