import { Injectable, OnModuleInit } from '@nestjs/common';
import { PendingUpstreamActionsRepository } from '../../identity/pending-upstream-actions.repository';
import { UserContextsService } from '../../identity/user-contexts.service';
import type { ListPageOptions, ProcessContext, ProcessResult, SyncJob, WorkItem, WorkPage } from '../sync-job';
import { SyncJobRegistry } from '../sync-job.registry';

interface PendingItem extends WorkItem {
  uuid: string;
  action: string;
}

/** `retry-pending`: upstream changes that failed earlier (deactivating merged anonymous contexts), tried again. */
@Injectable()
export class RetryPendingJob implements SyncJob<PendingItem>, OnModuleInit {
  readonly name = 'retry-pending';
  readonly pageSize = 100;

  constructor(
    private readonly registry: SyncJobRegistry,
    private readonly pending: PendingUpstreamActionsRepository,
    private readonly contexts: UserContextsService,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async listPage(checkpoint: string | null, options: ListPageOptions): Promise<WorkPage<PendingItem>> {
    const [actions, total] = await Promise.all([
      this.pending.openAfter(checkpoint, options.pageSize),
      checkpoint === null ? this.pending.countOpen() : Promise.resolve(undefined),
    ]);
    return {
      items: actions.map((a) => ({ key: a.id, uuid: a.uuid, action: a.action })),
      nextCheckpoint: actions.length === options.pageSize ? actions[actions.length - 1]!.id : null,
      ...(total === undefined ? {} : { total }),
    };
  }

  async process(item: PendingItem, context: ProcessContext): Promise<ProcessResult> {
    // The upstream call is the action itself: a dry run only reports that it would be retried.
    if (context.dryRun) return 'updated';
    await this.contexts.deactivateUpstream(item.uuid);
    return { outcome: 'updated', commit: (manager) => this.pending.markDone(item.key, manager) };
  }
}
