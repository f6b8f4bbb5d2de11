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

/** The parameters as node:sqlite binds them: the same array when none needs converting (most). */
function toParams(values: readonly unknown[]): SQLInputValue[] {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value === 'boolean' || (typeof value === 'object' && value instanceof Date))
      return values.map(toParam);
  }
  return values as SQLInputValue[];
}

type RowOf = new (values: unknown[]) => object;

/**
 * A statement's row maker: rows are read as arrays and made into objects of one shape per
 * statement. node:sqlite's own row objects are in V8's dictionary mode (made with every property
 * at once, null prototype), so that each property read is a hash lookup: a claim of 1,000
 * upgrade records of 31 columns cost about twice as much read that way. The objects keep what
 * node:sqlite's had: the columns in order (a later column of a name wins) and nothing inherited.
 */
function rowMaker(names: readonly string[]): RowOf {
  // JSON.stringify quotes any column name as a JavaScript string literal.
  const body = names.map((name, i) => `this[${JSON.stringify(name)}] = values[${i}];`).join('\n');
  const Row = new Function('values', body) as unknown as RowOf;
  Row.prototype = Object.create(null);
  return Row;
}

interface Prepared {
  statement: StatementSync;
  /** The row maker of a statement that returns rows (asked once: columns() allocates). */
  Row: RowOf | null;
  /** Its number of columns. */
  width: number;
}

/** Schema changes: SQLite prepares a cached statement again after one, its columns may change. */
const schemaChange = /^\s*(create|alter|drop)\b/i;

class NodeSqliteConnection implements DatabaseConnection {
  readonly #db: DatabaseSync;
  /** Prepared statements by SQL. */
  readonly #cache = new Map<string, Prepared>();
  readonly #place: StoragePlace | null;

  constructor(db: DatabaseSync, place: StoragePlace | null) {
    this.#db = db;
    this.#place = place;
  }

  #prepare(sql: string): Prepared {
    let prepared = this.#cache.get(sql);
    if (!prepared) {
      const statement = this.#db.prepare(sql);
      const columns = statement.columns();
      if (columns.length > 0) statement.setReturnArrays(true);
      const Row = columns.length > 0 ? rowMaker(columns.map((c) => c.name)) : null;
      prepared = { statement, Row, width: columns.length };
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
    const prepared = this.#prepare(compiled.sql);
    const { statement } = prepared;
    const params = toParams(compiled.parameters);
    if (schemaChange.test(compiled.sql)) this.#cache.clear();
    if (prepared.Row !== null) {
      const values = statement.all(...params) as unknown as unknown[][];
      let Row = prepared.Row;
      if (values.length > 0 && values[0]!.length !== prepared.width) {
        // A `select *` prepared before another connection changed the table's columns.
        this.#cache.delete(compiled.sql);
        Row = rowMaker(statement.columns().map((c) => c.name));
      }
      const rows = new Array<R>(values.length);
      for (let i = 0; i < values.length; i++) rows[i] = new Row(values[i]!) as R;
      return { rows };
    }
    const result = statement.run(...params);
    return {
      rows: [],
      numAffectedRows: BigInt(result.changes),
      insertId: BigInt(result.lastInsertRowid),
    };
  }

  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const { statement, Row } = this.#prepare(compiled.sql);
    for (const values of statement.iterate(...toParams(compiled.parameters))) {
      yield { rows: [(Row ? new Row(values as unknown as unknown[]) : values) as R] };
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
