import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { SyncCoreModule } from './sync-core.module';
import { SyncJobsModule } from './sync-jobs.module';
import { SyncRunsController } from './sync-runs.controller';
import { SyncScheduler } from './sync.scheduler';
import { WebhookDeliveriesRepository } from './webhooks/webhook-deliveries.repository';
import { WebhooksController } from './webhooks/webhooks.controller';
import { WebhooksService } from './webhooks/webhooks.service';

/** Sync in the HTTP app: the runs API, the scheduler, the webhook receiver, and every sync job. */
@Module({
  imports: [ScheduleModule.forRoot(), SyncCoreModule, SyncJobsModule],
  controllers: [SyncRunsController, WebhooksController],
  providers: [SyncScheduler, WebhooksService, WebhookDeliveriesRepository],
  exports: [SyncCoreModule],
})
export class SyncModule {}
