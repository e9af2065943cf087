import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { JsonObject } from '../common/records/merge-patch';
import { KeyedSelect, SqlDialect, SqlExecutor, SqlParameter } from '../common/records/sql-dialect';
import type { TrainingProgress, TrainingStatus } from '../opigno/opigno.types';
import { trainingRecordId } from './training-kinds';

/** The upstream-owned part of a training record: changes only by refresh, sync or webhook. */
export interface UpstreamTrainingState {
  title: string | null;
  status: TrainingStatus | null;
  progress: number | null;
  score: number | null;
  registeredAt: string | null;
  completedAt: string | null;
  timeSpent: number | null;
}

export interface TrainingRecordRow extends UpstreamTrainingState {
  id: string;
  uuid: string;
  lpId: string;
  syncedAt: string | null;
  fields: JsonObject;
  version: number;
  createdAt: string;
  updatedAt: string;
}

interface RawRow {
  id: string;
  uuid: string;
  lp_id: string;
  title: string | null;
  status: string | null;
  progress: number | null;
  score: number | null;
  registered_at: string | null;
  completed_at: string | null;
  time_spent: number | null;
  synced_at: string | null;
  fields: string;
  version: number | string;
  created_at: string;
  updated_at: string;
}

const COLUMNS =
  'id, uuid, lp_id, title, status, progress, score, registered_at, completed_at, time_spent, synced_at, fields, version, created_at, updated_at';
/** Records per INSERT statement: 15 parameters each, well under SQLite's and PostgreSQL's limits. */
const INSERT_CHUNK = 100;
const RECORDS_OF_USER = new KeyedSelect(`SELECT ${COLUMNS} FROM training_records`, 'uuid', 'uuid', 'lp_id');
export const UPSTREAM_ATTRIBUTES = ['title', 'status', 'progress', 'score', 'registeredAt', 'completedAt', 'timeSpent'] as const;

function toRow(raw: RawRow): TrainingRecordRow {
  const nullableNumber = (v: number | string | null): number | null => (v === null ? null : Number(v));
  return {
    id: raw.id,
    uuid: raw.uuid,
    lpId: raw.lp_id,
    title: raw.title,
    status: raw.status as TrainingStatus | null,
    progress: nullableNumber(raw.progress),
    score: nullableNumber(raw.score),
    registeredAt: raw.registered_at,
    completedAt: raw.completed_at,
    timeSpent: nullableNumber(raw.time_spent),
    syncedAt: raw.synced_at,
    fields: JSON.parse(raw.fields) as JsonObject,
    version: Number(raw.version),
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
  };
}

export function upstreamStateOf(progress: TrainingProgress): UpstreamTrainingState {
  return {
    title: progress.title,
    status: progress.status,
    progress: progress.progress,
    score: progress.score,
    registeredAt: progress.registeredAt,
    completedAt: progress.completedAt,
    timeSpent: progress.timeSpent,
  };
}

/** Per-user training records: one row per (user uuid, learning path id). */
@Injectable()
export class TrainingRecordsRepository {
  constructor(private readonly dialect: SqlDialect) {}

  async findOne(uuid: string, lpId: string, executor: SqlExecutor = this.dialect.dataSource): Promise<TrainingRecordRow | null> {
    const rows = await this.dialect.query<RawRow>(executor, `SELECT ${COLUMNS} FROM training_records WHERE id = ?`, [
      trainingRecordId(uuid, lpId),
    ]);
    return rows.length === 0 ? null : toRow(rows[0]!);
  }

  /** A user's records in lpId order, optionally by status, after a keyset cursor. */
  async listForUser(uuid: string, options: { status?: string; afterLpId?: string | null; limit: number }): Promise<TrainingRecordRow[]> {
    const where: string[] = ['uuid = ?'];
    const parameters: SqlParameter[] = [uuid];
    if (options.status) {
      where.push('status = ?');
      parameters.push(options.status);
    }
    if (options.afterLpId) {
      where.push('lp_id > ?');
      parameters.push(options.afterLpId);
    }
    parameters.push(options.limit);
    const sql = `SELECT ${COLUMNS} FROM training_records WHERE ${where.join(' AND ')} ORDER BY lp_id LIMIT ?`;
    return (await this.dialect.query<RawRow>(this.dialect.dataSource, sql, parameters)).map(toRow);
  }

  /** Every record of a user, locked for a read-modify-write on PostgreSQL. */
  async lockAllForUser(manager: EntityManager, uuid: string): Promise<TrainingRecordRow[]> {
    const sql = `SELECT ${COLUMNS} FROM training_records WHERE uuid = ? ORDER BY lp_id${this.dialect.forUpdate}`;
    return (await this.dialect.query<RawRow>(manager, sql, [uuid])).map(toRow);
  }

  /** Every record of a user (a hot read of combined profiles: the prepared-statement path). */
  async allForUser(uuid: string): Promise<TrainingRecordRow[]> {
    return (await this.dialect.readByKey<RawRow>(RECORDS_OF_USER, uuid)).map(toRow);
  }

  /** New records of one user, as Opigno reports them, in one statement per INSERT_CHUNK records. */
  async insertManyFromUpstream(
    manager: EntityManager,
    uuid: string,
    states: Array<UpstreamTrainingState & { lpId: string }>,
    now: string,
  ): Promise<void> {
    const rows = states.map((state) => [
      trainingRecordId(uuid, state.lpId),
      uuid,
      state.lpId,
      state.title,
      state.status,
      state.progress,
      state.score,
      state.registeredAt,
      state.completedAt,
      state.timeSpent,
      now,
      '{}',
      1,
      now,
      now,
    ]);
    await this.dialect.insertRows(manager, `INSERT INTO training_records (${COLUMNS})`, rows, INSERT_CHUNK);
  }

  async updateUpstream(manager: EntityManager, id: string, state: UpstreamTrainingState, now: string): Promise<void> {
    await this.dialect.query(
      manager,
      `UPDATE training_records SET title = ?, status = ?, progress = ?, score = ?, registered_at = ?, completed_at = ?, time_spent = ?, synced_at = ?, updated_at = ? WHERE id = ?`,
      [state.title, state.status, state.progress, state.score, state.registeredAt, state.completedAt, state.timeSpent, now, now, id],
    );
  }

  async markSynced(manager: EntityManager, uuid: string, now: string): Promise<void> {
    await this.dialect.query(manager, `UPDATE training_records SET synced_at = ? WHERE uuid = ?`, [now, uuid]);
  }

  /** Inserts a record that moves to another user (identity merge), keeping its upstream state, values and version. */
  async insertMoved(manager: EntityManager, row: TrainingRecordRow, toUuid: string, now: string): Promise<void> {
    await this.dialect.query(manager, `INSERT INTO training_records (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      trainingRecordId(toUuid, row.lpId),
      toUuid,
      row.lpId,
      row.title,
      row.status,
      row.progress,
      row.score,
      row.registeredAt,
      row.completedAt,
      row.timeSpent,
      row.syncedAt,
      JSON.stringify(row.fields),
      row.version,
      row.createdAt,
      now,
    ]);
  }

  async updateFields(manager: EntityManager, id: string, fields: JsonObject, version: number, now: string): Promise<void> {
    await this.dialect.query(manager, `UPDATE training_records SET fields = ?, version = ?, updated_at = ? WHERE id = ?`, [
      JSON.stringify(fields),
      version,
      now,
      id,
    ]);
  }

  async deleteForUser(manager: EntityManager, uuid: string): Promise<number> {
    const before = await this.dialect.query<{ count: number | string }>(
      manager,
      'SELECT COUNT(*) AS count FROM training_records WHERE uuid = ?',
      [uuid],
    );
    await this.dialect.query(manager, 'DELETE FROM training_records WHERE uuid = ?', [uuid]);
    return Number(before[0]?.count ?? 0);
  }

  /** Distinct user uuids that have records, in order, after a keyset cursor (sync jobs). */
  async userUuidsAfter(afterUuid: string | null, limit: number): Promise<string[]> {
    const where = afterUuid === null ? '' : 'WHERE uuid > ?';
    const parameters: SqlParameter[] = afterUuid === null ? [limit] : [afterUuid, limit];
    const rows = await this.dialect.query<{ uuid: string }>(
      this.dialect.dataSource,
      `SELECT DISTINCT uuid FROM training_records ${where} ORDER BY uuid LIMIT ?`,
      parameters,
    );
    return rows.map((r) => r.uuid);
  }
}
