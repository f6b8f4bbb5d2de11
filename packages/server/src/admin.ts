// A small composition root for the command line: the database and account service, without
// the HTTP server or brokers.
import { systemClock } from './adapters/clock/clock.ts';
import { type Database, migrateDatabase, openDatabase, prepareSchema } from './adapters/db/database.ts';
import { createKyselyAccountStore } from './adapters/db/kysely-account-store.ts';
import type { Config } from './config/config.ts';
import { type AccountService, createAccountService } from './modules/accounts/account-service.ts';

export interface AdminTools {
  accounts: AccountService;
  close(): Promise<void>;
}

export async function openAdminTools(config: Config): Promise<AdminTools> {
  const database: Database = openDatabase(config.database);
  try {
    await prepareSchema(database, 'never', () => systemClock.now());
  } catch (error) {
    await database.close();
    throw error;
  }
  return {
    accounts: createAccountService({
      store: createKyselyAccountStore(database.db),
      clock: systemClock,
      sessionTtlMs: config.sessionTtlHours * 3600_000,
    }),
    close: () => database.close(),
  };
}

/** `updraft migrate`: applies pending migrations and returns their ids. */
export async function runMigrations(config: Config): Promise<number[]> {
  const database = openDatabase(config.database);
  try {
    return await migrateDatabase(database, () => systemClock.now());
  } finally {
    await database.close();
  }
}
