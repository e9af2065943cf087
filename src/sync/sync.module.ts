import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import type { FastifyInstance } from 'fastify';
import { SyncCoreModule } from './sync-core.module';
import { SyncJobsModule } from './sync-jobs.module';
import { SyncRunsController } from './sync-runs.controller';
import { SyncScheduler } from './sync.scheduler';
import { captureRawBody } from './webhooks/raw-body';
import { WebhookDeliveriesRepository } from './webhooks/webhook-deliveries.repository';
import { OPIGNO_WEBHOOK_ROUTE, WebhooksController } from './webhooks/webhooks.controller';
import { WebhooksService } from './webhooks/webhooks.service';

/** Sync in the HTTP app: the runs API, the scheduler, the webhook receiver, and every sync job. */
@Module({
  imports: [ScheduleModule.forRoot(), SyncCoreModule, SyncJobsModule],
  controllers: [SyncRunsController, WebhooksController],
  providers: [SyncScheduler, WebhooksService, WebhookDeliveriesRepository],
  exports: [SyncCoreModule],
})
export class SyncModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify) captureRawBody(fastify, [OPIGNO_WEBHOOK_ROUTE]);
  }
}
