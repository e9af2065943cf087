import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { JsonObject } from './merge-patch';
import type { RecordKindSpec, StoredRecord } from './record-kind';
import type { ListSql } from './record-list-query';
import { KeyedSelect, SqlDialect, SqlExecutor, SqlParameter } from './sql-dialect';

export interface RecordRow {
  id: string;
  fields: string;
  version: number;
  created_at: string;
  updated_at: string;
}

/** A listed row, its fields still JSON text, with where it sorts (for the page's cursor). */
export interface ListedRow extends RecordRow {
  sortValue: unknown;
  sortMissing: number;
}

const INSERT_CHUNK = 100;

export function toStoredRecord(row: RecordRow): StoredRecord {
  return {
    id: row.id,
    fields: JSON.parse(row.fields) as JsonObject,
    version: Number(row.version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The rows of any extended-record table (profiles, trainings…): the JSON column is the source of truth for reads. */
@Injectable()
export class RecordRowsRepository {
  private readonly selectById = new Map<string, KeyedSelect>();

  constructor(private readonly dialect: SqlDialect) {}

  private columns(spec: RecordKindSpec): string {
    return `${spec.idColumn} AS id, fields, version, created_at, updated_at`;
  }

  /** The hot read: one lean keyed query, no entity hydration; the SQL string is reused so the prepared statement is cached. */
  async findById(spec: RecordKindSpec, id: string): Promise<StoredRecord | null> {
    const row = await this.findRowById(spec, id);
    return row ? toStoredRecord(row) : null;
  }

  /** The row as stored, its fields still JSON text (for answers that can send the stored document as it is). */
  async findRowById(spec: RecordKindSpec, id: string): Promise<RecordRow | null> {
    let select = this.selectById.get(spec.table);
    if (!select) {
      select = new KeyedSelect(`SELECT ${this.columns(spec)} FROM ${spec.table}`, spec.idColumn, 'id');
      this.selectById.set(spec.table, select);
    }
    const rows = await this.dialect.readByKey<RecordRow>(select, id);
    return rows[0] ?? null;
  }

  /** Several records by id, without locking (combined reads). */
  async findByIds(spec: RecordKindSpec, ids: string[]): Promise<StoredRecord[]> {
    if (ids.length === 0) return [];
    const sql = `SELECT ${this.columns(spec)} FROM ${spec.table} WHERE ${spec.idColumn} IN (${SqlDialect.list(ids.length)})`;
    return (await this.dialect.read<RecordRow>(sql, ids)).map(toStoredRecord);
  }

  /** Reads rows for a read-modify-write, locking them on PostgreSQL until the transaction ends. */
  async lockByIds(manager: EntityManager, spec: RecordKindSpec, ids: string[]): Promise<StoredRecord[]> {
    if (ids.length === 0) return [];
    const sql = `SELECT ${this.columns(spec)} FROM ${spec.table} WHERE ${spec.idColumn} IN (${SqlDialect.list(ids.length)})${this.dialect.forUpdate}`;
    return (await this.dialect.query<RecordRow>(manager, sql, ids)).map(toStoredRecord);
  }

  async insertMany(manager: EntityManager, spec: RecordKindSpec, records: StoredRecord[]): Promise<void> {
    await this.dialect.insertRows(
      manager,
      `INSERT INTO ${spec.table} (${spec.idColumn}, fields, version, created_at, updated_at)`,
      records.map((r) => [r.id, JSON.stringify(r.fields), r.version, r.createdAt, r.updatedAt]),
      INSERT_CHUNK,
    );
  }

  async update(manager: EntityManager, spec: RecordKindSpec, record: StoredRecord): Promise<void> {
    await this.dialect.query(manager, `UPDATE ${spec.table} SET fields = ?, version = ?, updated_at = ? WHERE ${spec.idColumn} = ?`, [
      JSON.stringify(record.fields),
      record.version,
      record.updatedAt,
      record.id,
    ]);
  }

  async delete(manager: EntityManager, spec: RecordKindSpec, id: string): Promise<void> {
    await this.dialect.query(manager, `DELETE FROM ${spec.table} WHERE ${spec.idColumn} = ?`, [id]);
  }

  /** Keyset page in id order (exports, scans): bounded memory however large the table. */
  async pageAfter(executor: SqlExecutor, spec: RecordKindSpec, afterId: string | null, limit: number): Promise<StoredRecord[]> {
    const where = afterId === null ? '' : ` WHERE ${spec.idColumn} > ?`;
    const parameters: SqlParameter[] = afterId === null ? [limit] : [afterId, limit];
    const sql = `SELECT ${this.columns(spec)} FROM ${spec.table}${where} ORDER BY ${spec.idColumn} LIMIT ?`;
    return (await this.dialect.query<RecordRow>(executor, sql, parameters)).map(toStoredRecord);
  }

  /** Keyset page of the rows that hold a value for a field. */
  async pageHoldingField(
    manager: EntityManager,
    spec: RecordKindSpec,
    key: string,
    afterId: string | null,
    limit: number,
  ): Promise<StoredRecord[]> {
    const after = afterId === null ? '' : ` AND ${spec.idColumn} > ?`;
    const parameters: SqlParameter[] = afterId === null ? [key, limit] : [key, afterId, limit];
    const sql = `SELECT ${this.columns(spec)} FROM ${spec.table} WHERE ${this.dialect.jsonHasKey('fields')}${after} ORDER BY ${spec.idColumn} LIMIT ?${this.dialect.forUpdate}`;
    return (await this.dialect.query<RecordRow>(manager, sql, parameters)).map(toStoredRecord);
  }

  async countHoldingField(executor: SqlExecutor, spec: RecordKindSpec, key: string): Promise<number> {
    const rows = await this.dialect.query<{ count: number | string }>(
      executor,
      `SELECT COUNT(*) AS count FROM ${spec.table} WHERE ${this.dialect.jsonHasKey('fields')}`,
      [key],
    );
    return Number(rows[0]?.count ?? 0);
  }

  /** Lists records with a caller-built filter and order (see buildListSql). */
  async list(
    spec: RecordKindSpec,
    { from, where, orderBy, sortColumns, parameters, pageFromMatchingIds }: Omit<ListSql, 'cursorAfter'>,
    limit: number,
  ): Promise<ListedRow[]> {
    const columns = `r.${spec.idColumn} AS id, r.fields, r.version, r.created_at, r.updated_at${sortColumns}`;
    const filtered = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
    // On SQLite the page's ids are found and sorted from the (id, created_at, updated_at) index alone, and only that
    // page's rows are read (the planner would read every match's row to sort it).
    const sql =
      pageFromMatchingIds && !this.dialect.isPostgres
        ? `SELECT ${columns} FROM ${from} WHERE r.${spec.idColumn} IN (SELECT r.${spec.idColumn} FROM ${spec.table} r ` +
          `INDEXED BY ix_${spec.table}_id_times${filtered} ORDER BY ${orderBy} LIMIT ?) ORDER BY ${orderBy}`
        : `SELECT ${columns} FROM ${from}${filtered} ORDER BY ${orderBy} LIMIT ?`;
    const rows = await this.dialect.read<
      RecordRow & { sort_text?: string | null; sort_num?: number | null; sort_missing: number | string }
    >(sql, [...parameters, limit]);
    return rows.map(({ sort_text, sort_num, sort_missing, ...row }) => ({
      ...row,
      version: Number(row.version),
      sortValue: sort_num ?? sort_text ?? null,
      sortMissing: Number(sort_missing),
    }));
  }
}
