import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { RecordedOutcome } from './sync-job';

/** Per job and key: what the last run did, and whether something (a webhook) asked for a refresh since. */
@Entity('sync_item_state')
export class SyncItemState {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  job!: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  key!: string;

  @Column({ name: 'last_synced_at', type: 'varchar', length: 30, nullable: true })
  lastSyncedAt!: string | null;

  @Column({ name: 'last_outcome', type: 'varchar', length: 16, nullable: true })
  lastOutcome!: RecordedOutcome | null;

  @Column({ type: 'boolean', default: false })
  dirty!: boolean;

  @Column({ name: 'dirtied_at', type: 'varchar', length: 30, nullable: true })
  dirtiedAt!: string | null;
}
