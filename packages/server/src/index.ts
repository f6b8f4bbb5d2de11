export { type Clock, createManualClock, systemClock } from './adapters/clock/clock.ts';
export { type Database, migrateDatabase, openDatabase } from './adapters/db/database.ts';
export { type AdminTools, openAdminTools, runMigrations } from './admin.ts';
export { type App, type BuildOptions, buildApp } from './app.ts';
export { type Config, ConfigError, describeSettings, loadConfig } from './config/config.ts';
