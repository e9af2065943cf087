import { Injectable, OnModuleInit } from '@nestjs/common';
import { OpignoClient } from '../../opigno/opigno.client';
import type { ListPageOptions, ProcessContext, ProcessResult, SweepContext, SyncJob, WorkItem, WorkPage } from '../../sync/sync-job';
import { SyncJobRegistry } from '../../sync/sync-job.registry';
import { toBoolean } from '../../sync/sql';
import { LearningPathsRepository, UpstreamLearningPath } from './learning-paths.repository';

interface CatalogueItem extends WorkItem, UpstreamLearningPath {}

/** Opigno serves at most 100 catalogue entries per page. */
const CATALOGUE_PAGE_SIZE = 100;
const MAX_TITLE_LENGTH = 500;

/**
 * `trainings`: copies the upstream catalogue (titles, certification flag) into learning_paths.
 * The catalogue page already carries every value, so process() makes no upstream call; scheduled
 * runs are full, which also marks paths gone from the catalogue as removed. Incremental runs
 * page through the same catalogue but only visit paths that are new, marked dirty (webhook
 * LEARNING_PATH_NEW_REVISION) or failed last time.
 */
@Injectable()
export class TrainingsSyncJob implements SyncJob<CatalogueItem>, OnModuleInit {
  readonly name = 'trainings';
  readonly pageSize = CATALOGUE_PAGE_SIZE;
  readonly scheduledMode = 'full' as const;
  readonly processCallsUpstream = false;

  constructor(
    private readonly registry: SyncJobRegistry,
    private readonly opigno: OpignoClient,
    private readonly paths: LearningPathsRepository,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async listPage(checkpoint: string | null, options: ListPageOptions): Promise<WorkPage<CatalogueItem>> {
    const page = await this.opigno.getCatalogPage({ first: Math.min(options.pageSize, CATALOGUE_PAGE_SIZE), after: checkpoint });
    return {
      items: page.items.map((path) => ({
        key: path.id,
        lpId: path.id,
        title: (path.title ?? '').slice(0, MAX_TITLE_LENGTH),
        certificationEnabled: path.certificationEnabled ?? false,
      })),
      nextCheckpoint: page.hasNextPage ? page.endCursor : null,
      total: page.totalItems,
    };
  }

  async process(item: CatalogueItem, _context: ProcessContext): Promise<ProcessResult> {
    const local = await this.paths.findByLpId(item.lpId);
    const outcome =
      local === null
        ? 'added'
        : local.removedAt !== null || local.title !== item.title || toBoolean(local.certificationEnabled) !== item.certificationEnabled
          ? 'updated'
          : 'unchanged';
    const syncedAt = new Date().toISOString();
    const { lpId, title, certificationEnabled } = item;
    return { outcome, commit: (manager) => this.paths.upsertFromUpstream(manager, { lpId, title, certificationEnabled }, syncedAt) };
  }

  async sweep(context: SweepContext): Promise<string[]> {
    const gone = await this.paths.findNotVisitedByRun(context.manager, context.runId);
    if (!context.dryRun && gone.length > 0) await this.paths.markRemoved(context.manager, gone, new Date().toISOString());
    return gone;
  }
}
