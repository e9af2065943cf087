import { Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { TransactionRunner } from '../../database/transaction-runner';
import type { ItemOutcome, ProcessResult, RecordedOutcome, SyncJob, WorkItem, WorkPage } from '../sync-job';
import type { SyncItemStateRepository } from '../sync-item-state.repository';
import { needsIncrementalVisit } from '../sync-item-state.repository';
import type { SyncLeasesRepository } from '../sync-leases.repository';
import type { SyncRun, SyncRunStatus } from '../sync-run.entity';
import type { OutcomeCounts, SyncRunsRepository } from '../sync-runs.repository';
import { EMPTY_COUNTS } from '../sync-runs.repository';
import type { SyncMetrics } from '../sync.metrics';
import { describeItemError, isUpstreamUnavailable } from '../sync.errors';
import { ExponentialBackoff } from './backoff';
import { CheckpointWatermark } from './checkpoint-watermark';
import { Clock, systemClock } from './clock';
import { TokenBucket } from './token-bucket';
import { WorkQueue } from './work-queue';

export interface EngineSettings {
  concurrency: number;
  maxRequestsPerSecond: number;
  leaseMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  itemAttempts: number;
  runRetention: number;
}

export interface EngineDependencies {
  runs: SyncRunsRepository;
  leases: SyncLeasesRepository;
  states: SyncItemStateRepository;
  transactions: TransactionRunner;
  metrics: SyncMetrics;
  clock?: Clock;
}

/** Why a run stopped before the end of its listing. */
export type StopReason = 'cancelled' | 'interrupted' | 'lease_lost' | 'failed';

/** How an execution ended: a final status, or `interrupted` (resumable later) / `lease_lost` (another holder continues). */
export type ExecutionEnd = Exclude<SyncRunStatus, 'running'> | 'interrupted' | 'lease_lost';

export interface LiveProgress {
  total: number | null;
  /** Listed items handled so far: recorded, or passed over by an incremental run. */
  done: number;
  counts: OutcomeCounts;
  paused: boolean;
}

interface Entry {
  item: WorkItem;
  pageId: number;
}

/** Stored as the checkpoint once the listing is exhausted, so a resumed run goes straight to its end (null means "from the start"). */
export const LISTING_DONE = 'sync:listing-done';

const ITEM_OUTCOMES: ReadonlySet<ItemOutcome> = new Set<ItemOutcome>(['added', 'updated', 'unchanged', 'skipped']);
const DEFAULT_PAGE_SIZE = 200;
const MAX_KEY_LENGTH = 255;

/** One run executing in this process: lists pages, processes items with bounded load, records each outcome. */
export class RunExecution {
  private readonly logger = new Logger('SyncRun');
  private readonly clock: Clock;
  private readonly bucket: TokenBucket;
  private readonly backoff: ExponentialBackoff;
  private readonly watermark: CheckpointWatermark;
  private readonly stopController = new AbortController();
  private readonly leaseController = new AbortController();
  private readonly pageSize: number;
  private stopReason: StopReason | null = null;
  private fatal: unknown = null;
  private pausedUntil = 0;
  /** Bumped per pause, so failures of requests already in flight when a pause began do not escalate it. */
  private pauseEpoch = 0;
  private checkpointWrites: Promise<void> = Promise.resolve();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private beating = false;
  private total: number | null;
  private readonly counts: OutcomeCounts = { ...EMPTY_COUNTS };
  private passedOver = 0;
  private readonly baseScanned: number;
  private queue: WorkQueue<Entry> | null = null;

  constructor(
    private readonly job: SyncJob,
    private readonly run: SyncRun,
    private readonly holder: string,
    private readonly settings: EngineSettings,
    private readonly deps: EngineDependencies,
  ) {
    this.clock = deps.clock ?? systemClock;
    this.bucket = new TokenBucket(settings.maxRequestsPerSecond, Math.max(1, Math.ceil(settings.maxRequestsPerSecond)), this.clock);
    this.backoff = new ExponentialBackoff(settings.backoffBaseMs, settings.backoffMaxMs);
    this.watermark = new CheckpointWatermark(run.checkpoint);
    this.pageSize = job.pageSize ?? DEFAULT_PAGE_SIZE;
    this.total = run.total;
    this.baseScanned = run.scanned;
  }

  progress(): LiveProgress {
    const recorded = Object.values(this.counts).reduce((a, b) => a + b, 0) - this.counts.removed;
    return {
      total: this.total,
      done: Math.max(recorded + this.passedOver, this.baseScanned),
      counts: { ...this.counts },
      paused: this.clock.now() < this.pausedUntil,
    };
  }

  /** Stops dispatching new items; items in flight finish and are recorded. */
  stop(reason: StopReason): void {
    if (reason === 'lease_lost') {
      this.stopReason = 'lease_lost';
      this.leaseController.abort();
    } else if (this.stopReason === null) {
      this.stopReason = reason;
    }
    this.stopController.abort();
    this.queue?.abandon();
  }

  async execute(): Promise<ExecutionEnd> {
    this.deps.metrics.running.inc({ job: this.job.name });
    const beatEvery = Math.max(250, Math.floor(this.settings.leaseMs / 3));
    this.heartbeatTimer = setInterval(() => void this.beat(), beatEvery);
    this.heartbeatTimer.unref();
    let failure: unknown = null;
    try {
      Object.assign(this.counts, await this.deps.runs.countOutcomes(this.run.id));
      await this.pump();
      if (this.fatal !== null) throw this.fatal;
      if (this.stopReason === null && this.run.mode === 'full' && this.job.sweep) await this.sweep();
    } catch (error) {
      failure = error;
    } finally {
      clearInterval(this.heartbeatTimer);
      this.deps.metrics.running.dec({ job: this.job.name });
    }
    return this.finalize(failure);
  }

  // ---- listing and dispatch ----

  private async pump(): Promise<void> {
    const queue = new WorkQueue<Entry>(this.pageSize);
    this.queue = queue;
    const producer = this.produce(queue)
      .catch((error: unknown) => this.fail(error, queue))
      .finally(() => queue.close());
    const workers = Array.from({ length: Math.max(1, this.settings.concurrency) }, () => this.work(queue));
    await Promise.all([producer, ...workers]);
    await this.checkpointWrites;
  }

  private async produce(queue: WorkQueue<Entry>): Promise<void> {
    let checkpoint = this.run.checkpoint;
    if (checkpoint === LISTING_DONE) return;
    for (;;) {
      await queue.waitForRoom();
      if (this.stopReason !== null) return;
      const page = await this.listWithBackoff(checkpoint);
      if (page === null || this.stopReason !== null) return;
      if (page.total !== undefined && page.total !== this.total) {
        this.total = page.total;
        await this.deps.runs.saveTotal(this.run.id, page.total);
      }
      const { todo, clean } = await this.selectWork(page);
      const pageId = this.watermark.open(page.nextCheckpoint ?? LISTING_DONE, todo.length, page.items.length);
      this.passedOver += clean;
      for (const item of todo) queue.push({ item, pageId });
      await this.advanceCheckpoint();
      if (page.nextCheckpoint === null) return;
      if (page.nextCheckpoint === checkpoint)
        throw new Error(`Job "${this.job.name}" listed the same checkpoint twice; its listing would never end.`);
      checkpoint = page.nextCheckpoint;
    }
  }

  /** The page's items still to visit: not yet recorded by this run, and (incremental) new, dirty or last failed. */
  private async selectWork(page: WorkPage<WorkItem>): Promise<{ todo: WorkItem[]; clean: number }> {
    const unique = new Map<string, WorkItem>();
    for (const item of page.items) {
      if (typeof item.key !== 'string' || item.key.length === 0 || item.key.length > MAX_KEY_LENGTH) {
        throw new Error(`Job "${this.job.name}" listed an item whose key is not a string of 1 to ${MAX_KEY_LENGTH} characters.`);
      }
      if (!unique.has(item.key)) unique.set(item.key, item);
    }
    const keys = [...unique.keys()];
    const recorded = await this.deps.runs.recordedKeys(this.run.id, keys);
    const unrecorded = [...unique.values()].filter((item) => !recorded.has(item.key));
    if (this.run.mode !== 'incremental' || unrecorded.length === 0) return { todo: unrecorded, clean: 0 };
    const states = await this.deps.states.findByKeys(
      this.job.name,
      unrecorded.map((item) => item.key),
    );
    const todo = unrecorded.filter((item) => needsIncrementalVisit(states.get(item.key)));
    return { todo, clean: unrecorded.length - todo.length };
  }

  private async work(queue: WorkQueue<Entry>): Promise<void> {
    for (;;) {
      const entry = await queue.take();
      if (entry === undefined || this.stopReason !== null) return;
      try {
        const recorded = await this.handle(entry.item);
        if (!recorded) continue;
        this.watermark.complete(entry.pageId);
        await this.advanceCheckpoint();
      } catch (error) {
        this.fail(error, queue);
        return;
      }
    }
  }

  private fail(error: unknown, queue: WorkQueue<Entry>): void {
    if (this.fatal === null) this.fatal = error;
    this.stop('failed');
    queue.abandon();
  }

  // ---- one item ----

  /** Processes and records one item; false when the run stopped before it could be recorded. */
  private async handle(item: WorkItem): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      await this.waitWhilePaused();
      if (this.job.processCallsUpstream !== false) await this.bucket.take(this.stopController.signal);
      if (this.stopReason !== null) return false;
      const epoch = this.pauseEpoch;
      const visitStartedAt = this.nowIso();
      let result: ProcessResult;
      try {
        result = await this.job.process(item, {
          runId: this.run.id,
          mode: this.run.mode,
          dryRun: this.run.dryRun,
          signal: this.leaseController.signal,
        });
        this.backoff.reset();
      } catch (error) {
        if (this.stopReason === 'lease_lost') return false;
        if (isUpstreamUnavailable(error) && attempt < this.settings.itemAttempts) {
          this.pauseAfterFailure(epoch, error);
          continue;
        }
        return this.recordFailure(item.key, error, visitStartedAt);
      }
      const { outcome, commit } = typeof result === 'string' ? { outcome: result, commit: undefined } : result;
      if (!ITEM_OUTCOMES.has(outcome)) {
        return this.recordFailure(
          item.key,
          new Error(`Job "${this.job.name}" answered an unknown outcome: ${String(outcome)}`),
          visitStartedAt,
        );
      }
      try {
        await this.record(item.key, outcome, visitStartedAt, commit);
        return true;
      } catch (error) {
        // The job's own write failed (a constraint, bad data): that item fails, the run goes on.
        return this.recordFailure(item.key, error, visitStartedAt);
      }
    }
  }

  private async recordFailure(key: string, error: unknown, visitStartedAt: string): Promise<boolean> {
    const { code, message } = describeItemError(error);
    await this.record(key, 'failed', visitStartedAt, undefined, code, message);
    return true;
  }

  /**
   * Records the item and applies the job's writes in one transaction. A key already recorded
   * (by this run before a crash, or by a holder racing us) rolls back and counts nothing.
   */
  private async record(
    key: string,
    outcome: RecordedOutcome,
    visitStartedAt: string,
    commit?: (manager: EntityManager) => Promise<void>,
    errorCode: string | null = null,
    errorMessage: string | null = null,
  ): Promise<void> {
    const recordedAt = this.nowIso();
    const fresh = await this.deps.transactions.run(async (manager) => {
      const inserted = await this.deps.runs.insertItem(manager, { runId: this.run.id, key, outcome, errorCode, errorMessage, recordedAt });
      if (!inserted) return false;
      if (!this.run.dryRun) {
        if (commit) await commit(manager);
        await this.deps.states.recordVisit(manager, this.job.name, key, outcome, recordedAt, visitStartedAt);
      }
      return true;
    });
    if (!fresh) return;
    this.counts[outcome]++;
    this.deps.metrics.itemRecorded(this.job.name, outcome);
  }

  private async sweep(): Promise<void> {
    const sweep = this.job.sweep!.bind(this.job);
    const removed = await this.deps.transactions.run(async (manager) => {
      const keys = await sweep({ runId: this.run.id, dryRun: this.run.dryRun, manager });
      const recordedAt = this.nowIso();
      let fresh = 0;
      for (const key of keys) {
        const inserted = await this.deps.runs.insertItem(manager, {
          runId: this.run.id,
          key,
          outcome: 'removed',
          errorCode: null,
          errorMessage: null,
          recordedAt,
        });
        if (!inserted) continue;
        fresh++;
        // So that an incremental run visits the key again if the upstream lists it again.
        if (!this.run.dryRun) await this.deps.states.recordVisit(manager, this.job.name, key, 'removed', recordedAt, recordedAt);
      }
      return fresh;
    });
    this.counts.removed += removed;
    if (removed > 0) this.deps.metrics.items.inc({ job: this.job.name, outcome: 'removed' }, removed);
  }

  // ---- pacing ----

  private async listWithBackoff(checkpoint: string | null): Promise<WorkPage<WorkItem> | null> {
    const attempts = this.settings.itemAttempts * 2;
    for (let attempt = 1; ; attempt++) {
      await this.waitWhilePaused();
      await this.bucket.take(this.stopController.signal);
      if (this.stopReason !== null) return null;
      const epoch = this.pauseEpoch;
      try {
        const page = await this.job.listPage(checkpoint, {
          mode: this.run.mode,
          pageSize: this.pageSize,
          signal: this.leaseController.signal,
        });
        this.backoff.reset();
        return page;
      } catch (error) {
        if (isUpstreamUnavailable(error) && attempt < attempts && this.stopReason === null) {
          this.pauseAfterFailure(epoch, error);
          continue;
        }
        throw error;
      }
    }
  }

  /** Pauses the whole run (every worker), doubling the pause per consecutive upstream failure. */
  private pauseAfterFailure(epoch: number, error: unknown): void {
    if (epoch !== this.pauseEpoch) return;
    this.pauseEpoch++;
    const delay = this.backoff.next();
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + delay);
    this.deps.metrics.backoffs.inc({ job: this.job.name });
    this.logger.warn(
      { runId: this.run.id, job: this.job.name, delayMs: delay, error: describeItemError(error) },
      'Upstream unavailable: sync run paused',
    );
  }

  private async waitWhilePaused(): Promise<void> {
    for (;;) {
      const wait = this.pausedUntil - this.clock.now();
      if (wait <= 0 || this.stopReason !== null) return;
      await this.clock.sleep(wait, this.stopController.signal);
    }
  }

  // ---- bookkeeping ----

  private advanceCheckpoint(): Promise<void> {
    const moved = this.watermark.advance();
    if (moved) {
      const scanned = this.baseScanned + moved.listed;
      this.checkpointWrites = this.checkpointWrites.then(() => this.deps.runs.saveCheckpoint(this.run.id, moved.checkpoint, scanned));
    }
    return this.checkpointWrites;
  }

  private async beat(): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    try {
      const expiresAt = new Date(this.clock.now() + this.settings.leaseMs).toISOString();
      if (!(await this.deps.leases.renew(this.job.name, this.holder, expiresAt))) {
        this.logger.warn({ runId: this.run.id, job: this.job.name }, 'Sync lease lost to another holder: stopping');
        this.stop('lease_lost');
        return;
      }
      if (await this.deps.runs.heartbeat(this.run.id, this.nowIso())) this.stop('cancelled');
    } catch (error) {
      this.logger.warn({ runId: this.run.id, job: this.job.name, err: error }, 'Sync heartbeat failed');
    } finally {
      this.beating = false;
    }
  }

  private async finalize(failure: unknown): Promise<ExecutionEnd> {
    const job = this.job.name;
    if (this.stopReason === 'lease_lost') {
      this.deps.metrics.runsFinished.inc({ job, status: 'lease_lost' });
      return 'lease_lost';
    }
    if (failure === null && this.stopReason === 'interrupted') {
      await this.deps.leases.release(job, this.holder);
      this.logger.log({ runId: this.run.id, job }, 'Sync run interrupted; the next start resumes it');
      this.deps.metrics.runsFinished.inc({ job, status: 'interrupted' });
      return 'interrupted';
    }
    // Still ours? A holder that stalled past its lease must leave the run to the new one.
    const expiresAt = new Date(this.clock.now() + this.settings.leaseMs).toISOString();
    if (!(await this.deps.leases.renew(job, this.holder, expiresAt))) {
      this.deps.metrics.runsFinished.inc({ job, status: 'lease_lost' });
      return 'lease_lost';
    }
    const status: Exclude<SyncRunStatus, 'running'> =
      failure !== null ? 'failed' : this.stopReason === 'cancelled' ? 'cancelled' : 'succeeded';
    const counts = await this.deps.runs.countOutcomes(this.run.id);
    const message = failure === null ? null : describeItemError(failure).message;
    await this.deps.runs.finish(this.run.id, status, counts, this.nowIso(), message);
    await this.deps.leases.release(job, this.holder);
    this.deps.metrics.runsFinished.inc({ job, status });
    const log = { runId: this.run.id, job, status, counts };
    if (failure !== null) this.logger.error({ ...log, err: failure }, 'Sync run failed');
    else this.logger.log(log, 'Sync run ended');
    try {
      await this.deps.runs.pruneItems(job, this.settings.runRetention);
    } catch (error) {
      this.logger.warn({ job, err: error }, 'Could not prune old sync run items');
    }
    return status;
  }

  private nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }
}
