// Kysely dialect over Node's built-in `node:sqlite` (no native addon). One connection guarded
// by a mutex, as Kysely's own SQLite driver does: a transaction owns the connection until it ends.
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { Kysely } from 'kysely';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type TransactionSettings,
} from 'kysely';
import { explainStorageError, type StoragePlace } from '../storage/storage-faults.ts';

function toParam(value: unknown): SQLInputValue {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.getTime();
  return value as SQLInputValue;
}

class NodeSqliteConnection implements DatabaseConnection {
  readonly #db: DatabaseSync;
  /** Prepared statements by SQL, with whether each returns rows (asked once: columns() allocates). */
  readonly #cache = new Map<string, { statement: StatementSync; returnsRows: boolean }>();
  readonly #place: StoragePlace | null;

  constructor(db: DatabaseSync, place: StoragePlace | null) {
    this.#db = db;
    this.#place = place;
  }

  #prepare(sql: string): { statement: StatementSync; returnsRows: boolean } {
    let prepared = this.#cache.get(sql);
    if (!prepared) {
      const statement = this.#db.prepare(sql);
      prepared = { statement, returnsRows: statement.columns().length > 0 };
      if (this.#cache.size > 500) this.#cache.clear();
      this.#cache.set(sql, prepared);
    }
    return prepared;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    try {
      return this.#execute<R>(compiled);
    } catch (error) {
      // A disk that filled or went read-only after the start: STORAGE_FULL (507) or
      // STORAGE_READ_ONLY (503) naming the file, not an INTERNAL 500 (issue 14).
      throw this.#place ? explainStorageError(error, this.#place) : error;
    }
  }

  #execute<R>(compiled: CompiledQuery): QueryResult<R> {
    const { statement, returnsRows } = this.#prepare(compiled.sql);
    const params = compiled.parameters.map(toParam);
    if (returnsRows) {
      return { rows: statement.all(...params) as R[] };
    }
    const result = statement.run(...params);
    return {
      rows: [],
      numAffectedRows: BigInt(result.changes),
      insertId: BigInt(result.lastInsertRowid),
    };
  }

  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const { statement } = this.#prepare(compiled.sql);
    for (const row of statement.iterate(...compiled.parameters.map(toParam))) {
      yield { rows: [row as R] };
    }
  }
}

/**
 * One holder at a time, in arrival order: unlock hands the lock to the next waiter itself. (Waking
 * every waiter to race for it cost each query a microtask per request queued behind it.)
 */
class Mutex {
  #locked = false;
  readonly #waiters: (() => void)[] = [];

  lock(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  unlock(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#locked = false;
  }
}

class NodeSqliteDriver implements Driver {
  readonly #db: DatabaseSync;
  readonly #mutex = new Mutex();
  readonly #connection: NodeSqliteConnection;

  constructor(db: DatabaseSync, place: StoragePlace | null) {
    this.#db = db;
    this.#connection = new NodeSqliteConnection(db, place);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#mutex.lock();
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    // IMMEDIATE takes the write lock at once, so two processes on one file never deadlock on upgrade.
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    this.#mutex.unlock();
  }

  async destroy(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }
}

/**
 * Kysely's SQLite adapter, saying that the driver guards its one connection itself (its Mutex
 * above). Kysely would otherwise put its own lock in front, one that wakes every waiter on each
 * release: with a push chunk's hundreds of queries queued, each query cost hundreds of wake-ups.
 */
class NodeSqliteAdapter extends SqliteAdapter {
  override get supportsMultipleConnections(): boolean {
    return true;
  }
}

export class NodeSqliteDialect implements Dialect {
  readonly #db: DatabaseSync;
  readonly #place: StoragePlace | null;

  /** `place`: the database file, named in storage faults (none for `:memory:`). */
  constructor(db: DatabaseSync, place: StoragePlace | null = null) {
    this.#db = db;
    this.#place = place;
  }

  createAdapter() {
    return new NodeSqliteAdapter();
  }

  createDriver(): Driver {
    return new NodeSqliteDriver(this.#db, this.#place);
  }

  createIntrospector(db: Kysely<unknown>) {
    return new SqliteIntrospector(db);
  }

  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }
}
