// Migration 12: a plan's name is unique per product (Quectel's console, protocols.md §3.1: name
// unique, at most 100 characters). Plans that share a name with an older plan of their product
// are renamed `<name> #<id>` first (names were at most 64 characters, so these fit).
import { type Kysely, sql } from 'kysely';
import type { Migration } from './migration.ts';

export const migration: Migration = {
  id: 12,
  name: 'plan-names',
  async up(db: Kysely<unknown>) {
    await sql`update plans set name = name || ' #' || cast(id as text)
      where exists (select 1 from plans o where o.product_id = plans.product_id
        and o.name = plans.name and o.id < plans.id)`.execute(db);
    await sql`create unique index plans_name on plans (product_id, name)`.execute(db);
  },
};
