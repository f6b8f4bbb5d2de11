// Migration 14: the device's refusals of a silent plan's offer are counted on its upgrade
// (Quectel's rejection period, protocols.md §3.1; core rejection-period.ts). Existing records
// never refused anything. The rejection period itself is a field of the plan's stored spec,
// read with its default for plans stored before it (core withSpecDefaults).
import { type Kysely, sql } from 'kysely';
import type { Migration } from './migration.ts';

export const migration: Migration = {
  id: 14,
  name: 'refusals',
  async up(db: Kysely<unknown>) {
    await sql`alter table device_upgrades add column refusals integer not null default 0`.execute(db);
  },
};
