import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { RecordedOutcome } from './sync-job';

/** One processed item of a run; written as the item completes, so counts survive a crash. */
@Entity('sync_run_items')
export class SyncRunItem {
  @PrimaryColumn({ name: 'run_id', type: 'varchar', length: 64 })
  runId!: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  key!: string;

  @Column({ type: 'varchar', length: 16 })
  outcome!: RecordedOutcome;

  @Column({ name: 'error_code', type: 'varchar', length: 64, nullable: true })
  errorCode!: string | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage!: string | null;

  @Column({ name: 'recorded_at', type: 'varchar', length: 30 })
  recordedAt!: string;
}
