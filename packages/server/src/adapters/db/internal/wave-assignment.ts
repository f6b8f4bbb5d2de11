// Waves in the database (issue 18): which groups of the waves each device is in, read for the
// devices a plan enrolled (assignment, once, at the end of its sweep) or a spec targets (the
// preview); the waves themselves are @updraft/core's assignWaves.
import { type Kysely, sql } from 'kysely';
import type { TargetedSpec } from '../../../modules/plans/upgrade-store.ts';
import type { DatabaseSchema } from '../schema.ts';
import type { Db } from './plan-rows.ts';
import { targetingSql } from './plan-targeting.ts';

type Device = { id: string; groupIds: string[] };

async function withGroups(trx: Db, ids: number[], groupIds: readonly string[]): Promise<Device[]> {
  const devices = new Map(ids.map((id) => [id, { id: String(id), groupIds: [] as string[] }]));
  if (groupIds.length > 0 && ids.length > 0) {
    const rows = await sql<{ device_id: number; group_id: number }>`select gm.device_id, gm.group_id
      from group_members gm where gm.group_id in (${sql.join(groupIds.map(Number))})`.execute(trx);
    for (const row of rows.rows) devices.get(Number(row.device_id))?.groupIds.push(String(row.group_id));
  }
  return [...devices.values()];
}

export async function targetedDevices(
  db: Kysely<DatabaseSchema>,
  plan: TargetedSpec,
  groupIds: readonly string[],
): Promise<Device[]> {
  const rows = await sql<{ id: number }>`select d.id from devices d where ${targetingSql(plan)}
    order by d.id`.execute(db);
  return withGroups(
    db,
    rows.rows.map((r) => Number(r.id)),
    groupIds,
  );
}

export async function assignWaves(
  db: Kysely<DatabaseSchema>,
  planId: number,
  groupIds: readonly string[],
  assign: (devices: readonly Device[]) => number[],
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    // The compare-and-set first: a second instance finds it done and writes nothing.
    const claimed = await trx
      .updateTable('plans')
      .set({ waves_assigned: 1 })
      .where('id', '=', planId)
      .where('waves_assigned', '=', 0)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return false;
    const rows = await sql<{ id: number; device_id: number }>`select id, device_id from device_upgrades
      where plan_id = ${planId} order by id`.execute(trx);
    const records = rows.rows.map((r) => ({ id: Number(r.id), deviceId: Number(r.device_id) }));
    const devices = await withGroups(
      trx,
      records.map((r) => r.deviceId),
      groupIds,
    );
    const waves = assign(devices);
    const byWave = new Map<number, number[]>();
    records.forEach((record, index) => {
      const wave = waves[index] ?? 0;
      byWave.set(wave, [...(byWave.get(wave) ?? []), record.id]);
    });
    for (const [wave, ids] of byWave) {
      for (let i = 0; i < ids.length; i += 500) {
        await sql`update device_upgrades set wave = ${wave}
          where id in (${sql.join(ids.slice(i, i + 500))})`.execute(trx);
      }
    }
    return true;
  });
}
