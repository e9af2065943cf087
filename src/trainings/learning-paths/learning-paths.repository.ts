import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull, MoreThan, Repository } from 'typeorm';
import { runSql } from '../../sync/sql';
import { LearningPath } from './learning-path.entity';

export interface UpstreamLearningPath {
  lpId: string;
  title: string;
  certificationEnabled: boolean;
}

export interface LearningPathListQuery {
  limit: number;
  /** Keyset position: paths whose lpId sorts after this one. */
  afterLpId?: string;
  includeRemoved: boolean;
}

/** The local copy of the upstream learning-path catalogue. */
@Injectable()
export class LearningPathsRepository {
  private readonly repo: Repository<LearningPath>;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.repo = dataSource.getRepository(LearningPath);
  }

  findByLpId(lpId: string, manager?: EntityManager): Promise<LearningPath | null> {
    return (manager ? manager.getRepository(LearningPath) : this.repo).findOneBy({ lpId });
  }

  /** Writes the upstream values, confirms them as of `syncedAt`, and brings a removed path back. */
  async upsertFromUpstream(manager: EntityManager, path: UpstreamLearningPath, syncedAt: string): Promise<void> {
    await manager
      .getRepository(LearningPath)
      .upsert(
        { lpId: path.lpId, title: path.title, certificationEnabled: path.certificationEnabled, syncedAt, removedAt: null },
        { conflictPaths: ['lpId'] },
      );
  }

  /** Paths still present locally that the given sync run did not see upstream (see SyncJob.sweep). */
  async findNotVisitedByRun(manager: EntityManager, runId: string): Promise<string[]> {
    const rows = await runSql<{ lp_id: string }>(
      manager,
      `SELECT "lp_id" FROM "learning_paths" "lp" WHERE "lp"."removed_at" IS NULL
       AND NOT EXISTS (SELECT 1 FROM "sync_run_items" "item" WHERE "item"."run_id" = ? AND "item"."key" = "lp"."lp_id")
       ORDER BY "lp_id"`,
      [runId],
    );
    return rows.rows.map((row) => row.lp_id);
  }

  async markRemoved(manager: EntityManager, lpIds: string[], at: string): Promise<void> {
    for (let i = 0; i < lpIds.length; i += 500) {
      const chunk = lpIds.slice(i, i + 500);
      await manager
        .getRepository(LearningPath)
        .createQueryBuilder()
        .update()
        .set({ removedAt: at })
        .where('lp_id IN (:...chunk)', { chunk })
        .andWhere('removed_at IS NULL')
        .execute();
    }
  }

  list(query: LearningPathListQuery): Promise<LearningPath[]> {
    const where = {
      ...(query.afterLpId !== undefined ? { lpId: MoreThan(query.afterLpId) } : {}),
      ...(query.includeRemoved ? {} : { removedAt: IsNull() }),
    };
    return this.repo.find({ where, order: { lpId: 'ASC' }, take: query.limit });
  }
}
