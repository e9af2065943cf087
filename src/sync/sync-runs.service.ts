import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { BadRequestError } from '../common/errors/domain-error';
import { decodeCursor, encodeCursor, Page } from '../common/pagination/cursor';
import { syncConfig, SyncConfig } from '../config/configuration';
import { LISTING_DONE } from './engine/run-execution';
import type { SyncMode } from './sync-job';
import { SyncJobRegistry } from './sync-job.registry';
import { SyncLeasesRepository } from './sync-leases.repository';
import { SyncRun, SyncRunStatus } from './sync-run.entity';
import { RunHandle, SyncRunner } from './sync-runner';
import { EMPTY_COUNTS, OutcomeCounts, RecordedFailure, SyncRunsRepository } from './sync-runs.repository';
import { SyncMetrics } from './sync.metrics';
import { toBoolean } from './sql';
import {
  ScheduleSlotTakenError,
  SyncAlreadyRunningError,
  SyncRunNotFoundError,
  SyncRunNotRunningError,
  UnknownSyncJobError,
} from './sync.errors';

export interface StartRunRequest {
  job: string;
  mode: SyncMode;
  dryRun: boolean;
  /** API key id, 'schedule' or 'cli'. */
  triggeredBy: string;
  /** Scheduled runs only: the cron fire time truncated to the minute. */
  scheduleSlot?: string;
}

export interface RunCounts extends OutcomeCounts {
  /** Items visited: added + updated + unchanged + skipped + failed (removed is reported apart). */
  total: number;
}

export interface SyncRunView {
  id: string;
  job: string;
  mode: SyncMode;
  dryRun: boolean;
  status: SyncRunStatus;
  triggeredBy: string;
  scheduleSlot: string | null;
  startedAt: string;
  finishedAt: string | null;
  heartbeatAt: string | null;
  resumedAt: string | null;
  resumeCount: number;
  cancelRequested: boolean;
  total: number | null;
  scanned: number;
  checkpoint: string | null;
  listingComplete: boolean;
  counts: RunCounts;
  errorMessage: string | null;
}

export interface SyncRunDetailView extends SyncRunView {
  /** Failed records (first 100 by key); empty once the run's items were pruned. */
  errors: RecordedFailure[];
  errorsTruncated: boolean;
}

export interface StartedRun {
  run: SyncRunDetailView;
  resumed: boolean;
  handle: RunHandle;
}

export interface RunListQuery {
  job?: string;
  status?: SyncRunStatus;
  limit: number;
  cursor?: string;
}

const MAX_LISTED_ERRORS = 100;

/** Starts, resumes, cancels and reports sync runs; one runner per job across instances via the lease. */
@Injectable()
export class SyncRunsService {
  private readonly logger = new Logger(SyncRunsService.name);
  /** Identifies this process in lease rows (each acquisition adds a random part). */
  private readonly instance = `${hostname()}:${process.pid}`;

  constructor(
    private readonly registry: SyncJobRegistry,
    private readonly runs: SyncRunsRepository,
    private readonly leases: SyncLeasesRepository,
    private readonly runner: SyncRunner,
    private readonly metrics: SyncMetrics,
    @Inject(syncConfig.KEY) private readonly config: SyncConfig,
  ) {}

  /**
   * Takes the job's lease and executes a run in this process. An interrupted run of the job
   * (its holder died or shut down) is resumed instead of starting a new one, whatever was asked.
   */
  async start(request: StartRunRequest): Promise<StartedRun> {
    const job = this.registry.find(request.job);
    if (!job) throw new UnknownSyncJobError(request.job, this.registry.names());
    const now = new Date();
    const holder = `${this.instance}:${randomUUID()}`;
    const newRunId = randomUUID();
    const acquired = await this.leases.tryAcquire(job.name, newRunId, holder, now.toISOString(), this.leaseExpiry(now));
    if (!acquired) {
      const running = await this.runs.findRunning(job.name);
      const lease = await this.leases.findByJob(job.name);
      throw new SyncAlreadyRunningError(job.name, running?.id ?? lease?.runId ?? null);
    }
    try {
      let interrupted = await this.runs.findRunning(job.name);
      if (interrupted?.cancelRequested) {
        // Cancelled while its holder was gone: end it rather than resume it.
        await this.runs.finish(interrupted.id, 'cancelled', await this.runs.countOutcomes(interrupted.id), now.toISOString(), null);
        this.metrics.runsFinished.inc({ job: job.name, status: 'cancelled' });
        interrupted = null;
      }
      let run: SyncRun;
      if (interrupted) {
        await this.runs.markResumed(interrupted.id, now.toISOString());
        await this.leases.assignRun(job.name, holder, interrupted.id);
        run = (await this.runs.findById(interrupted.id))!;
        this.logger.log(
          { runId: run.id, job: job.name, triggeredBy: request.triggeredBy, resumeCount: run.resumeCount },
          'Resuming interrupted sync run',
        );
      } else {
        run = this.newRun(newRunId, request, now.toISOString());
        if (!(await this.runs.insertRun(run))) throw new ScheduleSlotTakenError(job.name, request.scheduleSlot!);
        this.logger.log(
          { runId: run.id, job: job.name, mode: run.mode, dryRun: run.dryRun, triggeredBy: run.triggeredBy },
          'Sync run started',
        );
      }
      this.metrics.runsStarted.inc({ job: job.name, kind: interrupted ? 'resumed' : 'new' });
      const handle = this.runner.launch(job, run, holder);
      return { run: await this.toDetail(run), resumed: interrupted !== null, handle };
    } catch (error) {
      await this.leases.release(job.name, holder);
      throw error;
    }
  }

  async get(id: string): Promise<SyncRunDetailView> {
    const run = await this.runs.findById(id);
    if (!run) throw new SyncRunNotFoundError(id);
    return this.toDetail(run);
  }

  async list(query: RunListQuery): Promise<Page<SyncRunView>> {
    let before: { startedAt: string; id: string } | undefined;
    if (query.cursor !== undefined) {
      const position = decodeCursor(query.cursor);
      if (typeof position.s !== 'string' || typeof position.i !== 'string') {
        throw new BadRequestError('invalid_cursor', 'The cursor is not one this API issued.', [
          { field: 'cursor', code: 'invalid_cursor', message: 'must be a nextCursor value from a previous page' },
        ]);
      }
      before = { startedAt: position.s, id: position.i };
    }
    const rows = await this.runs.list({ job: query.job, status: query.status, before, limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    const items = await Promise.all(page.map((run) => this.toView(run)));
    const last = page[page.length - 1];
    return { items, nextCursor: rows.length > query.limit && last ? encodeCursor({ s: last.startedAt, i: last.id }) : null };
  }

  /**
   * Cancels a running run: it stops after its in-flight items. A run whose holder is gone (no
   * live lease) is ended here and now.
   */
  async cancel(id: string): Promise<SyncRunDetailView> {
    const run = await this.runs.findById(id);
    if (!run) throw new SyncRunNotFoundError(id);
    if (run.status !== 'running') throw new SyncRunNotRunningError(id, run.status);
    await this.runs.requestCancel(id);
    if (!this.runner.cancelLocal(id)) {
      const lease = await this.leases.findByJob(run.job);
      const held = lease !== null && lease.runId === id && lease.expiresAt > new Date().toISOString();
      if (!held) {
        const at = new Date().toISOString();
        if (await this.runs.finish(id, 'cancelled', await this.runs.countOutcomes(id), at, null)) {
          this.metrics.runsFinished.inc({ job: run.job, status: 'cancelled' });
        }
      }
    }
    return this.get(id);
  }

  /** Stops the runs executing in this process after their in-flight items, leaving them resumable. */
  interruptLocalRuns(): Promise<void> {
    return this.runner.interruptAll();
  }

  private newRun(id: string, request: StartRunRequest, at: string): SyncRun {
    return {
      id,
      job: request.job,
      mode: request.mode,
      dryRun: request.dryRun,
      status: 'running',
      triggeredBy: request.triggeredBy.slice(0, 64),
      scheduleSlot: request.scheduleSlot ?? null,
      startedAt: at,
      finishedAt: null,
      heartbeatAt: at,
      resumedAt: null,
      resumeCount: 0,
      cancelRequested: false,
      total: null,
      scanned: 0,
      checkpoint: null,
      countAdded: 0,
      countUpdated: 0,
      countUnchanged: 0,
      countFailed: 0,
      countSkipped: 0,
      countRemoved: 0,
      errorMessage: null,
    };
  }

  private leaseExpiry(from: Date): string {
    return new Date(from.getTime() + this.config.leaseMs).toISOString();
  }

  private async toView(run: SyncRun): Promise<SyncRunView> {
    const outcomes: OutcomeCounts =
      run.status === 'running'
        ? await this.runs.countOutcomes(run.id)
        : {
            ...EMPTY_COUNTS,
            added: run.countAdded,
            updated: run.countUpdated,
            unchanged: run.countUnchanged,
            failed: run.countFailed,
            skipped: run.countSkipped,
            removed: run.countRemoved,
          };
    const listingComplete = run.checkpoint === LISTING_DONE;
    return {
      id: run.id,
      job: run.job,
      mode: run.mode,
      dryRun: toBoolean(run.dryRun),
      status: run.status,
      triggeredBy: run.triggeredBy,
      scheduleSlot: run.scheduleSlot,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      heartbeatAt: run.heartbeatAt,
      resumedAt: run.resumedAt,
      resumeCount: run.resumeCount,
      cancelRequested: toBoolean(run.cancelRequested),
      total: run.total,
      scanned: run.scanned,
      checkpoint: listingComplete ? null : run.checkpoint,
      listingComplete,
      counts: {
        total: outcomes.added + outcomes.updated + outcomes.unchanged + outcomes.skipped + outcomes.failed,
        ...outcomes,
      },
      errorMessage: run.errorMessage,
    };
  }

  private async toDetail(run: SyncRun): Promise<SyncRunDetailView> {
    const view = await this.toView(run);
    const errors = view.counts.failed > 0 ? await this.runs.listFailures(run.id, MAX_LISTED_ERRORS) : [];
    return { ...view, errors, errorsTruncated: view.counts.failed > errors.length };
  }
}
