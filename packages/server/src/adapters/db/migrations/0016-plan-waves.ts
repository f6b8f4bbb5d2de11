// Migration 16: plans rolled out in waves (issue 18, docs/adr/0018-waves-health-rollback.md).
// Each device upgrade has its wave (0 for plans without waves, and until a plan's waves are
// assigned at the end of its enrolment sweep: every record starts in the last wave, so nothing
// is offered early). A plan keeps the wave under way, its phase and the end of a soak, and
// whether its waves were assigned. The due-dispatch claim reads `wave <= wave_index`.
import { sql } from 'kysely';
import type { Migration } from './migration.ts';

export const migration: Migration = {
  id: 16,
  name: 'plan-waves',
  async up(db, dialect) {
    const big = sql.raw(dialect === 'postgres' ? 'bigint' : 'integer');
    const ddl = [
      sql`alter table device_upgrades add column wave integer not null default 0`,
      sql`alter table plans add column wave_index integer not null default 0`,
      sql`alter table plans add column wave_phase text not null default 'rolling'`,
      sql`alter table plans add column wave_until ${big}`,
      sql`alter table plans add column waves_assigned integer not null default 0`,
    ];
    for (const statement of ddl) await statement.execute(db);
  },
};
