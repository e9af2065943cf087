import type { EntityManager } from 'typeorm';

/**
 * The contract every sync job implements. The engine owns paging, concurrency, rate limits,
 * retries with backoff, checkpoints, crash resume, dry runs and bookkeeping; a job only lists
 * work and handles one item.
 *
 * Register a job from its own module:
 *
 *   @Injectable()
 *   export class ProgressSyncJob implements SyncJob<UserItem>, OnModuleInit {
 *     readonly name = 'progress';
 *     constructor(private readonly registry: SyncJobRegistry) {}
 *     onModuleInit(): void { this.registry.register(this); }
 *     listPage(checkpoint, { pageSize }) { … }
 *     process(item, { dryRun }) { … }
 *   }
 *
 * and add that module to SYNC_JOB_MODULES (src/sync/sync-jobs.module.ts) so the app and the CLI both load it.
 */
export type SyncMode = 'full' | 'incremental';

export const SYNC_MODES: readonly SyncMode[] = ['full', 'incremental'];

/** What processing one item did (or, in a dry run, would do). */
export type ItemOutcome = 'added' | 'updated' | 'unchanged' | 'skipped';

/** Every outcome a run records: the job's, plus `failed` (set by the engine) and `removed` (from sweep). */
export type RecordedOutcome = ItemOutcome | 'failed' | 'removed';

export interface WorkItem {
  /** Stable, unique within the job (a user uuid, an lpId); at most 255 characters. */
  key: string;
}

export interface WorkPage<T extends WorkItem> {
  items: T[];
  /** Where the next page starts (an upstream cursor, the last key…); null after the last page. */
  nextCheckpoint: string | null;
  /** How many items the whole listing has, when known (drives progress bars and ETA). */
  total?: number;
}

export interface ListPageOptions {
  mode: SyncMode;
  pageSize: number;
  signal: AbortSignal;
}

export interface ProcessContext {
  runId: string;
  mode: SyncMode;
  /** When true the job must not write anything; the engine never calls `commit` in a dry run. */
  dryRun: boolean;
  /** Aborted when the run lost its lease (another instance took it over): stop at once. */
  signal: AbortSignal;
}

/**
 * A job's answer for one item. `commit` holds the job's local writes: the engine runs it in
 * the same transaction that records the item, so a crash can never leave a write without its
 * record (which would turn a resumed `added` into `unchanged`).
 */
export type ProcessResult = ItemOutcome | { outcome: ItemOutcome; commit?: (manager: EntityManager) => Promise<void> };

export interface SweepContext {
  runId: string;
  dryRun: boolean;
  /**
   * Inside the transaction that records the swept keys; use it for the writes. The keys this
   * run visited are `SELECT "key" FROM "sync_run_items" WHERE "run_id" = <runId>`.
   */
  manager: EntityManager;
}

export interface SyncJob<T extends WorkItem = WorkItem> {
  /** Unique, used in URLs, the CLI and SYNC_CRON_<NAME>; [a-z0-9-]. */
  readonly name: string;
  /** Items per listPage call; default 200. */
  readonly pageSize?: number;
  /** Mode of scheduled runs; default 'incremental'. */
  readonly scheduledMode?: SyncMode;
  /**
   * Whether process() calls the upstream (default true). When true, process calls share the
   * run's requests-per-second cap; listPage calls always do.
   */
  readonly processCallsUpstream?: boolean;

  /**
   * One page of work from `checkpoint` (null: the beginning). Incremental runs get the same
   * listing: the engine then visits only keys that are new, dirty or last failed (see
   * SyncItemStateRepository). Throw an upstream-unavailable error to make the run back off.
   */
  listPage(checkpoint: string | null, options: ListPageOptions): Promise<WorkPage<T>>;

  /**
   * Handles one item. Throwing records the item as failed with the error's `code` and message;
   * upstream-unavailable/timeout errors are first retried with backoff.
   */
  process(item: T, context: ProcessContext): Promise<ProcessResult>;

  /**
   * Full runs only, after every page succeeded: reconcile local records the upstream no longer
   * lists. Answers the keys it removed (or would remove, in a dry run); they are recorded with
   * outcome `removed` in the same transaction.
   */
  sweep?(context: SweepContext): Promise<string[]>;
}
