import { Module, OnModuleInit, Logger } from '@nestjs/common';
import { IdentityModule } from '../../identity/identity.module';
import { OpignoModule } from '../../opigno/opigno.module';
import { TrainingRecordsService } from '../../trainings/training-records.service';
import { TrainingsModule } from '../../trainings/trainings.module';
import { SyncCoreModule } from '../sync-core.module';
import { WebhookEvents } from '../webhooks/webhook-events';
import { ContextsSyncJob } from './contexts-sync.job';
import { ProgressSyncJob } from './progress-sync.job';
import { RetryPendingJob } from './retry-pending.job';

const USER_EVENTS = new Set(['USER_REGISTERED_TO_TRAINING', 'USER_COMPLETED_TRAINING', 'CERTIFICATE_EXPIRED']);

/** The per-user jobs (progress, contexts, retry-pending), and the immediate refresh on user webhooks. */
@Module({
  imports: [SyncCoreModule, OpignoModule, TrainingsModule, IdentityModule],
  providers: [ProgressSyncJob, ContextsSyncJob, RetryPendingJob],
})
export class UserSyncJobsModule implements OnModuleInit {
  private readonly logger = new Logger(UserSyncJobsModule.name);

  constructor(
    private readonly events: WebhookEvents,
    private readonly records: TrainingRecordsService,
  ) {}

  onModuleInit(): void {
    // The webhook already marked the user dirty for the next incremental run; refreshing now makes the change visible at once.
    this.events.on(async (event) => {
      if (!event.uuid || !USER_EVENTS.has(event.event)) return;
      try {
        await this.records.refresh(event.uuid);
      } catch (error) {
        this.logger.warn(
          { uuid: event.uuid, code: (error as { code?: string }).code },
          'Immediate refresh after webhook failed; left for the next progress run',
        );
      }
    });
  }
}
