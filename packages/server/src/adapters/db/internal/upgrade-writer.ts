// Writes a claimed batch of device upgrades back: the hot path of the engine, so its SQL is
// written once per shape and run as compiled queries; and the outbox events of the batch.
import { UpdraftError, type UpgradeState } from '@updraft/core';
import { CompiledQuery, sql } from 'kysely';
import type { StoredUpgrade, UpgradeWrite } from '../../../modules/plans/upgrade-store.ts';
import type { OutboxEvent } from '../kysely-webhook-store.ts';
import { isUniqueViolation } from '../sql-helpers.ts';
import { type Db, stateColumns, stateParams } from './plan-rows.ts';

const writeChunk = 400;
const logChunk = 1000;

/**
 * Runs a state update. On PostgreSQL a retried record can turn active while another transaction
 * is enrolling its device in another plan of the module (the claim cannot see that uncommitted
 * row): the one-active-plan index refuses the update, and the batch is refused as the API
 * refuses a retry of a device another plan holds.
 */
async function runUpdate(trx: Db, query: CompiledQuery): Promise<void> {
  try {
    await trx.executeQuery(query);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw new UpdraftError(
      'PLAN_CONFLICT',
      'a device of this batch joined another active plan of its module meanwhile; nothing changed',
      { count: 0, deviceIds: [] },
    );
  }
}

export function createUpgradeWriter(pg: boolean) {
  // The hot path of every claim, so its SQL is written once per shape and run as a compiled
  // query: Kysely's builder would rebuild a node per parameter (20 per row) on every batch.
  const numericColumns = new Set([
    'id',
    'active',
    'progress',
    'attempts',
    'auto_retries',
    'push_count',
    'mismatch_count',
    'next_action_at',
    'updated_at',
    'offered_at',
    'started_at',
    'finished_at',
    'component',
    'skipped',
    'appointed_from',
    'appointed_until',
    'refusals',
  ]);
  // PostgreSQL: one statement per batch over column arrays; the id = any(...) condition lets
  // the planner reach rows through the primary key. SQLite: see sqliteUpdateOf.
  const pgColumns = ['id', ...stateColumns];
  const pgUpdate = `update device_upgrades set ${stateColumns.map((c) => `${c} = v.${c}`).join(', ')}
    from unnest(${pgColumns.map((c, i) => `$${i + 1}::${numericColumns.has(c) ? 'bigint' : 'text'}[]`).join(', ')})
      as v (${pgColumns.join(', ')})
    where device_upgrades.id = v.id and device_upgrades.id = any($1::bigint[])`;

  // SQLite sets only the columns that changed (an index is rewritten only when one of its
  // columns is assigned), for all rows of a batch that changed the same columns at once. The
  // columns are bit c of `bits` for stateColumns[c] (24 columns: a 32-bit integer holds them).
  const sqliteUpdates = new Map<string, string>();
  function sqliteUpdateOf(bits: number, rows: number): string {
    const cacheKey = `${bits}:${rows}`;
    let text = sqliteUpdates.get(cacheKey);
    if (text === undefined) {
      const columns = stateColumns.filter((_, i) => bits & (1 << i));
      const tuple = `(${['?', ...columns.map(() => '?')].join(', ')})`;
      text = `with v (id, ${columns.join(', ')}) as (values ${Array.from({ length: rows }, () => tuple).join(', ')})
        update device_upgrades set ${columns.map((c) => `${c} = v.${c}`).join(', ')}
        from v where device_upgrades.id = v.id`;
      if (sqliteUpdates.size > 200) sqliteUpdates.clear();
      sqliteUpdates.set(cacheKey, text);
    }
    return text;
  }

  /**
   * Rows that go on to a component of another module, one at a time under a savepoint: when the
   * one-active-plan index refuses the new module (another plan holds it for the device), the
   * row's `busy` state is written instead (its module unchanged) with its log line after the
   * first. Rare (once per device and component), so not batched. Returns the writes as made.
   */
  async function moveComponents(trx: Db, writes: readonly UpgradeWrite[]): Promise<UpgradeWrite[]> {
    const made: UpgradeWrite[] = [];
    // After every other line of the batch: a record's own log line may come later in it.
    const busyLogs: UpgradeWrite[] = [];
    for (const w of writes) {
      if (w.module === undefined || w.state === null) {
        made.push(w);
        continue;
      }
      const params = stateParams(w.state);
      const values = Object.fromEntries(stateColumns.map((c, i) => [c, params[i]]));
      await sql`savepoint component_move`.execute(trx);
      try {
        await trx
          .updateTable('device_upgrades')
          .set({ ...values, module: w.module })
          .where('id', '=', w.id)
          .execute();
        await sql`release savepoint component_move`.execute(trx);
        made.push({ id: w.id, state: null, log: w.log });
      } catch (error) {
        if (!isUniqueViolation(error) || !w.busy) throw error;
        await sql`rollback to savepoint component_move`.execute(trx);
        await sql`release savepoint component_move`.execute(trx);
        made.push({ id: w.id, state: w.busy.state, log: w.log });
        busyLogs.push({ id: w.id, state: null, log: w.busy.log });
      }
    }
    return [...made, ...busyLogs];
  }

  async function writeStates(
    trx: Db,
    requested: readonly UpgradeWrite[],
    before: ReadonlyMap<number, UpgradeState>,
  ): Promise<UpgradeWrite[]> {
    const writes = requested.some((w) => w.module !== undefined)
      ? await moveComponents(trx, requested)
      : requested;
    const changed = writes.filter((w) => w.state !== null);
    if (!pg) {
      // Per group of rows that changed the same columns: their parameters, flat, row after row
      // (the hot loop of every claim: no array per row).
      const groups = new Map<number, { rows: number; width: number; params: unknown[] }>();
      for (const w of changed) {
        const next = stateParams(w.state!);
        const old = before.get(w.id);
        const previous = old === undefined ? null : stateParams(old);
        let bits = 0;
        let width = 1;
        for (let c = 0; c < next.length; c++) {
          if (previous === null || previous[c] !== next[c]) {
            bits |= 1 << c;
            width += 1;
          }
        }
        if (bits === 0) continue;
        let group = groups.get(bits);
        if (group === undefined) {
          group = { rows: 0, width, params: [] };
          groups.set(bits, group);
        }
        group.rows += 1;
        group.params.push(w.id);
        for (let c = 0; c < next.length; c++) if (bits & (1 << c)) group.params.push(next[c]);
      }
      for (const [bits, { rows, width, params }] of groups) {
        for (let first = 0; first < rows; first += writeChunk) {
          const count = Math.min(writeChunk, rows - first);
          const chunk = rows <= writeChunk ? params : params.slice(first * width, (first + count) * width);
          await runUpdate(trx, CompiledQuery.raw(sqliteUpdateOf(bits, count), chunk));
        }
      }
      return [...writes];
    }
    for (let i = 0; i < changed.length; i += writeChunk) {
      const chunk = changed.slice(i, i + writeChunk);
      const columns: unknown[][] = pgColumns.map(() => []);
      for (const w of chunk) {
        const row = [w.id, ...stateParams(w.state!)];
        for (let c = 0; c < row.length; c++) columns[c]!.push(row[c]);
      }
      await runUpdate(trx, CompiledQuery.raw(pgUpdate, columns));
    }
    return [...writes];
  }

  const logColumns = 'upgrade_id, at, event, from_status, to_status, actor, message';
  const pgLogInsert = `insert into device_upgrade_logs (${logColumns})
    select * from unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`;
  const logSql = new Map<number, string>();
  function sqliteLogSql(rows: number): string {
    let text = logSql.get(rows);
    if (text === undefined) {
      const tuples = Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?)');
      text = `insert into device_upgrade_logs (${logColumns}) values ${tuples.join(', ')}`;
      logSql.set(rows, text);
    }
    return text;
  }

  async function writeLogs(trx: Db, writes: readonly UpgradeWrite[]): Promise<void> {
    const logged = writes.filter((w) => w.log !== null);
    for (let i = 0; i < logged.length; i += logChunk) {
      const part = logged.slice(i, i + logChunk);
      if (pg) {
        const rows = part.map(({ id, log }) => [
          id,
          log!.at,
          log!.event,
          log!.from,
          log!.to,
          log!.actor,
          log!.message,
        ]);
        const columns = Array.from({ length: 7 }, (_, c) => rows.map((row) => row[c]));
        await trx.executeQuery(CompiledQuery.raw(pgLogInsert, columns));
      } else {
        const params: unknown[] = [];
        for (const { id, log } of part)
          params.push(id, log!.at, log!.event, log!.from, log!.to, log!.actor, log!.message);
        await trx.executeQuery(CompiledQuery.raw(sqliteLogSql(part.length), params));
      }
    }
  }

  return { writeStates, writeLogs };
}

/** The outbox events of a batch: one per applied event that changed a record's status. */
export function statusChanges(
  rows: readonly StoredUpgrade[],
  writes: readonly UpgradeWrite[],
): OutboxEvent[] {
  const before = new Map(rows.map((row) => [row.id, row]));
  const events: OutboxEvent[] = [];
  for (const { id, log } of writes) {
    const row = before.get(id);
    if (!row || !log || log.from === log.to) continue;
    events.push({
      type: 'device_upgrade.transition',
      at: log.at,
      payload: {
        type: 'device_upgrade.transition',
        at: log.at,
        planId: row.planId,
        upgradeId: row.id,
        deviceId: row.deviceId,
        module: row.module,
        wave: row.wave,
        from: log.from,
        to: log.to,
        event: log.event,
        actor: log.actor,
        message: log.message,
      },
    });
  }
  return events;
}
