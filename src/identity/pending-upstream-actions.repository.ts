import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { SqlDialect, SqlExecutor } from '../common/records/sql-dialect';

export type PendingActionKind = 'deactivate';

export interface PendingUpstreamAction {
  id: string;
  action: PendingActionKind;
  uuid: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  nextAttemptAt: string;
  doneAt: string | null;
}

interface RawAction {
  id: string;
  action: string;
  uuid: string;
  attempts: number | string;
  last_error: string | null;
  created_at: string;
  next_attempt_at: string;
  done_at: string | null;
}

const toAction = (raw: RawAction): PendingUpstreamAction => ({
  id: raw.id,
  action: raw.action as PendingActionKind,
  uuid: raw.uuid,
  attempts: Number(raw.attempts),
  lastError: raw.last_error,
  createdAt: raw.created_at,
  nextAttemptAt: raw.next_attempt_at,
  doneAt: raw.done_at,
});

/** Upstream changes that failed and are retried later by the retry-pending sync job. */
@Injectable()
export class PendingUpstreamActionsRepository {
  constructor(private readonly dialect: SqlDialect) {}

  async enqueue(
    action: PendingActionKind,
    uuid: string,
    lastError: string,
    executor: SqlExecutor = this.dialect.dataSource,
  ): Promise<string> {
    const id = randomUUID();
    const now = new Date().toISOString();
    await this.dialect.query(
      executor,
      'INSERT INTO pending_upstream_actions (id, action, uuid, payload, attempts, last_error, created_at, next_attempt_at, done_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [id, action, uuid, '{}', 1, lastError.slice(0, 500), now, now, null],
    );
    return id;
  }

  /** Open actions in id order after a keyset cursor. */
  async openAfter(afterId: string | null, limit: number): Promise<PendingUpstreamAction[]> {
    const sql = `SELECT * FROM pending_upstream_actions WHERE done_at IS NULL${afterId === null ? '' : ' AND id > ?'} ORDER BY id LIMIT ?`;
    const rows = await this.dialect.query<RawAction>(this.dialect.dataSource, sql, afterId === null ? [limit] : [afterId, limit]);
    return rows.map(toAction);
  }

  async countOpen(): Promise<number> {
    const rows = await this.dialect.query<{ count: number | string }>(
      this.dialect.dataSource,
      'SELECT COUNT(*) AS count FROM pending_upstream_actions WHERE done_at IS NULL',
    );
    return Number(rows[0]?.count ?? 0);
  }

  async findById(id: string): Promise<PendingUpstreamAction | null> {
    const rows = await this.dialect.query<RawAction>(this.dialect.dataSource, 'SELECT * FROM pending_upstream_actions WHERE id = ?', [id]);
    return rows.length === 0 ? null : toAction(rows[0]!);
  }

  async listForUser(uuid: string): Promise<PendingUpstreamAction[]> {
    const rows = await this.dialect.query<RawAction>(
      this.dialect.dataSource,
      'SELECT * FROM pending_upstream_actions WHERE uuid = ? ORDER BY created_at',
      [uuid],
    );
    return rows.map(toAction);
  }

  async markDone(id: string, executor: SqlExecutor = this.dialect.dataSource): Promise<void> {
    await this.dialect.query(executor, 'UPDATE pending_upstream_actions SET done_at = ? WHERE id = ?', [new Date().toISOString(), id]);
  }

  async markFailed(id: string, error: string): Promise<void> {
    await this.dialect.query(
      this.dialect.dataSource,
      'UPDATE pending_upstream_actions SET attempts = attempts + 1, last_error = ? WHERE id = ?',
      [error.slice(0, 500), id],
    );
  }

  async deleteForUser(manager: EntityManager, uuid: string): Promise<number> {
    const rows = await this.dialect.query<{ count: number | string }>(
      manager,
      'SELECT COUNT(*) AS count FROM pending_upstream_actions WHERE uuid = ?',
      [uuid],
    );
    await this.dialect.query(manager, 'DELETE FROM pending_upstream_actions WHERE uuid = ?', [uuid]);
    return Number(rows[0]?.count ?? 0);
  }
}
