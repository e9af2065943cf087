import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { syncConfig, SyncConfig } from '../config/configuration';
import { SyncJobRegistry } from './sync-job.registry';
import { SyncRunDetailView, SyncRunsService } from './sync-runs.service';
import { ScheduleSlotTakenError, SyncAlreadyRunningError } from './sync.errors';

/** The slot a cron firing belongs to: its time truncated to the minute, the same on every instance. */
export function scheduleSlotOf(firedAt: Date): string {
  const slot = new Date(firedAt.getTime());
  slot.setUTCSeconds(0, 0);
  return slot.toISOString();
}

/**
 * One cron per registered job (SYNC_CRON_<JOB>). Every instance schedules; the lease and the
 * unique (job, schedule_slot) of sync_runs make each slot run once across all of them.
 */
@Injectable()
export class SyncScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(SyncScheduler.name);

  constructor(
    private readonly registry: SyncJobRegistry,
    private readonly syncRuns: SyncRunsService,
    private readonly schedulerRegistry: SchedulerRegistry,
    @Inject(syncConfig.KEY) private readonly config: SyncConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.schedulerEnabled) return;
    const expressions = this.config.cron as Record<string, string | undefined>;
    for (const job of this.registry.all()) {
      const expression = expressions[job.name];
      if (!expression) {
        this.logger.warn({ job: job.name }, 'No cron configured for this sync job: it runs only on demand');
        continue;
      }
      try {
        const cron = CronJob.from({ cronTime: expression, onTick: () => void this.fire(job.name, new Date()), start: true });
        this.schedulerRegistry.addCronJob(`sync:${job.name}`, cron);
        this.logger.log({ job: job.name, cron: expression }, 'Sync job scheduled');
      } catch (error) {
        this.logger.error({ job: job.name, cron: expression, err: error }, 'Invalid cron expression: sync job not scheduled');
      }
    }
  }

  /** Starts the scheduled run of the slot containing `firedAt`; null when another instance has it or the job is still running. */
  async fire(jobName: string, firedAt: Date): Promise<SyncRunDetailView | null> {
    const job = this.registry.find(jobName);
    if (!job) return null;
    const scheduleSlot = scheduleSlotOf(firedAt);
    try {
      const started = await this.syncRuns.start({
        job: job.name,
        mode: job.scheduledMode ?? 'incremental',
        dryRun: false,
        triggeredBy: 'schedule',
        scheduleSlot,
      });
      return started.run;
    } catch (error) {
      if (error instanceof SyncAlreadyRunningError || error instanceof ScheduleSlotTakenError) {
        this.logger.log({ job: job.name, scheduleSlot, reason: error.code }, 'Scheduled sync slot skipped');
        return null;
      }
      this.logger.error({ job: job.name, scheduleSlot, err: error }, 'Scheduled sync run could not start');
      return null;
    }
  }
}
