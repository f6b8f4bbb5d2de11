// Migration 20: the free space a device last reported (bytes; issue 15, Quectel's USE_SPACE), so
// that a plan's free-space minimum can say why a device waits, as its signal and battery do.
// Null for devices that never reported it.
import { sql } from 'kysely';
import type { Migration } from './migration.ts';

export const migration: Migration = {
  id: 20,
  name: 'device-free-space',
  async up(db, dialect) {
    const big = dialect === 'postgres' ? 'bigint' : 'integer';
    await sql`alter table devices add column free_space ${sql.raw(big)}`.execute(db);
  },
};
