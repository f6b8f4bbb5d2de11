// Writing new devices with their tags and versions: one device (insertDetails) or a batch of an
// import (insertMany). On PostgreSQL a batch is one statement whose rows come from unnest() over
// one array per column: a few parameters instead of nine per row and one round trip instead of
// four, which counts on a loaded machine (the fleet-scale bench, issue 25); an import batch goes
// by COPY first where the database gives one (device-copy.ts) and by that statement when COPY is
// refused. SQLite takes multi-row VALUES in a transaction.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { BatchOutcome, Device, NewDevice } from '../../../modules/devices/device-store.ts';
import type { SqlDialect } from '../migrations/migration.ts';
import type { CopyTransaction } from '../pg-copy.ts';
import type { DatabaseSchema } from '../schema.ts';
import { copyMany } from './device-copy.ts';
import { chunks, rowsPerStatement, toDevice } from './device-rows.ts';

type Trx = Transaction<DatabaseSchema>;

export const deviceRow = (input: NewDevice, now: number) => ({
  product_id: input.productId,
  name: input.name,
  secret_salt: input.secretSalt,
  secret_hash: input.secretHash,
  gateway_id: input.gatewayId,
  online: 0,
  tags: JSON.stringify(input.tags),
  created_at: now,
  updated_at: now,
});

export async function insertDetails(
  trx: Trx,
  dialect: SqlDialect,
  pairs: { id: number; input: NewDevice }[],
  now: number,
): Promise<void> {
  const tags = pairs.flatMap(({ id, input }) => input.tags.map((tag) => ({ device_id: id, tag })));
  const versions = pairs.flatMap(({ id, input }) =>
    Object.entries(input.versions).map(([module, version]) => ({
      device_id: id,
      module,
      version,
      reported_at: now,
    })),
  );
  if (dialect === 'postgres') {
    if (tags.length > 0)
      await sql`insert into device_tags (device_id, tag) select * from unnest(
        ${tags.map((t) => t.device_id)}::bigint[], ${tags.map((t) => t.tag)}::text[])`.execute(trx);
    if (versions.length > 0)
      await sql`insert into device_versions (device_id, module, version, reported_at)
        select d, m, v, ${now} from unnest(${versions.map((v) => v.device_id)}::bigint[],
        ${versions.map((v) => v.module)}::text[], ${versions.map((v) => v.version)}::text[]) as x(d, m, v)`.execute(
        trx,
      );
    return;
  }
  for (const part of chunks(tags, rowsPerStatement * 4))
    await trx.insertInto('device_tags').values(part).execute();
  for (const part of chunks(versions, rowsPerStatement * 2))
    await trx.insertInto('device_versions').values(part).execute();
}

/** SQLite: the rows that are not taken, in multi-row VALUES; the devices created. */
async function insertRows(trx: Trx, inputs: NewDevice[], now: number) {
  const rows = [];
  for (const part of chunks(inputs, rowsPerStatement)) {
    rows.push(
      ...(await trx
        .insertInto('devices')
        .values(part.map((input) => deviceRow(input, now)))
        .onConflict((oc) => oc.columns(['product_id', 'name']).doNothing())
        .returningAll()
        .execute()),
    );
  }
  return rows;
}

/**
 * PostgreSQL: a batch in one statement (one round trip, atomic without BEGIN and COMMIT): the
 * devices, then the tags and versions of each row that created its device. A name repeated in
 * the batch creates its device from its first row only, with that row's tags and versions.
 */
async function insertManyPostgres(db: Kysely<DatabaseSchema>, inputs: NewDevice[], now: number) {
  const tags = inputs.flatMap((input, i) => input.tags.map((tag) => ({ row: i + 1, tag })));
  const versions = inputs.flatMap((input, i) =>
    Object.entries(input.versions).map(([module, version]) => ({ row: i + 1, module, version })),
  );
  const rows = await sql<Parameters<typeof toDevice>[0]>`with given as (
      select * from unnest(${inputs.map((i) => i.productId)}::bigint[], ${inputs.map((i) => i.name)}::text[],
        ${inputs.map((i) => i.secretSalt)}::text[], ${inputs.map((i) => i.secretHash)}::text[],
        ${inputs.map((i) => i.gatewayId)}::bigint[], ${inputs.map((i) => JSON.stringify(i.tags))}::text[])
        with ordinality as x(p, n, s, h, g, t, o)),
    created as (insert into devices (product_id, name, secret_salt, secret_hash, gateway_id, online, tags,
        created_at, updated_at)
      select p, n, s, h, g, 0, t, ${now}, ${now} from given order by o
      on conflict (product_id, name) do nothing returning *),
    firsts as (select c.id, min(g.o) as o from created c join given g on g.p = c.product_id and g.n = c.name
      group by c.id),
    tagged as (insert into device_tags (device_id, tag)
      select f.id, x.tag from firsts f join unnest(${tags.map((t) => t.row)}::bigint[],
        ${tags.map((t) => t.tag)}::text[]) as x(o, tag) on x.o = f.o),
    versioned as (insert into device_versions (device_id, module, version, reported_at)
      select f.id, x.m, x.v, ${now} from firsts f join unnest(${versions.map((v) => v.row)}::bigint[],
        ${versions.map((v) => v.module)}::text[], ${versions.map((v) => v.version)}::text[]) as x(o, m, v)
        on x.o = f.o)
    select * from created`.execute(db);
  return rows.rows;
}

/**
 * A batch in one transaction; a name already taken (or repeated in the batch) is `taken`. On
 * PostgreSQL with `copy`, by COPY first (device-copy.ts), by statement when COPY was refused.
 */
export async function insertMany(
  db: Kysely<DatabaseSchema>,
  dialect: SqlDialect,
  inputs: NewDevice[],
  now: number,
  copy?: CopyTransaction,
): Promise<BatchOutcome[]> {
  if (inputs.length === 0) return [];
  if (dialect === 'postgres' && copy) {
    const copied = await copyMany(copy, inputs, now);
    if (copied) return copied;
  }
  const outcomesOf = (rows: Parameters<typeof toDevice>[0][]) => {
    const created = new Map<string, Device>();
    for (const row of rows) created.set(`${row.product_id}/${row.name}`, toDevice(row));
    // Each created name goes to its first occurrence; a repeat in the batch is taken.
    const outcomes: BatchOutcome[] = [];
    const pairs: { id: number; input: NewDevice }[] = [];
    for (const input of inputs) {
      const key = `${input.productId}/${input.name}`;
      const device = created.get(key);
      if (!device) {
        outcomes.push({ taken: true });
        continue;
      }
      created.delete(key);
      outcomes.push({ device });
      pairs.push({ id: device.id, input });
    }
    return { outcomes, pairs };
  };
  if (dialect === 'postgres') return outcomesOf(await insertManyPostgres(db, inputs, now)).outcomes;
  return db.transaction().execute(async (trx) => {
    const { outcomes, pairs } = outcomesOf(await insertRows(trx, inputs, now));
    await insertDetails(trx, dialect, pairs, now);
    return outcomes;
  });
}
