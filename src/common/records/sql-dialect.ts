import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { DomainError } from '../errors/domain-error';

export type SqlParameter = string | number | null;

/** Prepared statements kept at most; list queries vary with their filters, so the cache must not grow without end. */
const MAX_PREPARED_STATEMENTS = 256;
/**
 * Named statements at most on PostgreSQL. Each one stays prepared on every pooled connection that ran it, so only the
 * fixed SQL texts of KeyedSelects get a name; past this many, a statement runs unnamed.
 */
const MAX_NAMED_STATEMENTS = 32;

interface PreparedStatement {
  all(...parameters: SqlParameter[]): unknown[];
}
interface SqliteConnection {
  prepare(sql: string): PreparedStatement;
  readonly inTransaction: boolean;
}
interface QueryablePool {
  query(config: { name?: string; text: string; values: Array<SqlParameter | string[]> }): Promise<{ rows: unknown[] }>;
}
interface KeyedReadWaiter {
  resolve(rows: unknown[]): void;
  reject(error: unknown): void;
}

/**
 * SQLite: how long keyed reads wait for a transaction on the shared connection to end. Past it they fail (503) rather
 * than read rows that may never be committed: a read asked for inside that very transaction would otherwise wait for
 * ever, and another would see its uncommitted rows.
 */
const MAX_WAIT_FOR_TRANSACTION_MS = 1000;

/** A hot read that gave up waiting for a transaction on the SQLite connection. */
export class DatabaseBusyError extends DomainError {
  readonly kind = 'unavailable';
  readonly code = 'database_busy';
  constructor() {
    super(`The database stayed inside a transaction for ${MAX_WAIT_FOR_TRANSACTION_MS} ms; retry shortly.`, { retryAfterSeconds: 1 });
  }
}

/** Keys in one batched keyed query at most; a batch with more keys is split into several queries. */
const MAX_KEYS_PER_BATCH = 500;

/**
 * The rows of one key: `SELECT <columns> FROM <table> WHERE <keyColumn> = ?`, in `orderBy` order. The columns must
 * include the key, named `keyField` in the rows, so that a batch of keys can hand each its own rows.
 */
export class KeyedSelect {
  readonly oneKeySql: string;
  /** PostgreSQL only: the same rows for an array of keys */
  readonly manyKeysSql: string;

  constructor(
    selectFrom: string,
    keyColumn: string,
    readonly keyField: string,
    orderBy?: string,
  ) {
    const order = orderBy ? ` ORDER BY ${orderBy}` : '';
    this.oneKeySql = `${selectFrom} WHERE ${keyColumn} = ?${order}`;
    this.manyKeysSql = `${selectFrom} WHERE ${keyColumn} = ANY(?)${order}`;
  }
}
/** Where a query runs: inside a transaction (EntityManager) or on the pool. */
export type SqlExecutor = Pick<EntityManager, 'query'> | Pick<DataSource, 'query'>;

/**
 * The few places where SQLite and PostgreSQL differ for extended records.
 * Queries are written with `?` placeholders; PostgreSQL gets `$1, $2…`.
 */
@Injectable()
export class SqlDialect {
  readonly isPostgres: boolean;
  private readonly statements = new Map<string, PreparedStatement>();
  private readonly namedStatements = new Map<string, { name: string; text: string }>();
  private readonly pendingBatches = new Map<KeyedSelect, Map<string, KeyedReadWaiter[]>>();
  private batchesScheduled = false;
  /** SQLite: since when pending keyed reads have been waiting for a transaction to end (null: they are not). */
  private waitingForTransactionSince: number | null = null;
  private readonly logger = new Logger(SqlDialect.name);
  /** PostgreSQL: queries of each KeyedSelect still running; its next batch waits for them and gathers keys meanwhile. */
  private readonly queriesRunning = new Map<KeyedSelect, number>();

  constructor(@InjectDataSource() readonly dataSource: DataSource) {
    this.isPostgres = dataSource.options.type === 'postgres';
  }

  query<T>(executor: SqlExecutor, sql: string, parameters: SqlParameter[] = []): Promise<T[]> {
    return executor.query(this.isPostgres ? numberPlaceholders(sql) : sql, parameters) as Promise<T[]>;
  }

  /**
   * Multi-row INSERT: `insertInto` is `INSERT INTO table (columns)`, each row its values in that order, `rowsPerStatement`
   * rows per statement (keep rows × columns well under SQLite's and PostgreSQL's parameter limits).
   */
  async insertRows(executor: SqlExecutor, insertInto: string, rows: SqlParameter[][], rowsPerStatement: number): Promise<void> {
    for (let start = 0; start < rows.length; start += rowsPerStatement) {
      const chunk = rows.slice(start, start + rowsPerStatement);
      const values = chunk.map((row) => `(${SqlDialect.list(row.length)})`).join(', ');
      await this.query(executor, `${insertInto} VALUES ${values}`, chunk.flat());
    }
  }

  /**
   * Hot reads outside a transaction: on SQLite a prepared better-sqlite3 statement, kept per SQL text, skips
   * TypeORM's per-query bookkeeping and SQLite's planning (the read is otherwise identical). The oldest statement
   * makes room for a new one past MAX_PREPARED_STATEMENTS. PostgreSQL goes through the pool.
   */
  async read<T>(sql: string, parameters: SqlParameter[]): Promise<T[]> {
    if (this.isPostgres) return this.query<T>(this.dataSource, sql, parameters);
    return this.prepared(sql).all(...parameters) as T[];
  }

  /** SQLite: the statement of a SQL text, prepared once; past MAX_PREPARED_STATEMENTS the oldest makes room. */
  private prepared(sql: string): PreparedStatement {
    let statement = this.statements.get(sql);
    if (!statement) {
      const connection = this.sqliteConnection();
      if (!connection) throw new Error('The SQLite connection is closed.');
      statement = connection.prepare(sql);
      if (this.statements.size >= MAX_PREPARED_STATEMENTS) this.statements.delete(this.statements.keys().next().value!);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** The driver's one connection: undefined before the data source is initialized, closed (statements throw) once it is destroyed. */
  private sqliteConnection(): SqliteConnection | undefined {
    return (this.dataSource.driver as unknown as { databaseConnection?: SqliteConnection }).databaseConnection;
  }

  /**
   * A hot read of the rows of one key. The reads of one KeyedSelect asked for in the same turn of the event loop are
   * answered together once the turn's callbacks have run (setImmediate), so a batch sees every write committed before
   * any of its reads was asked for.
   * - PostgreSQL: one query for the batch (`= ANY` of its keys) run as a named statement on the pool: parsed and planned
   *   once per connection, without TypeORM's query runner, one round trip and one backend wake-up for many requests.
   *   While a KeyedSelect's queries run (one, or several for a batch past MAX_KEYS_PER_BATCH), the keys asked for
   *   meanwhile gather for its next batch (5% more reads per second under scenario 1's load, with bench:compare).
   * - SQLite: the prepared statement of `read`, key after key. Answering a turn's reads together rather than each in its
   *   own request's callback measured 14.6k against 24.3k keyed reads per second (the CPU keeps one stage of many
   *   requests' work hot at a time). A batch waits while the shared connection is inside a transaction that spans turns,
   *   so it never reads that transaction's uncommitted rows; past MAX_WAIT_FOR_TRANSACTION_MS it fails.
   */
  readByKey<T>(select: KeyedSelect, key: string): Promise<T[]> {
    let batch = this.pendingBatches.get(select);
    if (!batch) {
      batch = new Map();
      this.pendingBatches.set(select, batch);
    }
    this.scheduleBatches();
    const waiters = batch.get(key) ?? [];
    if (waiters.length === 0) batch.set(key, waiters);
    return new Promise<T[]>((resolve, reject) => waiters.push({ resolve: resolve as (rows: unknown[]) => void, reject }));
  }

  private scheduleBatches(): void {
    if (this.batchesScheduled) return;
    this.batchesScheduled = true;
    setImmediate(() => this.runPendingBatches());
  }

  private runPendingBatches(): void {
    this.batchesScheduled = false;
    if (this.isPostgres) this.startPostgresBatches();
    else this.answerSqliteBatches();
  }

  /** Each KeyedSelect with no query running gets its batch's queries; the others keep gathering keys. */
  private startPostgresBatches(): void {
    for (const [select, waitersByKey] of [...this.pendingBatches]) {
      if (this.queriesRunning.has(select)) continue;
      this.pendingBatches.delete(select);
      const keys = [...waitersByKey.keys()];
      for (let start = 0; start < keys.length; start += MAX_KEYS_PER_BATCH) {
        this.queriesRunning.set(select, (this.queriesRunning.get(select) ?? 0) + 1);
        void this.runBatch(select, keys.slice(start, start + MAX_KEYS_PER_BATCH), waitersByKey)
          .catch((error: unknown) => this.logger.error({ err: error }, 'A batch of keyed reads failed unexpectedly'))
          .finally(() => this.queryEnded(select));
      }
    }
  }

  private queryEnded(select: KeyedSelect): void {
    const left = this.queriesRunning.get(select)! - 1;
    if (left > 0) {
      this.queriesRunning.set(select, left);
      return;
    }
    this.queriesRunning.delete(select);
    if (this.pendingBatches.has(select)) this.scheduleBatches();
  }

  /** Every pending key's prepared statement, once the shared connection is outside any transaction. */
  private answerSqliteBatches(): void {
    if (this.sqliteConnection()?.inTransaction) {
      this.waitForTransaction();
      return;
    }
    this.waitingForTransactionSince = null;
    const batches = [...this.pendingBatches];
    this.pendingBatches.clear();
    for (const [select, waitersByKey] of batches) {
      for (const [key, waiters] of waitersByKey) {
        let rows: unknown[];
        try {
          rows = this.prepared(select.oneKeySql).all(key);
        } catch (error: unknown) {
          for (const waiter of waiters) waiter.reject(error);
          continue;
        }
        answer(waiters, rows);
      }
    }
  }

  /** SQLite: pending keyed reads try again in a millisecond, or fail once they have waited MAX_WAIT_FOR_TRANSACTION_MS. */
  private waitForTransaction(): void {
    const now = Date.now();
    this.waitingForTransactionSince ??= now;
    if (now - this.waitingForTransactionSince < MAX_WAIT_FOR_TRANSACTION_MS) {
      this.batchesScheduled = true;
      setTimeout(() => this.runPendingBatches(), 1);
      return;
    }
    this.waitingForTransactionSince = null;
    this.logger.warn(
      `Keyed reads waited ${MAX_WAIT_FOR_TRANSACTION_MS} ms for a transaction to end and failed: is a hot read asked for within a transaction?`,
    );
    const error = new DatabaseBusyError();
    for (const waitersByKey of this.pendingBatches.values())
      for (const waiters of waitersByKey.values()) for (const waiter of waiters) waiter.reject(error);
    this.pendingBatches.clear();
  }

  private async runBatch(select: KeyedSelect, keys: string[], waitersByKey: Map<string, KeyedReadWaiter[]>): Promise<void> {
    let rows: Array<Record<string, unknown>>;
    try {
      rows = keys.length === 1 ? await this.runNamed(select.oneKeySql, keys) : await this.runNamed(select.manyKeysSql, [keys]);
    } catch (error: unknown) {
      for (const key of keys) for (const waiter of waitersByKey.get(key)!) waiter.reject(error);
      return;
    }
    const rowsByKey = new Map<string, unknown[]>(keys.map((key) => [key, []]));
    for (const row of rows) rowsByKey.get(String(row[select.keyField]))?.push(row);
    for (const key of keys) answer(waitersByKey.get(key)!, rowsByKey.get(key)!);
  }

  /** Only the fixed texts of KeyedSelects get a name (at most MAX_NAMED_STATEMENTS); past that a statement runs unnamed. */
  private async runNamed(sql: string, values: Array<SqlParameter | string[]>): Promise<Array<Record<string, unknown>>> {
    let statement = this.namedStatements.get(sql);
    if (!statement && this.namedStatements.size < MAX_NAMED_STATEMENTS) {
      statement = { name: `companion_read_${this.namedStatements.size + 1}`, text: numberPlaceholders(sql) };
      this.namedStatements.set(sql, statement);
    }
    const pool = (this.dataSource.driver as unknown as { master: QueryablePool }).master;
    const query = statement ?? { text: numberPlaceholders(sql) };
    return (await pool.query({ ...query, values })).rows as Array<Record<string, unknown>>;
  }

  /** Row lock for read-modify-write (SQLite transactions are already serialized by TransactionRunner). */
  get forUpdate(): string {
    return this.isPostgres ? ' FOR UPDATE' : '';
  }

  get forShare(): string {
    return this.isPostgres ? ' FOR SHARE' : '';
  }

  /** SQL that is true when the JSON text column holds the top-level key given as the next parameter. */
  jsonHasKey(column: string): string {
    return this.isPostgres ? `jsonb_exists(${column}::jsonb, ?)` : `json_type(${column}, '$.' || ?) IS NOT NULL`;
  }

  /** Serializes writers of one logical resource until the transaction ends (PostgreSQL; SQLite is serialized already). */
  async lockResource(manager: EntityManager, name: string): Promise<void> {
    if (this.isPostgres) await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [name]);
  }

  /** `?, ?, ?` for an IN list. */
  static list(count: number): string {
    return Array.from({ length: count }, () => '?').join(', ');
  }
}

/** Each waiter of a key gets the rows as an array of its own (one waiter takes the array itself). */
function answer(waiters: KeyedReadWaiter[], rows: unknown[]): void {
  for (const waiter of waiters) waiter.resolve(waiters.length === 1 ? rows : [...rows]);
}

function numberPlaceholders(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
}

/** True for a primary-key or unique violation (a concurrent create won the race). */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string } | undefined;
  return (
    driverError?.code === '23505' ||
    driverError?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    driverError?.code === 'SQLITE_CONSTRAINT_UNIQUE'
  );
}
