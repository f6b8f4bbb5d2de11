export { type Clock, systemClock } from './adapters/clock/clock.ts';
export { type Database, migrateDatabase, openDatabase } from './adapters/db/database.ts';
export { inspectStorage, type StorageState } from './adapters/storage/storage-check.ts';
export { type AdminTools, migrateBlobStore, openAdminTools, runMigrations } from './admin.ts';
export { type App, type BuildOptions, buildApp } from './app.ts';
export { type Config, ConfigError, describeSettings, loadConfig } from './config/config.ts';
