// Migration 10: plans of several components (docs/adr/0013-plan-components.md). A device upgrade
// goes through its plan's components in order: `component` is the one under way (its module is
// the row's `module`, so device events and the one-active-plan index follow it), `skipped` marks
// the components the device already ran at the target. plan_components lists every plan's
// modules and packages, for the joins that ask "which plans hold this module" and "which plans
// use this package". Existing plans carry over as plans of one component: their records are on
// component 0, which is what the defaults say.
import { type Kysely, sql } from 'kysely';
import type { Migration, SqlDialect } from './migration.ts';

export const migration: Migration = {
  id: 10,
  name: 'plan-components',
  async up(db: Kysely<unknown>, dialect: SqlDialect) {
    const big = sql.raw(dialect === 'postgres' ? 'bigint' : 'integer');
    const ddl = [
      sql`alter table device_upgrades add column component integer not null default 0`,
      sql`alter table device_upgrades add column skipped integer not null default 0`,
      sql`create table plan_components (plan_id ${big} not null references plans(id) on delete cascade,
        position integer not null, module text not null,
        package_id ${big} not null references firmware_packages(id) on delete restrict,
        primary key (plan_id, position))`,
      sql`create index plan_components_module on plan_components (module, plan_id, position)`,
      sql`create index plan_components_package on plan_components (package_id)`,
      sql`insert into plan_components (plan_id, position, module, package_id)
        select id, 0, module, firmware_package_id from plans`,
    ];
    for (const statement of ddl) await statement.execute(db);
  },
};
