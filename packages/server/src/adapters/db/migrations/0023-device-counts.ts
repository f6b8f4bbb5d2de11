// Migration 23 (issue 25): every product's number of devices, kept by the database itself, so
// that the device list's unfiltered total is one row read rather than a count over the product
// (158 ms at 1,000,000 devices, ten times that at 10,000,000). Triggers keep it whatever inserts
// or deletes devices (the API, the streamed import, a test's own INSERT). PostgreSQL counts once
// per statement through its transition tables (an import batch of 1,000 rows is one update);
// SQLite has only row triggers, one upsert per row in the same transaction. A device's product
// never changes (no route moves one), and a product with devices cannot be deleted (restrict).
import { sql } from 'kysely';
import type { Migration } from './migration.ts';

export const migration: Migration = {
  id: 23,
  name: 'device-counts',
  async up(db, dialect) {
    const big = sql.raw(dialect === 'postgres' ? 'bigint' : 'integer');
    const ddl =
      dialect === 'postgres'
        ? [
            sql`create table product_device_counts (
              product_id bigint primary key references products(id) on delete cascade, devices bigint not null)`,
            sql`create function product_device_counts_add() returns trigger language plpgsql as $$ begin
              insert into product_device_counts (product_id, devices)
                select product_id, count(*) from inserted group by product_id order by product_id
              on conflict (product_id) do update set devices = product_device_counts.devices + excluded.devices;
              return null; end $$`,
            sql`create function product_device_counts_remove() returns trigger language plpgsql as $$ begin
              update product_device_counts c set devices = c.devices - d.n
                from (select product_id, count(*) as n from deleted group by product_id) d
                where c.product_id = d.product_id;
              return null; end $$`,
            sql`create trigger devices_counted_insert after insert on devices referencing new table as inserted
              for each statement execute function product_device_counts_add()`,
            sql`create trigger devices_counted_delete after delete on devices referencing old table as deleted
              for each statement execute function product_device_counts_remove()`,
          ]
        : [
            sql`create table product_device_counts (
              product_id ${big} primary key references products(id) on delete cascade, devices ${big} not null)`,
            sql`create trigger devices_counted_insert after insert on devices begin
              insert into product_device_counts (product_id, devices) values (new.product_id, 1)
              on conflict (product_id) do update set devices = devices + 1; end`,
            sql`create trigger devices_counted_delete after delete on devices begin
              update product_device_counts set devices = devices - 1 where product_id = old.product_id; end`,
          ];
    for (const statement of ddl) await statement.execute(db);
    await sql`insert into product_device_counts (product_id, devices)
      select product_id, count(*) from devices group by product_id`.execute(db);
  },
};
