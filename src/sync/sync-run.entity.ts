import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { SyncMode } from './sync-job';

export type SyncRunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';
export const SYNC_RUN_STATUSES: readonly SyncRunStatus[] = ['running', 'succeeded', 'failed', 'cancelled'];

@Entity('sync_runs')
@Index('ux_sync_runs_schedule_slot', ['job', 'scheduleSlot'], { unique: true })
export class SyncRun {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  job!: string;

  @Column({ type: 'varchar', length: 16 })
  mode!: SyncMode;

  @Column({ name: 'dry_run', type: 'boolean' })
  dryRun!: boolean;

  @Column({ type: 'varchar', length: 16 })
  status!: SyncRunStatus;

  /** API key id, 'schedule' or 'cli'. */
  @Column({ name: 'triggered_by', type: 'varchar', length: 64 })
  triggeredBy!: string;

  /** The cron fire time (minute) of a scheduled run: unique per job, so a slot runs once across instances. */
  @Column({ name: 'schedule_slot', type: 'varchar', length: 30, nullable: true })
  scheduleSlot!: string | null;

  @Column({ name: 'started_at', type: 'varchar', length: 30 })
  startedAt!: string;

  @Column({ name: 'finished_at', type: 'varchar', length: 30, nullable: true })
  finishedAt!: string | null;

  @Column({ name: 'heartbeat_at', type: 'varchar', length: 30, nullable: true })
  heartbeatAt!: string | null;

  @Column({ name: 'resumed_at', type: 'varchar', length: 30, nullable: true })
  resumedAt!: string | null;

  @Column({ name: 'resume_count', type: 'integer', default: 0 })
  resumeCount!: number;

  @Column({ name: 'cancel_requested', type: 'boolean', default: false })
  cancelRequested!: boolean;

  /** Items the job's listing announced (null until known). */
  @Column({ type: 'integer', nullable: true })
  total!: number | null;

  /** Listed items already behind the checkpoint (recorded, or not to be visited by an incremental run). */
  @Column({ type: 'integer', default: 0 })
  scanned!: number;

  /** Where listing resumes: past pages whose items are all recorded. */
  @Column({ type: 'text', nullable: true })
  checkpoint!: string | null;

  /** Final counts, copied from sync_run_items when the run ends (items are pruned later). */
  @Column({ name: 'count_added', type: 'integer', default: 0 })
  countAdded!: number;

  @Column({ name: 'count_updated', type: 'integer', default: 0 })
  countUpdated!: number;

  @Column({ name: 'count_unchanged', type: 'integer', default: 0 })
  countUnchanged!: number;

  @Column({ name: 'count_failed', type: 'integer', default: 0 })
  countFailed!: number;

  @Column({ name: 'count_skipped', type: 'integer', default: 0 })
  countSkipped!: number;

  @Column({ name: 'count_removed', type: 'integer', default: 0 })
  countRemoved!: number;

  /** Why the run failed as a whole (listing kept failing, database error). */
  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage!: string | null;
}
