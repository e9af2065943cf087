import { Injectable } from '@nestjs/common';
import type { SyncJob, WorkItem } from './sync-job';

const JOB_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Jobs register themselves here from their module's onModuleInit. */
@Injectable()
export class SyncJobRegistry {
  private readonly jobs = new Map<string, SyncJob>();

  register<T extends WorkItem>(job: SyncJob<T>): void {
    if (!JOB_NAME.test(job.name)) throw new Error(`Sync job name "${job.name}" must match ${String(JOB_NAME)}`);
    if (this.jobs.has(job.name)) throw new Error(`Sync job "${job.name}" is registered twice`);
    this.jobs.set(job.name, job as SyncJob);
  }

  find(name: string): SyncJob | undefined {
    return this.jobs.get(name);
  }

  names(): string[] {
    return [...this.jobs.keys()].sort();
  }

  all(): SyncJob[] {
    return this.names().map((name) => this.jobs.get(name)!);
  }
}
