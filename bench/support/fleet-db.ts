// The database under bench/fleet-scale.ts (`--db postgres|sqlite`): where the app finds it, the
// import's baselines on it, what stands in for PostgreSQL-only steps, its sizes, and its removal.
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseSchema } from '../../packages/server/src/adapters/db/schema.ts';
import { createEmptyPostgresDatabase } from '../../packages/server/src/test-support/test-database.ts';
import { type CopyBaselines, copyBaselines } from './fleet-scale-steps.ts';
import { sqliteBaselines } from './sqlite-baselines.ts';

export interface Sizes {
  /** Bytes of devices and device_versions with their indexes. */
  devices: number;
  upgrades: number;
  logs: number;
  /** Rows of device_upgrade_logs. */
  lines: number;
}

export interface FleetDb {
  kind: 'postgres' | 'sqlite';
  /** The app's databaseUrl; none for SQLite, the embedded default (<dataDir>/updraft.db). */
  databaseUrl?: string;
  /** The import's baselines (same tables, bare); `how` names the path that gave `schemaS`. */
  baselines(count: number, productId: number): Promise<CopyBaselines & { how: string; note: string }>;
  /** PostgreSQL: ANALYZE, as autovacuum would have by then. SQLite: nothing (the app runs none). */
  analyze(): Promise<void>;
  sizes(db: Kysely<DatabaseSchema>): Promise<Sizes>;
  /** Drops the database, or with `keep` prints where it stays (to EXPLAIN its plans afterwards). */
  dispose(keep: boolean): Promise<void>;
}

export async function openFleetDb(kind: string, dataDir: string): Promise<FleetDb> {
  if (kind === 'sqlite') {
    const path = join(dataDir, 'updraft.db');
    return {
      kind,
      async baselines(count, productId) {
        const b = await sqliteBaselines(path, dataDir, count, productId);
        const note = `node:sqlite ${b.bothS['node']!.toFixed(1)} s, sqlite3 .import ${b.bothS['cli']!.toFixed(1)} s`;
        return { ...b, note };
      },
      analyze: async () => {},
      async sizes(db) {
        const rows = await sql<{ t: string; bytes: number }>`select coalesce(m.tbl_name, s.name) as t,
            sum(s.pgsize) as bytes from dbstat s left join sqlite_master m on m.name = s.name group by t`.execute(
          db,
        );
        const of = (table: string) => Number(rows.rows.find((r) => r.t === table)?.bytes ?? 0);
        const lines = await sql<{ n: number }>`select count(*) as n from device_upgrade_logs`.execute(db);
        return {
          devices: of('devices') + of('device_versions'),
          upgrades: of('device_upgrades'),
          logs: of('device_upgrade_logs'),
          lines: Number(lines.rows[0]?.n),
        };
      },
      async dispose(keep) {
        if (keep) {
          // The copy outlives the data folder: the database file only (checkpointed by the app's close).
          const kept = join(dataDir, '..', `updraft-fleet-kept-${Date.now()}.db`);
          copyFileSync(path, kept);
          console.log(`  kept ${kept}`);
        }
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  if (kind !== 'postgres') throw new Error('--db takes postgres or sqlite');
  const fresh = await createEmptyPostgresDatabase();
  const admin = new pg.Client({ connectionString: fresh.url });
  await admin.connect();
  return {
    kind,
    databaseUrl: fresh.url,
    async baselines(count, productId) {
      const b = await copyBaselines(fresh.url, count, (text, values) => admin.query(text, values), productId);
      return { ...b, how: 'copy', note: 'psql \\copy' };
    },
    analyze: async () => {
      await admin.query('analyze');
    },
    async sizes() {
      const size = await admin.query<Record<keyof Sizes, string>>(
        `select pg_total_relation_size('devices') + pg_total_relation_size('device_versions') as devices,
                pg_total_relation_size('device_upgrades') as upgrades,
                pg_total_relation_size('device_upgrade_logs') as logs,
                (select count(*) from device_upgrade_logs) as lines`,
      );
      const row = size.rows[0]!;
      return {
        devices: Number(row.devices),
        upgrades: Number(row.upgrades),
        logs: Number(row.logs),
        lines: Number(row.lines),
      };
    },
    async dispose(keep) {
      await admin.end().catch(() => {});
      if (keep) console.log(`  kept ${fresh.url}`);
      else await fresh.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
