import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import type { RecordedOutcome } from './sync-job';
import { SyncItemState } from './sync-item-state.entity';
import { runSql, toBoolean } from './sql';

export interface PendingKeysPage {
  keys: string[];
  /** Pass as `afterKey` for the next page; null after the last one. */
  nextAfterKey: string | null;
}

/** Per job and key sync state: drives incremental runs (new, dirty or last failed keys). */
@Injectable()
export class SyncItemStateRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The states of the given keys; keys never synced are absent. */
  async findByKeys(job: string, keys: string[]): Promise<Map<string, SyncItemState>> {
    if (keys.length === 0) return new Map();
    const rows = await this.dataSource.getRepository(SyncItemState).findBy({ job, key: In(keys) });
    return new Map(rows.map((row) => [row.key, row]));
  }

  findOne(job: string, key: string): Promise<SyncItemState | null> {
    return this.dataSource.getRepository(SyncItemState).findOneBy({ job, key });
  }

  /**
   * Records a visit. A success clears `dirty` unless the key was dirtied again after the visit
   * started (a webhook during processing must not be lost); a failure keeps it and the last
   * success time.
   */
  async recordVisit(
    manager: EntityManager,
    job: string,
    key: string,
    outcome: RecordedOutcome,
    at: string,
    visitStartedAt: string,
  ): Promise<void> {
    if (outcome === 'failed') {
      await runSql(
        manager,
        `INSERT INTO "sync_item_state" ("job", "key", "last_synced_at", "last_outcome", "dirty", "dirtied_at") VALUES (?, ?, NULL, 'failed', FALSE, NULL)
         ON CONFLICT ("job", "key") DO UPDATE SET "last_outcome" = 'failed'`,
        [job, key],
      );
      return;
    }
    await runSql(
      manager,
      `INSERT INTO "sync_item_state" ("job", "key", "last_synced_at", "last_outcome", "dirty", "dirtied_at") VALUES (?, ?, ?, ?, FALSE, NULL)
       ON CONFLICT ("job", "key") DO UPDATE SET "last_synced_at" = excluded."last_synced_at", "last_outcome" = excluded."last_outcome",
         "dirty" = CASE WHEN "sync_item_state"."dirtied_at" IS NOT NULL AND "sync_item_state"."dirtied_at" > ? THEN "sync_item_state"."dirty" ELSE FALSE END`,
      [job, key, at, outcome, visitStartedAt],
    );
  }

  /** Asks the next incremental run of `job` to visit `key`. */
  async markDirty(manager: EntityManager, job: string, key: string, at: string): Promise<void> {
    await runSql(
      manager,
      `INSERT INTO "sync_item_state" ("job", "key", "last_synced_at", "last_outcome", "dirty", "dirtied_at") VALUES (?, ?, NULL, NULL, TRUE, ?)
       ON CONFLICT ("job", "key") DO UPDATE SET "dirty" = TRUE, "dirtied_at" = excluded."dirtied_at"`,
      [job, key, at],
    );
  }

  /**
   * Keys of `job` that are dirty or last failed, in key order, for jobs that list only pending
   * work (e.g. a retry job): `listPage(checkpoint) → pagePending(job, checkpoint, pageSize)`.
   */
  async pagePending(job: string, afterKey: string | null, limit: number): Promise<PendingKeysPage> {
    const rows = await runSql<{ key: string }>(
      this.dataSource.manager,
      `SELECT "key" FROM "sync_item_state" WHERE "job" = ? AND ("dirty" = TRUE OR "last_outcome" = 'failed') AND "key" > ? ORDER BY "key" LIMIT ?`,
      [job, afterKey ?? '', limit],
    );
    const keys = rows.rows.map((row) => row.key);
    return { keys, nextAfterKey: keys.length === limit ? keys[keys.length - 1]! : null };
  }
}

/** Whether an incremental run visits a key: never synced (or removed since), dirtied since, or failed last time. */
export function needsIncrementalVisit(state: SyncItemState | undefined): boolean {
  return state === undefined || toBoolean(state.dirty) || state.lastOutcome === 'failed' || state.lastOutcome === 'removed';
}
