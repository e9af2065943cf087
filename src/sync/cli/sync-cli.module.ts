import { Module } from '@nestjs/common';
import { HealthModule } from '../../health/health.module';
import { MetricsModule } from '../../metrics/metrics.module';
import { SyncCoreModule } from '../sync-core.module';
import { SyncJobsModule } from '../sync-jobs.module';
import { SyncCommand } from './sync.command';

/** Sync for the operator CLI: the engine and every job, no HTTP, no scheduler. Needs config and database from the CLI module. */
@Module({
  imports: [MetricsModule, HealthModule, SyncCoreModule, SyncJobsModule],
  providers: [SyncCommand],
})
export class SyncCliModule {}
