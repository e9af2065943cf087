import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { syncConfig, SyncConfig } from '../config/configuration';
import { TransactionRunner } from '../database/transaction-runner';
import { EngineSettings, ExecutionEnd, LiveProgress, RunExecution } from './engine/run-execution';
import type { SyncJob } from './sync-job';
import { SyncItemStateRepository } from './sync-item-state.repository';
import { SyncLeasesRepository } from './sync-leases.repository';
import type { SyncRun } from './sync-run.entity';
import { SyncRunsRepository } from './sync-runs.repository';
import { SyncMetrics } from './sync.metrics';

/** A run executing in this process. */
export interface RunHandle {
  runId: string;
  /** Settles when the execution ends (never rejects). */
  done: Promise<ExecutionEnd>;
  progress(): LiveProgress;
}

/** Executes runs whose lease this process holds; on shutdown it interrupts them so the next start resumes them. */
@Injectable()
export class SyncRunner implements BeforeApplicationShutdown {
  private readonly logger = new Logger(SyncRunner.name);
  private readonly executions = new Map<string, { execution: RunExecution; done: Promise<ExecutionEnd> }>();
  readonly settings: EngineSettings;

  constructor(
    private readonly runs: SyncRunsRepository,
    private readonly leases: SyncLeasesRepository,
    private readonly states: SyncItemStateRepository,
    private readonly transactions: TransactionRunner,
    private readonly metrics: SyncMetrics,
    @Inject(syncConfig.KEY) config: SyncConfig,
  ) {
    this.settings = {
      concurrency: config.concurrency,
      maxRequestsPerSecond: config.maxRequestsPerSecond,
      leaseMs: config.leaseMs,
      backoffBaseMs: config.backoffBaseMs,
      backoffMaxMs: config.backoffMaxMs,
      itemAttempts: config.itemAttempts,
      runRetention: config.runRetention,
    };
  }

  launch(job: SyncJob, run: SyncRun, holder: string): RunHandle {
    const execution = new RunExecution(job, run, holder, this.settings, {
      runs: this.runs,
      leases: this.leases,
      states: this.states,
      transactions: this.transactions,
      metrics: this.metrics,
    });
    const done = execution.execute().catch((error: unknown): ExecutionEnd => {
      this.logger.error(
        { runId: run.id, job: job.name, err: error },
        'Sync run bookkeeping failed; the lease will expire and the run resume',
      );
      return 'interrupted';
    });
    this.executions.set(run.id, { execution, done });
    void done.finally(() => this.executions.delete(run.id));
    return { runId: run.id, done, progress: () => execution.progress() };
  }

  /** Stops a run executing here after its in-flight items; false when it does not execute here. */
  cancelLocal(runId: string): boolean {
    const entry = this.executions.get(runId);
    entry?.execution.stop('cancelled');
    return entry !== undefined;
  }

  /** Stops every run executing here after its in-flight items, leaving them resumable. */
  async interruptAll(): Promise<void> {
    const entries = [...this.executions.values()];
    for (const entry of entries) entry.execution.stop('interrupted');
    await Promise.all(entries.map((entry) => entry.done));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.interruptAll();
  }
}
