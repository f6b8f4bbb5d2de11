// Migration 21 (issue 25): a plan's upgrades in id order, for its upgrade list and its streamed
// export, which page by `plan_id = ? and id > ? order by id limit n`. Without it PostgreSQL either
// walked the primary key filtering on the plan (every plan's records) or read the plan's whole
// remainder and sorted it for each page: an export of 20,000 records took 6 s, and grew with the
// square of the plan's size.
import { sql } from 'kysely';
import type { Migration } from './migration.ts';

export const migration: Migration = {
  id: 21,
  name: 'upgrade-pages',
  async up(db) {
    await sql`create index device_upgrades_plan_page on device_upgrades (plan_id, id)`.execute(db);
  },
};
