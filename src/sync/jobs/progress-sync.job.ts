import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { KnownUsersRepository } from '../../identity/known-users.repository';
import { OpignoClient } from '../../opigno/opigno.client';
import { outcomeOf, TrainingRecordsService } from '../../trainings/training-records.service';
import type { ListPageOptions, ProcessContext, ProcessResult, SyncJob, WorkItem, WorkPage } from '../sync-job';
import { SyncJobRegistry } from '../sync-job.registry';
import { knownUsersPage } from './user-page';

/**
 * `progress`: reads every known user's training progress upstream and upserts their per-user
 * training records. Incremental runs visit users not synced yet, marked dirty by a webhook, or failed last time.
 */
@Injectable()
export class ProgressSyncJob implements SyncJob, OnModuleInit {
  readonly name = 'progress';
  readonly pageSize = 200;

  constructor(
    private readonly registry: SyncJobRegistry,
    private readonly users: KnownUsersRepository,
    private readonly opigno: OpignoClient,
    private readonly records: TrainingRecordsService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  listPage(checkpoint: string | null, options: ListPageOptions): Promise<WorkPage<WorkItem>> {
    return knownUsersPage(this.users, checkpoint, options.pageSize);
  }

  async process(item: WorkItem, _context: ProcessContext): Promise<ProcessResult> {
    const progress = await this.opigno.getAllUserTrainingProgress(item.key);
    // Computed without writing; the same diff is applied again under lock in the engine's transaction.
    const preview = await this.records.applyUpstreamProgressWithin(this.dataSource.manager, item.key, progress, { dryRun: true });
    const outcome = outcomeOf(preview);
    if (outcome === 'unchanged' && preview.missingUpstream.length === 0) return 'unchanged';
    return {
      outcome,
      commit: async (manager) => void (await this.records.applyUpstreamProgressWithin(manager, item.key, progress, { dryRun: false })),
    };
  }
}
