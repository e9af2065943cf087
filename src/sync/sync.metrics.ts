import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';
import type { RecordedOutcome } from './sync-job';

/** Sync counters, registered in the app's Prometheus registry. */
@Injectable()
export class SyncMetrics {
  readonly runsStarted: Counter<'job' | 'kind'>;
  readonly runsFinished: Counter<'job' | 'status'>;
  readonly items: Counter<'job' | 'outcome'>;
  readonly running: Gauge<'job'>;
  readonly backoffs: Counter<'job'>;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.runsStarted = new Counter({
      name: 'sync_runs_started_total',
      help: 'Sync runs started by this instance, by job and kind (new or resumed)',
      labelNames: ['job', 'kind'] as const,
      registers,
    });
    this.runsFinished = new Counter({
      name: 'sync_runs_finished_total',
      help: 'Sync runs ended by this instance, by job and final status',
      labelNames: ['job', 'status'] as const,
      registers,
    });
    this.items = new Counter({
      name: 'sync_items_processed_total',
      help: 'Sync items recorded by this instance, by job and outcome',
      labelNames: ['job', 'outcome'] as const,
      registers,
    });
    this.running = new Gauge({
      name: 'sync_runs_running',
      help: 'Sync runs executing in this instance',
      labelNames: ['job'] as const,
      registers,
    });
    this.backoffs = new Counter({
      name: 'sync_upstream_backoffs_total',
      help: 'Pauses of a sync run because the upstream was unavailable',
      labelNames: ['job'] as const,
      registers,
    });
  }

  itemRecorded(job: string, outcome: RecordedOutcome): void {
    this.items.inc({ job, outcome });
  }
}
