// PostgreSQL's COPY FROM STDIN, which Kysely cannot send: a transaction on one connection of the
// pool whose steps are plain queries and COPY streams (pg-copy-streams, pure JavaScript). A store
// that writes many rows at once (a device import, issue 25) takes it as an option; SQLite has none.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export interface CopySession {
  /** One statement; its rows. */
  query<R>(text: string, values?: unknown[]): Promise<R[]>;
  /** `COPY table (columns) FROM STDIN` fed with `text`, rows in COPY's text format. */
  copy(statement: string, text: string): Promise<void>;
}

/** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
export type CopyTransaction = <T>(work: (session: CopySession) => Promise<T>) => Promise<T>;

export function createCopyTransaction(pool: pg.Pool): CopyTransaction {
  return async (work) => {
    const client = await pool.connect();
    const session: CopySession = {
      query: async (text, values) => (await client.query(text, values)).rows,
      copy: (statement, text) => pipeline(Readable.from([text]), client.query(copyFrom(statement))),
    };
    // Given back to the pool only when out of any transaction; closed after a broken socket.
    let clean = false;
    try {
      await client.query('begin');
      try {
        const result = await work(session);
        await client.query('commit');
        clean = true;
        return result;
      } catch (error) {
        await client.query('rollback').then(
          () => {
            clean = true;
          },
          () => {},
        );
        throw error;
      }
    } finally {
      client.release(!clean);
    }
  };
}

/** A value in COPY's text format: backslash, tab, newline and carriage return escaped; null as \N. */
export function copyText(value: string | number | null): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!)
    : value;
}
