import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager, In } from 'typeorm';
import type { RecordedOutcome } from './sync-job';
import { SyncRun, SyncRunStatus } from './sync-run.entity';
import { SyncRunItem } from './sync-run-item.entity';
import { runSql, toBoolean, toCount } from './sql';

export type OutcomeCounts = Record<RecordedOutcome, number>;

export const EMPTY_COUNTS: Readonly<OutcomeCounts> = { added: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0, removed: 0 };

export interface RecordedFailure {
  key: string;
  code: string | null;
  message: string | null;
}

export interface RunListFilter {
  job?: string;
  status?: SyncRunStatus;
  /** Keyset position: runs strictly older than this one. */
  before?: { startedAt: string; id: string };
  limit: number;
}

export function isUniqueViolation(error: unknown): boolean {
  const driver = (error as { driverError?: { code?: string } } | null)?.driverError ?? (error as { code?: string } | null);
  const code = driver?.code ?? '';
  return code === '23505' || code.startsWith('SQLITE_CONSTRAINT_PRIMARYKEY') || code.startsWith('SQLITE_CONSTRAINT_UNIQUE');
}

/** Sync runs and the items they recorded. */
@Injectable()
export class SyncRunsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get runs() {
    return this.dataSource.getRepository(SyncRun);
  }

  /** Inserts a new run; false when its schedule slot was already taken by another instance. */
  async insertRun(run: SyncRun): Promise<boolean> {
    try {
      await this.runs.insert(run);
      return true;
    } catch (error) {
      if (run.scheduleSlot !== null && isUniqueViolation(error)) return false;
      throw error;
    }
  }

  findById(id: string): Promise<SyncRun | null> {
    return this.runs.findOneBy({ id });
  }

  /** The job's unfinished run, if any (there is at most one: starting one needs the lease). */
  findRunning(job: string): Promise<SyncRun | null> {
    return this.runs.findOne({ where: { job, status: 'running' }, order: { startedAt: 'ASC' } });
  }

  findRunningAll(): Promise<SyncRun[]> {
    return this.runs.find({ where: { status: 'running' }, order: { startedAt: 'ASC' } });
  }

  async markResumed(id: string, at: string): Promise<void> {
    await this.runs
      .createQueryBuilder()
      .update()
      .set({ resumedAt: at, heartbeatAt: at, resumeCount: () => '"resume_count" + 1' })
      .where('id = :id', { id })
      .execute();
  }

  /** Records a heartbeat; answers whether someone asked to cancel the run. */
  async heartbeat(id: string, at: string): Promise<boolean> {
    await this.runs.update({ id, status: 'running' }, { heartbeatAt: at });
    const row = await this.runs.findOne({ where: { id }, select: { id: true, cancelRequested: true } });
    return row !== null && toBoolean(row.cancelRequested);
  }

  async saveCheckpoint(id: string, checkpoint: string | null, scanned: number): Promise<void> {
    await this.runs.update({ id, status: 'running' }, { checkpoint, scanned });
  }

  async saveTotal(id: string, total: number): Promise<void> {
    await this.runs.update({ id, status: 'running' }, { total });
  }

  /** Flags a running run for cancellation; its holder stops at the next heartbeat. */
  async requestCancel(id: string): Promise<boolean> {
    const result = await this.runs.update({ id, status: 'running' }, { cancelRequested: true });
    return (result.affected ?? 0) > 0;
  }

  /** Ends a running run with its final counts; false when it had already ended. */
  async finish(
    id: string,
    status: Exclude<SyncRunStatus, 'running'>,
    counts: OutcomeCounts,
    at: string,
    errorMessage: string | null,
  ): Promise<boolean> {
    const result = await this.runs.update(
      { id, status: 'running' },
      {
        status,
        finishedAt: at,
        heartbeatAt: at,
        errorMessage,
        countAdded: counts.added,
        countUpdated: counts.updated,
        countUnchanged: counts.unchanged,
        countFailed: counts.failed,
        countSkipped: counts.skipped,
        countRemoved: counts.removed,
      },
    );
    return (result.affected ?? 0) > 0;
  }

  async list(filter: RunListFilter): Promise<SyncRun[]> {
    const query = this.runs.createQueryBuilder('run');
    if (filter.job !== undefined) query.andWhere('run.job = :job', { job: filter.job });
    if (filter.status !== undefined) query.andWhere('run.status = :status', { status: filter.status });
    const before = filter.before;
    if (before !== undefined) {
      query.andWhere(
        new Brackets((where) => {
          where
            .where('run.startedAt < :beforeStartedAt', { beforeStartedAt: before.startedAt })
            .orWhere('(run.startedAt = :beforeStartedAt AND run.id < :beforeId)', { beforeId: before.id });
        }),
      );
    }
    return query.orderBy('run.startedAt', 'DESC').addOrderBy('run.id', 'DESC').take(filter.limit).getMany();
  }

  // ---- items ----

  /**
   * Records one item's outcome inside the caller's transaction. False when the key was already
   * recorded for this run (a resumed run, or a stale holder racing the new one): the caller
   * rolls back so the item's writes are not applied twice.
   */
  async insertItem(manager: EntityManager, item: SyncRunItem): Promise<boolean> {
    const result = await runSql(
      manager,
      `INSERT INTO "sync_run_items" ("run_id", "key", "outcome", "error_code", "error_message", "recorded_at") VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT ("run_id", "key") DO NOTHING`,
      [item.runId, item.key, item.outcome, item.errorCode, item.errorMessage, item.recordedAt],
    );
    return result.affected === 1;
  }

  async recordedKeys(runId: string, keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.dataSource.getRepository(SyncRunItem).find({ where: { runId, key: In(keys) }, select: { key: true } });
    return new Set(rows.map((row) => row.key));
  }

  async countOutcomes(runId: string): Promise<OutcomeCounts> {
    const rows = await runSql<{ outcome: RecordedOutcome; n: unknown }>(
      this.dataSource.manager,
      `SELECT "outcome", COUNT(*) AS "n" FROM "sync_run_items" WHERE "run_id" = ? GROUP BY "outcome"`,
      [runId],
    );
    const counts: OutcomeCounts = { ...EMPTY_COUNTS };
    for (const row of rows.rows) if (row.outcome in counts) counts[row.outcome] = toCount(row.n);
    return counts;
  }

  async listFailures(runId: string, limit: number): Promise<RecordedFailure[]> {
    const rows = await this.dataSource.getRepository(SyncRunItem).find({
      where: { runId, outcome: 'failed' },
      order: { key: 'ASC' },
      take: limit,
    });
    return rows.map((row) => ({ key: row.key, code: row.errorCode, message: row.errorMessage }));
  }

  /** Deletes the items of the job's ended runs beyond the newest `keep` runs (their counts stay on the run). */
  async pruneItems(job: string, keep: number): Promise<number> {
    const boundary = await this.runs
      .createQueryBuilder('run')
      .select(['run.id', 'run.startedAt'])
      .where('run.job = :job', { job })
      .orderBy('run.startedAt', 'DESC')
      .addOrderBy('run.id', 'DESC')
      .offset(keep - 1)
      .limit(1)
      .getOne();
    if (!boundary) return 0;
    const stale = await this.runs
      .createQueryBuilder('run')
      .select('run.id', 'id')
      .where('run.job = :job', { job })
      .andWhere("run.status <> 'running'")
      .andWhere(
        new Brackets((where) => {
          where
            .where('run.startedAt < :startedAt', { startedAt: boundary.startedAt })
            .orWhere('(run.startedAt = :startedAt AND run.id < :id)', { id: boundary.id });
        }),
      )
      .andWhere('EXISTS (SELECT 1 FROM "sync_run_items" "item" WHERE "item"."run_id" = "run"."id")')
      .getRawMany<{ id: string }>();
    let deleted = 0;
    for (let i = 0; i < stale.length; i += 500) {
      const result = await this.dataSource.getRepository(SyncRunItem).delete({ runId: In(stale.slice(i, i + 500).map((row) => row.id)) });
      deleted += result.affected ?? 0;
    }
    return deleted;
  }
}
