// The import's baselines on SQLite (bench/fleet-scale.ts --db sqlite): the same rows the import
// writes (a device with its salt and hash, and its version of module default) loaded by SQLite's
// own bulk paths, in a connection opened as the app opens its own (foreign keys on, the WAL the
// file keeps, synchronous normal), while the server holds the same file:
// - `node`: one prepared INSERT per row, all in one transaction, through node:sqlite;
// - `cli`: the sqlite3 shell's `.import` of a CSV (id, name, version) into a temporary table, then
//   one INSERT … SELECT per table in one transaction (the shell's .import cannot write NULL, which
//   the devices' gateway_id needs, so it cannot load the real table directly).
// The baseline the aim holds on is the faster of the two into the tables the import writes, under
// another product: the foreign keys (product, device) and the device count's trigger checked, as
// for the import (docs/adr/0020). Ids are drawn before the clock starts, rows deleted afterwards,
// untimed. The bare one loads the same rows, by the faster path, into copies of the two tables
// with their indexes and without foreign keys or triggers.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type CopyBaselines, deviceName, versionOf } from './fleet-scale-steps.ts';

type Tables = { devices: string; versions: string };
type Load = (tables: Tables, base: number, product: number) => Promise<number>;

/** Opens `path` as the app does (packages/server/src/adapters/db/database.ts). */
function openLikeTheApp(path: string): DatabaseSync {
  const db = new DatabaseSync(path, { enableForeignKeyConstraints: true });
  db.exec('pragma journal_mode = wal; pragma synchronous = normal; pragma busy_timeout = 5000');
  return db;
}

function sqlite3(path: string, commands: string[], script: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = ['-bail', path, ...commands.flatMap((c) => ['-cmd', c]), script];
    const child = spawn('sqlite3', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 && !stderr ? resolve() : reject(new Error(`sqlite3 ${code}: ${stderr}`)),
    );
  });
}

/** Copies of the devices and device_versions tables with their indexes, without references. */
function createBare(db: DatabaseSync): Tables {
  const bare = { devices: 'bench_bare_devices', versions: 'bench_bare_versions' };
  const rename = (table: string) => (table === 'devices' ? bare.devices : bare.versions);
  const rows = db
    .prepare(
      `select type, name, tbl_name, sql from sqlite_master
        where tbl_name in ('devices', 'device_versions') and type in ('table', 'index') and sql is not null
        order by type desc`,
    )
    .all() as { type: string; name: string; tbl_name: string; sql: string }[];
  for (const row of rows) {
    const sql =
      row.type === 'table'
        ? row.sql
            .replace(/^create table \w+/i, `create table ${rename(row.tbl_name)}`)
            .replace(/\s+references \w+\s*\(\w+\)(\s+on delete (restrict|cascade|set null|no action))?/gi, '')
        : row.sql.replace(/ index (\w+) on \w+/i, ` index bench_bare_$1 on ${rename(row.tbl_name)}`);
    db.exec(sql);
  }
  return bare;
}

/**
 * The baselines of an import of `count` devices into the SQLite file at `path`: `schemaS` the
 * faster of the two paths into the real tables under `productId`, `how` which one it was.
 */
export async function sqliteBaselines(
  path: string,
  workDir: string,
  count: number,
  productId: number,
): Promise<CopyBaselines & { how: string; bothS: Record<string, number> }> {
  const salt = randomBytes(16).toString('base64url');
  const hash = randomBytes(32).toString('hex');
  const now = Date.now();
  const db = openLikeTheApp(path);
  const csv = `${workDir}/baseline.csv`;
  try {
    const node: Load = async ({ devices, versions }, base, product) => {
      const started = performance.now();
      const device = db.prepare(
        `insert into ${devices} (id, product_id, name, secret_salt, secret_hash, online, tags, created_at, updated_at)
         values (?, ?, ?, ?, ?, 0, '[]', ?, ?)`,
      );
      const version = db.prepare(
        `insert into ${versions} (device_id, module, version, reported_at) values (?, 'default', ?, ?)`,
      );
      db.exec('begin');
      for (let i = 0; i < count; i++) device.run(base + i + 1, product, deviceName(i), salt, hash, now, now);
      for (let i = 0; i < count; i++) version.run(base + i + 1, versionOf(i), now);
      db.exec('commit');
      return (performance.now() - started) / 1000;
    };
    // The CSV is written before the clock starts (the shell reads a file); the shell's start is timed.
    const cli: Load = async ({ devices, versions }, base, product) => {
      await pipeline(
        Readable.from(
          (function* () {
            for (let i = 0; i < count; i += 1000) {
              let chunk = '';
              for (let j = i; j < Math.min(count, i + 1000); j++)
                chunk += `${base + j + 1},${deviceName(j)},${versionOf(j)}\n`;
              yield chunk;
            }
          })(),
        ),
        createWriteStream(csv),
      );
      const started = performance.now();
      await sqlite3(
        path,
        [
          '.timeout 5000',
          'pragma foreign_keys = on',
          'pragma synchronous = normal',
          'create temp table given (id integer, name text, version text)',
          `.import --csv ${csv} given`,
        ],
        `begin;
         insert into ${devices} (id, product_id, name, secret_salt, secret_hash, online, tags, created_at, updated_at)
           select id, ${product}, name, '${salt}', '${hash}', 0, '[]', ${now}, ${now} from given order by id;
         insert into ${versions} (device_id, module, version, reported_at)
           select id, 'default', version, ${now} from given order by id;
         commit;`,
      );
      const seconds = (performance.now() - started) / 1000;
      rmSync(csv, { force: true });
      return seconds;
    };
    const nextId = () =>
      Number(
        (
          db
            .prepare(
              `select max(coalesce((select max(id) from devices), 0),
                          coalesce((select seq from sqlite_sequence where name = 'devices'), 0)) as base`,
            )
            .get() as { base: number }
        ).base,
      );
    const bothS: Record<string, number> = {};
    for (const [name, load] of [
      ['node', node],
      ['cli', cli],
    ] as const) {
      bothS[name] = await load({ devices: 'devices', versions: 'device_versions' }, nextId(), productId);
      db.prepare('delete from devices where product_id = ?').run(productId);
    }
    const how = bothS['node']! <= bothS['cli']! ? 'node' : 'cli';
    const bare = createBare(db);
    const bareS = await (how === 'node' ? node : cli)(bare, 0, productId);
    db.exec(`drop table ${bare.versions}; drop table ${bare.devices}`);
    return { schemaS: Math.min(bothS['node']!, bothS['cli']!), bareS, how, bothS };
  } finally {
    db.close();
    rmSync(csv, { force: true });
  }
}
