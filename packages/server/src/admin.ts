// A small composition root for the command line: the database, the account service and the
// blob stores, without the HTTP server or brokers.

import { openBlobStore } from './adapters/blob/open-blob-store.ts';
import { systemClock } from './adapters/clock/clock.ts';
import { type Database, migrateDatabase, openDatabase, prepareSchema } from './adapters/db/database.ts';
import { createKyselyAccountStore } from './adapters/db/kysely-account-store.ts';
import { referencedBlobKeys } from './adapters/db/kysely-blob-orphan-store.ts';
import type { Config } from './config/config.ts';
import { type AccountService, createAccountService } from './modules/accounts/account-service.ts';
import {
  type BlobMigrationOutcome,
  type BlobMigrationReport,
  migrateBlobs,
} from './modules/firmware/blob-migration.ts';

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

/**
 * `updraft blobs migrate --to s3|fs`: copies every blob of the other store (the firmware folder,
 * or the S3 bucket of the UPDRAFT_S3_* settings) into `to`, checking each one's sha256, and names
 * the blobs packages refer to that the target still lacks.
 */
export async function migrateBlobStore(
  config: Config,
  options: {
    to: Config['firmwareStore'];
    dryRun?: boolean;
    onBlob?: (key: string, outcome: BlobMigrationOutcome, size: number) => void;
  },
): Promise<BlobMigrationReport> {
  const database = openDatabase(config.database);
  try {
    await prepareSchema(database, 'never', () => systemClock.now());
    const from = await openBlobStore(config, options.to === 's3' ? 'fs' : 's3');
    const to = await openBlobStore(config, options.to);
    return await migrateBlobs({
      from,
      to,
      referenced: () => referencedBlobKeys(database.db),
      ...(options.dryRun !== undefined && { dryRun: options.dryRun }),
      ...(options.onBlob && { onBlob: options.onBlob }),
    });
  } finally {
    await database.close();
  }
}
