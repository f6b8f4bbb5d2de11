// The crash campaign's view of the database, from a connection of its own (never through the
// instances it kills): the plan's rows by status, and the concurrency cap sampled all along.
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { sleep } from './instances.ts';

export interface UpgradeRow {
  name: string;
  status: string;
  failure_reason: string | null;
  failure_detail: string | null;
}

export async function openMonitor(db: 'sqlite' | 'postgres', target: string, planId: number) {
  let query: <T>(text: string, params?: (string | number)[]) => Promise<T[]>;
  let close: () => Promise<void>;
  if (db === 'sqlite') {
    const sqlite = new DatabaseSync(target, { readOnly: true });
    sqlite.exec('pragma busy_timeout = 5000');
    query = async <T>(text: string, params: (string | number)[] = []) =>
      sqlite.prepare(text.replace(/\$\d+/g, '?')).all(...params) as T[];
    close = async () => sqlite.close();
  } else {
    const client = new pg.Client({ connectionString: target });
    await client.connect();
    query = async <T>(text: string, params: (string | number)[] = []) =>
      (await client.query(text, params)).rows as T[];
    close = () => client.end();
  }
  const count = async (condition: string) => {
    const [row] = await query<{ n: number }>(
      `select count(*) as n from device_upgrades where plan_id = $1 and ${condition}`,
      [planId],
    );
    return Number(row?.n ?? 0);
  };
  return {
    /** Upgrades not yet ended. */
    live: () => count('active = 1'),
    /** Upgrades that ended (success, failure, cancelled). */
    ended: () => count(`status in ('success', 'failure', 'cancelled')`),
    busy: () => count(`status in ('pushed', 'upgrading')`),
    /** Upgrades the plan has pushed or that went further (not pending). */
    dispatched: () => count(`status <> 'pending'`),
    /** The plan's status and its housekeeping lease (plan-store.ts claimPlanLease). */
    async plan(): Promise<{ status: string; leaseOwner: string | null; leaseUntil: number | null }> {
      const [row] = await query<{ status: string; lease_owner: string | null; lease_until: number | null }>(
        'select status, lease_owner, lease_until from plans where id = $1',
        [planId],
      );
      return {
        status: row?.status ?? '?',
        leaseOwner: row?.lease_owner ?? null,
        leaseUntil: row?.lease_until == null ? null : Number(row.lease_until),
      };
    },
    async statuses(): Promise<string> {
      const rows = await query<{ status: string; n: number }>(
        'select status, count(*) as n from device_upgrades where plan_id = $1 group by status order by status',
        [planId],
      );
      return rows.map((r) => `${r.status} ${r.n}`).join(', ');
    },
    rows: () =>
      query<UpgradeRow>(
        `select d.name, u.status, u.failure_reason, u.failure_detail
           from device_upgrades u join devices d on d.id = u.device_id where u.plan_id = $1`,
        [planId],
      ),
    close,
  };
}

export type Monitor = Awaited<ReturnType<typeof openMonitor>>;

/** Samples the plan's busy records (pushed, upgrading) every 25 ms until stopped. */
export function sampleCap(monitor: Monitor, cap: number) {
  let peak = 0;
  let exceeded = 0;
  let sampling = true;
  const loop = (async () => {
    while (sampling) {
      const busy = await monitor.busy().catch(() => 0);
      peak = Math.max(peak, busy);
      if (busy > cap) exceeded++;
      await sleep(25);
    }
  })();
  return {
    async stop(): Promise<{ peak: number; exceeded: number }> {
      sampling = false;
      await loop;
      return { peak, exceeded };
    },
  };
}
