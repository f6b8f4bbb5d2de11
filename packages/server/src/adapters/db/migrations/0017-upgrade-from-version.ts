// Migration 17: the version a device had of the plan's module when it was enrolled (issue 18),
// so that a rollback plan can bring the devices that took the new version back to it
// (docs/adr/0018-waves-health-rollback.md). Null for records enrolled before, and for devices
// that had reported no version.
import { sql } from 'kysely';
import type { Migration } from './migration.ts';

export const migration: Migration = {
  id: 17,
  name: 'upgrade-from-version',
  async up(db) {
    await sql`alter table device_upgrades add column from_version text`.execute(db);
  },
};
