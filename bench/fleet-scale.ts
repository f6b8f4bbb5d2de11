// `npm run bench -- fleet-scale [--devices N] [--db postgres|sqlite]`: one product of N devices
// (1,000,000 by default) on PostgreSQL (a fresh database, dropped at the end) or, with `--db
// sqlite`, on SQLite as the embedded default runs it (node:sqlite through the app's own database
// config, a fresh file in a temporary folder, deleted at the end), served by a real app on loopback:
// - import: N devices as streamed CSV through POST /products/{id}/devices/import, against the
//   database's own bulk load of the same rows (devices and their versions) into the same tables,
//   with their foreign keys and trigger (the aim's baseline, docs/adr/0020), and into bare copies
//   of them. On PostgreSQL that is psql's COPY. On SQLite, which has no COPY, it is the faster of
//   one prepared INSERT per row in one transaction through node:sqlite and the sqlite3 shell's
//   .import through a temporary table (bench/support/sqlite-baselines.ts): `import_vs_copy` is then
//   the import's rows/s against that load's, and `import_vs_bare_copy` against the same load into
//   tables without foreign keys or triggers;
// - targeting: the live target count (POST /plans/targets) over all devices, a version filter
//   (10%) and a group (10%);
// - enrolment and dispatch: a plan over the whole product, concurrency 10,000, driven by scheduler
//   ticks and device events reported to the engine (no sockets), until every device is offered
//   (enrol_s) and then completed; tick times of the first and last rounds;
// - reports and lists: the plan's report, its CSV export streamed, the device list's first page,
//   its total (kept by the database), a version total, a name search with its total, and the
//   fleet's online total (past 100,000 matches a filtered total stops counting);
// - the same import through `updraft devices import FILE.csv` (a child process) into a second
//   product;
// - the upgrade log's retention (UPDRAFT_UPGRADE_LOG_RETENTION_DAYS) over the finished plan;
// - the server's RSS (this process) sampled throughout.
// PostgreSQL's ANALYZE after the import has no SQLite counterpart (the app runs none there).
// `--only import` stops after the import and its COPY baseline (the figure to compare alternately);
// `--only targeting` after the target counts as well.
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import { createKyselyUpgradeLogPruneStore } from '../packages/server/src/adapters/db/kysely-upgrade-log-prune-store.ts';
import { buildApp } from '../packages/server/src/app.ts';
import { loadConfig } from '../packages/server/src/config/config.ts';
import { createRecordingNotifier } from '../packages/server/src/test-support/recording-notifier.ts';
import { option } from './support/bench-fleet.ts';
import { openFleetDb } from './support/fleet-db.ts';
import {
  apiClient,
  cliImport,
  countLines,
  importCsv,
  rssSampler,
  settle,
} from './support/fleet-scale-steps.ts';
import type { Aims } from './support/rounds.ts';

export const aims: Aims = {
  import_vs_copy: { min: 0.3, what: 'import rows/s vs COPY (SQLite: its bulk load) into the same tables' },
  target_count_ms: { max: 2000, what: 'slowest live target count, ms' },
  report_ms: { max: 2000, what: 'plan report, ms' },
  list_ms: { max: 2000, what: 'slowest device list page or total, ms' },
  rss_mb: { max: 500, what: 'server peak RSS, MB' },
};

export async function main(argv: string[]): Promise<void> {
  const count = Number(option(argv, 'devices', '1000000'));
  const only = option(argv, 'only', '');
  if (only !== '' && only !== 'import' && only !== 'targeting')
    throw new Error('--only takes import or targeting');
  const rss = rssSampler();
  const dataDir = mkdtempSync(join(tmpdir(), 'updraft-fleet-'));
  const fleetDb = await openFleetDb(option(argv, 'db', 'postgres'), dataDir);
  const config = loadConfig(
    {},
    {
      dataDir,
      ...(fleetDb.databaseUrl && { databaseUrl: fleetDb.databaseUrl }),
      logLevel: 'silent',
      mqttPort: 0,
      httpHost: '127.0.0.1',
      httpPort: 0,
    },
  );
  const notifier = createRecordingNotifier();
  const app = await buildApp(config, { notifier, scheduler: false });
  const log = (text: string) => console.log(`  ${text}`);
  try {
    await app.http.listen({ host: '127.0.0.1', port: 0 });
    const address = app.http.server.address();
    if (!address || typeof address === 'string') throw new Error('no address');
    const key = await app.services.accounts.createApiKey(null, { name: 'bench', role: 'admin' });
    const api = apiClient(`http://127.0.0.1:${address.port}`, key.secret);
    const product = await api.json<{ id: number }>('POST', '/products', { name: 'fleet' });
    const form = new FormData();
    form.set('version', '2.0');
    form.set('file', new Blob([new Uint8Array(4096)]), 'app.bin');
    const upload = await api.fetch(`/products/${product.id}/firmware`, { method: 'POST', body: form });
    if (upload.status !== 201) throw new Error(`upload: ${upload.status} ${await upload.text()}`);
    const packageId = ((await upload.json()) as { id: number }).id;

    // Import, then COPY of the same rows.
    const cpuBefore = process.cpuUsage();
    let started = performance.now();
    let summary = '';
    const imported = await api.fetch(`/products/${product.id}/devices/import`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: Readable.toWeb(importCsv(count)) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    if (imported.status !== 200) throw new Error(`import: ${imported.status} ${await imported.text()}`);
    await countLines(imported, (line) => {
      if (line.startsWith('{"summary"')) summary = line;
    });
    const importS = (performance.now() - started) / 1000;
    const importCpu = process.cpuUsage(cpuBefore);
    const created = (JSON.parse(summary) as { summary: { created: number } }).summary.created;
    if (created !== count) throw new Error(`imported ${created} of ${count}: ${summary}`);
    const copyProduct = await api.json<{ id: number }>('POST', '/products', { name: 'fleet-copy' });
    const copy = await fleetDb.baselines(count, copyProduct.id);
    await settle();
    const removed = await api.fetch(`/products/${copyProduct.id}`, { method: 'DELETE' });
    if (!removed.ok) throw new Error(`delete the COPY's product: ${removed.status} ${await removed.text()}`);
    const copyS = copy.schemaS;
    const copies =
      `import_vs_copy=${(copyS / importS).toFixed(2)} ` +
      `import_vs_bare_copy=${(copy.bareS / importS).toFixed(2)} db=${fleetDb.kind}`;
    log(
      `import: ${count} devices in ${importS.toFixed(1)} s (${(count / importS).toFixed(0)}/s); ` +
        `${fleetDb.kind === 'sqlite' ? `SQLite's load (${copy.note}; the faster: ${copy.how})` : 'COPY'} ` +
        `into the same tables ${copyS.toFixed(1)} s (${(count / copyS).toFixed(0)}/s), ` +
        `into bare copies ${copy.bareS.toFixed(1)} s; peak RSS ${rss.peakMb().toFixed(0)} MB`,
    );
    if (only === 'import') {
      const cpu = importCpu;
      console.log(
        `RESULT fleet-scale devices=${count} import_s=${importS.toFixed(1)} copy_s=${copyS.toFixed(1)} ` +
          `${copies} cpu_s=${((cpu.user + cpu.system) / 1e6).toFixed(1)} ` +
          `rss_mb=${rss.peakMb().toFixed(0)}`,
      );
      return;
    }
    await fleetDb.analyze();

    // Targeting.
    const group = await api.json<{ id: number }>('POST', '/groups', { productId: product.id, name: 'tenth' });
    const added = await api.json<{ added: number }>('POST', `/groups/${group.id}/members`, {
      filter: { productId: product.id, version: '0.8' },
    });
    const base = { productId: product.id, firmwarePackageId: packageId };
    const targets: Record<string, number> = {};
    for (const [name, target] of [
      ['all', { kind: 'all' }],
      ['version', { kind: 'versions', versions: ['0.9'] }],
      ['group', { kind: 'groups', groupIds: [group.id] }],
    ] as const) {
      const [answer, ms] = await api.timed<{ total?: number; count?: number }>('POST', '/plans/targets', {
        ...base,
        target,
      });
      targets[name] = ms;
      log(`target count ${name}: ${JSON.stringify(answer)} in ${ms.toFixed(0)} ms`);
    }
    log(`group of ${added.added} devices`);
    if (only === 'targeting') {
      console.log(
        `RESULT fleet-scale devices=${count} import_s=${importS.toFixed(1)} ${copies} ` +
          `target_count_ms=${Math.max(...Object.values(targets)).toFixed(0)} ` +
          `target_all_ms=${targets['all']!.toFixed(0)} target_version_ms=${targets['version']!.toFixed(0)} ` +
          `target_group_ms=${targets['group']!.toFixed(0)} rss_mb=${rss.peakMb().toFixed(0)}`,
      );
      return;
    }

    // Enrolment and dispatch: every device connects (at the database level), one plan over all.
    await sql`update devices set online = 1, last_seen_at = ${Date.now()} where product_id = ${product.id}`.execute(
      app.database.db,
    );
    const { plans, upgrades } = app.services;
    const plan = await plans.createPlan(
      { name: 'all', ...base, target: { kind: 'all' }, concurrency: 10_000 },
      'bench',
    );
    started = performance.now();
    await plans.publish(plan.id, 'bench');
    let offered = 0;
    let enrolS = 0;
    const tickMs: number[] = [];
    for (let round = 1; ; round++) {
      const tickStarted = performance.now();
      await plans.tickPlan(plan.id, 'bench', 60_000);
      tickMs.push(performance.now() - tickStarted);
      const pushed = notifier.notified.splice(0);
      offered += pushed.length;
      if (offered >= count && enrolS === 0) enrolS = (performance.now() - started) / 1000;
      for (const type of ['progress', 'version_reported'] as const) {
        for (let i = 0; i < pushed.length; i += 5000) {
          await upgrades.reportDeviceEvents(
            pushed.slice(i, i + 5000).map((n) => ({
              deviceId: n.deviceId,
              event: type === 'progress' ? { type, percent: 50 } : { type, version: '2.0' },
            })),
          );
        }
      }
      rss.sample();
      if ((await plans.getPlan(plan.id)).status === 'completed') break;
      if (round > count / 1000 + 50) throw new Error(`the plan did not complete (${offered} offered)`);
    }
    const completeS = (performance.now() - started) / 1000;
    await settle();
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    log(
      `plan: ${offered} offered in ${enrolS.toFixed(1)} s, completed in ${completeS.toFixed(1)} s, ` +
        `${tickMs.length} ticks; tick ms first 5 ${avg(tickMs.slice(0, 5)).toFixed(0)}, ` +
        `last 5 ${avg(tickMs.slice(-5)).toFixed(0)}; peak RSS ${rss.peakMb().toFixed(0)} MB`,
    );

    // Reports and lists.
    const [report, reportMs] = await api.timed<{ counts: { success: number } }>(
      'GET',
      `/plans/${plan.id}/report`,
    );
    if (report.counts.success !== count)
      throw new Error(`report: ${report.counts.success} successes of ${count}`);
    started = performance.now();
    const exportLines = await countLines(await api.fetch(`/plans/${plan.id}/export?format=csv`));
    const exportS = (performance.now() - started) / 1000;
    if (exportLines !== count + 1) throw new Error(`export: ${exportLines} lines for ${count} devices`);
    const lists: Record<string, number> = {};
    for (const [name, path] of [
      ['page', `/devices?productId=${product.id}&limit=50`],
      ['count', `/devices/count?productId=${product.id}`],
      ['version_count', `/devices/count?productId=${product.id}&version=0.9`],
      ['search', `/devices?productId=${product.id}&q=123&limit=50`],
      ['search_count', `/devices/count?productId=${product.id}&q=123`],
      ['online_count', '/devices/count?online=true'],
    ]) {
      const [answer, ms] = await api.timed<{ count?: number; exact?: boolean; items?: unknown[] }>(
        'GET',
        path!,
      );
      lists[name!] = ms;
      const total = answer.exact === false ? `at least ${answer.count}` : answer.count;
      log(`${name}: ${total ?? `${answer.items?.length} items`} in ${ms.toFixed(0)} ms`);
    }
    const size = await fleetDb.sizes(app.database.db);
    const perDevice = size.devices / count;
    const perUpgrade = size.upgrades / count;
    const perLog = size.logs / count;
    log(
      `report ${reportMs.toFixed(0)} ms; export ${exportLines} lines in ${exportS.toFixed(1)} s; ` +
        `database ${perDevice.toFixed(0)} B per device, ${(perUpgrade + perLog).toFixed(0)} B per upgrade record ` +
        `with its log lines (${perUpgrade.toFixed(0)} B the record, ${perLog.toFixed(0)} B its ` +
        `${(size.lines / count).toFixed(1)} log lines, what UPDRAFT_UPGRADE_LOG_RETENTION_DAYS prunes)`,
    );
    // The upgrade log's retention over the finished plan, as the scheduler step runs it.
    const prune = createKyselyUpgradeLogPruneStore(app.database.db, app.database.dialect);
    started = performance.now();
    let pruned = 0;
    for (let batch = await prune.pruneUpgradeLogBatch(Date.now() + 1, 1000, Date.now()); batch; ) {
      pruned += batch.deleted;
      batch = await prune.pruneUpgradeLogBatch(Date.now() + 1, 1000, Date.now());
    }
    const pruneS = (performance.now() - started) / 1000;
    log(`log retention: ${pruned} log lines in ${pruneS.toFixed(1)} s (${(pruned / pruneS).toFixed(0)}/s)`);
    // The second import path: the `updraft` CLI streaming the same CSV from a file, into a second
    // product (so that the sizes above stay those of one product).
    const csvPath = join(dataDir, 'fleet.csv');
    await pipeline(importCsv(count), createWriteStream(csvPath));
    const cliProduct = await api.json<{ productKey: string }>('POST', '/products', { name: 'fleet-cli' });
    started = performance.now();
    const cliSummary = await cliImport(csvPath, cliProduct.productKey, api.base, key.secret);
    const cliS = (performance.now() - started) / 1000;
    rss.sample();
    if (!cliSummary.includes(`imported ${count} devices, 0 rows refused`))
      throw new Error(`CLI import: ${cliSummary}`);
    log(
      `CLI import: ${count} devices in ${cliS.toFixed(1)} s (${(count / cliS).toFixed(0)}/s, ` +
        `${(copyS / cliS).toFixed(2)}× the baseline); it printed: ${cliSummary}`,
    );
    console.log(
      `RESULT fleet-scale devices=${count} import_s=${importS.toFixed(1)} ${copies} ` +
        `target_count_ms=${Math.max(...Object.values(targets)).toFixed(0)} enrol_s=${enrolS.toFixed(1)} ` +
        `report_ms=${reportMs.toFixed(0)} export_s=${exportS.toFixed(1)} cli_import_s=${cliS.toFixed(1)} ` +
        `list_ms=${Math.max(...Object.values(lists)).toFixed(0)} rss_mb=${rss.peakMb().toFixed(0)}`,
    );
  } finally {
    rss.stop();
    await app.close();
    // UPDRAFT_BENCH_KEEP_DB=1 leaves the database to look at its plans (EXPLAIN) afterwards.
    await fleetDb.dispose(process.env['UPDRAFT_BENCH_KEEP_DB'] === '1');
  }
}
