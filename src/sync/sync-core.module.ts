import { Module } from '@nestjs/common';
import { SyncItemStateRepository } from './sync-item-state.repository';
import { SyncJobRegistry } from './sync-job.registry';
import { SyncLeasesRepository } from './sync-leases.repository';
import { SyncRunner } from './sync-runner';
import { SyncRunsRepository } from './sync-runs.repository';
import { SyncRunsService } from './sync-runs.service';
import { SyncMetrics } from './sync.metrics';
import { WebhookEvents } from './webhooks/webhook-events';

/**
 * The sync engine without HTTP: the job registry, runs, lease, item state. Job modules import
 * it to register their jobs; the app (SyncModule) and the CLI (SyncCliModule) build on it.
 */
@Module({
  providers: [
    SyncJobRegistry,
    SyncRunsRepository,
    SyncLeasesRepository,
    SyncItemStateRepository,
    SyncRunner,
    SyncRunsService,
    SyncMetrics,
    WebhookEvents,
  ],
  exports: [SyncJobRegistry, SyncRunsService, SyncItemStateRepository, SyncRunsRepository, WebhookEvents],
})
export class SyncCoreModule {}
