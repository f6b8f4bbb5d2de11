// `npm run bench -- plans [--devices N] [--db sqlite|postgres|both]`: one plan over N devices
// (100,000 by default) driven to completion through the plans module's API, no transport:
// publish (enrolment), scheduler ticks (pushes within the concurrency cap), device reports in
// batches (progress, then target version), a pause and a resume, 1% failing once (automatic
// retry) and 0.2% failing twice (operator retry of a completed plan). Device transitions per
// second are compared with the same database doing one single-row UPDATE per commit.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { type Database, openDatabase, prepareSchema } from '../packages/server/src/adapters/db/database.ts';
import { seedFleet, seedPackage, wirePlans } from '../packages/server/src/test-support/plan-fleet.ts';
import { createEmptyPostgresDatabase } from '../packages/server/src/test-support/test-database.ts';
import type { Aims } from './support/rounds.ts';

let peakRss = 0;
const sampleRss = () => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
};

interface Measured {
  tps: number;
  raw: number;
  transitions: number;
  seconds: number;
  /** The process's CPU time (engine and SQLite, in process) per transition, µs. */
  cpuUs: number;
}

async function withDatabase<T>(kind: 'sqlite' | 'postgres', run: (db: Database) => Promise<T>): Promise<T> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'updraft-bench-'));
    const database = openDatabase({ kind: 'sqlite', path: join(dir, 'bench.db') });
    try {
      await prepareSchema(database, 'auto', () => Date.now());
      return await run(database);
    } finally {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const fresh = await createEmptyPostgresDatabase();
  const database = openDatabase({ kind: 'postgres', url: fresh.url });
  try {
    await prepareSchema(database, 'auto', () => Date.now());
    return await run(database);
  } finally {
    await database.close();
    await fresh.dispose();
  }
}

/** The baseline: single-row UPDATEs, each its own commit, for about `seconds`. */
async function rawUpdatesPerSecond(database: Database, seconds: number): Promise<number> {
  const { db } = database;
  await sql`create table bench_raw (id integer primary key, v integer not null)`.execute(db);
  await sql`insert into bench_raw (id, v) select n, 0 from (${sql.raw(
    database.dialect === 'postgres'
      ? 'select generate_series(1, 1000) as n'
      : 'with recursive s(n) as (select 1 union all select n + 1 from s where n < 1000) select n from s',
  )}) g`.execute(db);
  const started = performance.now();
  let count = 0;
  while (performance.now() - started < seconds * 1000) {
    await sql`update bench_raw set v = v + 1 where id = ${(count % 1000) + 1}`.execute(db);
    count += 1;
  }
  return count / ((performance.now() - started) / 1000);
}

async function runPlan(database: Database, devices: number): Promise<Omit<Measured, 'raw'>> {
  const fleet = await seedFleet(database, devices, { versionOf: () => '1.0' });
  const packageId = await seedPackage(database, fleet.productId, '2.0');
  const { plans, engine, notifier, clock, store } = wirePlans(database, {
    start: Date.now(),
    batchSize: 1000,
  });
  const failOnce = new Set(fleet.deviceIds.filter((_, i) => i % 100 === 7));
  const failTwice = new Set(fleet.deviceIds.filter((_, i) => i % 500 === 3));
  const failures = new Map<number, number>();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const plan = await plans.createPlan(
    {
      name: 'bench',
      productId: fleet.productId,
      firmwarePackageId: packageId,
      target: { kind: 'all' },
      retry: { attempts: 1, intervalSeconds: 60 },
      concurrency: 10_000,
    },
    'bench',
  );
  await plans.publish(plan.id, 'bench');
  sampleRss();
  const report = async (events: Parameters<typeof engine.reportDeviceEvents>[0]) => {
    for (let i = 0; i < events.length; i += 5000) await engine.reportDeviceEvents(events.slice(i, i + 5000));
    sampleRss();
  };
  let round = 0;
  let retriedByOperator = false;
  for (;;) {
    round += 1;
    if (round === 3) {
      await plans.runAction(plan.id, 'pause', 'bench');
      await plans.tickPlan(plan.id, 'bench', 60_000);
      if (notifier.notified.length > 0) throw new Error('a paused plan pushed');
      await plans.runAction(plan.id, 'resume', 'bench');
    }
    await plans.tickPlan(plan.id, 'bench', 60_000);
    const pushed = notifier.notified.splice(0);
    sampleRss();
    await report(
      pushed.map((n) => ({ deviceId: n.deviceId, event: { type: 'progress', percent: 50 } as const })),
    );
    await report(
      pushed.map((n) => {
        const failed = failures.get(n.deviceId) ?? 0;
        const fails = (failOnce.has(n.deviceId) && failed < 1) || (failTwice.has(n.deviceId) && failed < 2);
        if (fails) {
          failures.set(n.deviceId, failed + 1);
          return { deviceId: n.deviceId, event: { type: 'failed', reason: 'download_failed' } as const };
        }
        return { deviceId: n.deviceId, event: { type: 'version_reported', version: '2.0' } as const };
      }),
    );
    clock.advance(61_000);
    const status = (await plans.getPlan(plan.id)).status;
    if (status === 'completed') {
      if (retriedByOperator) break;
      const counts = await store.countUpgrades(plan.id);
      if (counts.failure !== failTwice.size)
        throw new Error(`expected ${failTwice.size} failures, got ${counts.failure}`);
      await plans.retryFailed(plan.id, 'bench');
      retriedByOperator = true;
    }
    if (round > 1000) throw new Error('the plan did not complete');
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const counts = await store.countUpgrades(plan.id);
  if (counts.success !== devices)
    throw new Error(`expected ${devices} successes, got ${JSON.stringify(counts)}`);
  const logs = await sql<{ n: number }>`select count(*) as n from device_upgrade_logs`.execute(database.db);
  // Every log line here is an accepted transition; enrolment creates one record per device.
  const transitions = Number(logs.rows[0]?.n ?? 0) + devices;
  console.log(
    `  ${database.dialect}: ${devices} devices, ${round} rounds, ${transitions} transitions in ${seconds.toFixed(1)} s (CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s); counts ${JSON.stringify(counts)}`,
  );
  return { tps: transitions / seconds, transitions, seconds, cpuUs: (cpu.user + cpu.system) / transitions };
}

/** Issue 21's aims: SQLite transitions at least the single-row baseline; memory under 500 MB. */
export const aims: Aims = {
  sqlite_vs_raw: { min: 1, what: 'SQLite device transitions/s vs one single-row UPDATE per commit' },
  peak_rss_mb: { max: 500, what: 'peak RSS, MB' },
};

export async function main(argv: string[]): Promise<void> {
  const option = (name: string) => {
    const index = argv.indexOf(`--${name}`);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const devices = Number(option('devices') ?? 100_000);
  const which = option('db') ?? 'both';
  const rawSeconds = Number(option('raw-seconds') ?? 5);
  const kinds = (which === 'both' ? ['sqlite', 'postgres'] : [which]) as ('sqlite' | 'postgres')[];
  const results = new Map<string, Measured>();
  const timer = setInterval(sampleRss, 50);
  try {
    for (const kind of kinds) {
      const measured = await withDatabase(kind, async (database) => {
        const run = await runPlan(database, devices);
        const raw = await rawUpdatesPerSecond(database, rawSeconds);
        return { ...run, raw };
      });
      console.log(
        `  ${kind}: ${measured.tps.toFixed(0)} transitions/s; baseline ${measured.raw.toFixed(0)} single-row updates/s; ratio ${(measured.tps / measured.raw).toFixed(2)}`,
      );
      results.set(kind, measured);
    }
  } finally {
    clearInterval(timer);
  }
  sampleRss();
  const peak = Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / (1024 * 1024);
  const field = (kind: string, key: 'tps' | 'ratio' | 'cpu') => {
    const m = results.get(kind);
    if (!m) return 'n/a';
    if (key === 'cpu') return m.cpuUs.toFixed(1);
    return key === 'tps' ? m.tps.toFixed(0) : (m.tps / m.raw).toFixed(2);
  };
  console.log(
    `RESULT plans sqlite_tps=${field('sqlite', 'tps')} sqlite_vs_raw=${field('sqlite', 'ratio')} ` +
      `sqlite_cpu_us=${field('sqlite', 'cpu')} pg_tps=${field('postgres', 'tps')} ` +
      `pg_vs_raw=${field('postgres', 'ratio')} pg_cpu_us=${field('postgres', 'cpu')} peak_rss_mb=${peak.toFixed(0)}`,
  );
}
