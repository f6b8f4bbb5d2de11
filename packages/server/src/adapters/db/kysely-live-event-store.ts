// LiveEventStore on Kysely (migration 18), and the writer the plan and upgrade stores call inside
// their transactions, so that an event commits with its change or not at all.
import { type Kysely, sql, type Transaction } from 'kysely';
import {
  type LiveEventKind,
  type LiveEventStore,
  maxIdsPerEvent,
  type NewLiveEvent,
} from '../../modules/live/live-event-store.ts';
import type { UpgradeWrite } from '../../modules/plans/upgrade-store.ts';
import type { DatabaseSchema } from './schema.ts';

type Db = Kysely<DatabaseSchema> | Transaction<DatabaseSchema>;

export async function appendLiveEvents(db: Db, events: readonly NewLiveEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db
    .insertInto('live_events')
    .values(events.map((e) => ({ at: e.at, kind: e.kind, plan_id: e.planId, data: JSON.stringify(e.data) })))
    .execute();
}

/** One event per plan for a batch of device-upgrade writes (progress included), not one per row. */
export function upgradeEventsOf(
  writes: readonly UpgradeWrite[],
  planOf: (upgradeId: number) => number | undefined,
  at: number,
): NewLiveEvent[] {
  const byPlan = new Map<number, number[]>();
  for (const { id } of writes) {
    const planId = planOf(id);
    if (planId === undefined) continue;
    const ids = byPlan.get(planId) ?? [];
    ids.push(id);
    byPlan.set(planId, ids);
  }
  return [...byPlan].map(([planId, ids]) => ({
    at,
    kind: 'device_upgrade' as const,
    planId,
    data: { planId, upgradeIds: ids.slice(0, maxIdsPerEvent), count: ids.length },
  }));
}

export function createKyselyLiveEventStore(db: Kysely<DatabaseSchema>): LiveEventStore {
  return {
    append: (events) => appendLiveEvents(db, events),
    async after(after, limit) {
      const rows = await db
        .selectFrom('live_events')
        .selectAll()
        .where('id', '>', after)
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        id: Number(r.id),
        at: Number(r.at),
        kind: r.kind as LiveEventKind,
        planId: r.plan_id === null ? null : Number(r.plan_id),
        data: JSON.parse(r.data) as Record<string, unknown>,
      }));
    },
    async latestId() {
      const row = await sql<{ n: number | null }>`select max(id) as n from live_events`.execute(db);
      return Number(row.rows[0]?.n ?? 0);
    },
    async oldestId() {
      const row = await sql<{ n: number | null }>`select min(id) as n from live_events`.execute(db);
      const n = row.rows[0]?.n;
      return n === null || n === undefined ? null : Number(n);
    },
    async deleteBefore(before) {
      const result = await db.deleteFrom('live_events').where('at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
