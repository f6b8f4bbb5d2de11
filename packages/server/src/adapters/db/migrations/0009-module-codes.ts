// Migration 9: OneNET's manufacturer and model codes (protocols.md §2.7) belong to a module, not
// to its product: a FOTA module and a SOTA chip have different codes. Each module takes its
// product's manufacturer and model as its codes, so every check is compared as before (the
// product's were compared for every module); from now on the product's stay descriptive.
import { type Kysely, sql } from 'kysely';
import type { Migration } from './migration.ts';

export const migration: Migration = {
  id: 9,
  name: 'module-codes',
  async up(db: Kysely<unknown>) {
    await sql`alter table modules add column manufacturer_code text not null default ''`.execute(db);
    await sql`alter table modules add column model_code text not null default ''`.execute(db);
    await sql`update modules set
      manufacturer_code = (select p.manufacturer from products p where p.id = modules.product_id),
      model_code = (select p.model from products p where p.id = modules.product_id)`.execute(db);
  },
};
