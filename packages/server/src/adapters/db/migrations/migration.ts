import type { Kysely } from 'kysely';

export type SqlDialect = 'sqlite' | 'postgres';

/** A numbered, append-only schema step that runs on both SQLite and PostgreSQL. */
export interface Migration {
  id: number;
  name: string;
  up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void>;
}
