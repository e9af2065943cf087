import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** SQLite query runners whose transactions begin with BEGIN IMMEDIATE. */
const beginningImmediately = new WeakSet<QueryRunner>();

/**
 * Runs units of work in a database transaction.
 *
 * better-sqlite3 has a single connection that TypeORM shares between all callers, so two
 * overlapping transactions would silently nest as savepoints. On SQLite we therefore queue
 * transactions one after another; PostgreSQL gets real concurrent transactions from its pool.
 */
@Injectable()
export class TransactionRunner {
  private sqliteQueue: Promise<unknown> = Promise.resolve();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  get isSqlite(): boolean {
    return this.dataSource.options.type === 'better-sqlite3';
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.isSqlite) return this.dataSource.transaction(work);
    const result = this.sqliteQueue.then(() => {
      beginImmediately(this.dataSource.createQueryRunner());
      return this.dataSource.transaction(work);
    });
    this.sqliteQueue = result.catch(() => undefined);
    return result;
  }
}

/**
 * SQLite, where another process may write the same file (the sync CLI next to the server): a transaction takes the
 * write lock when it begins, waiting up to the busy timeout for the other writer to commit. TypeORM begins deferred
 * (BEGIN TRANSACTION): a transaction that read first would fail at its first write with "database is locked", at once,
 * because SQLite does not let a reader wait for the write lock. The better-sqlite3 driver hands out one query runner for
 * its one connection, so this applies to every transaction on it, TypeORM's own included.
 */
function beginImmediately(runner: QueryRunner): void {
  if (beginningImmediately.has(runner)) return;
  const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
  runner.query = ((sql: string, ...rest: unknown[]) =>
    query(sql === 'BEGIN TRANSACTION' ? 'BEGIN IMMEDIATE TRANSACTION' : sql, ...rest)) as QueryRunner['query'];
  beginningImmediately.add(runner);
}
