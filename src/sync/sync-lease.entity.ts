import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Who may run a job right now, across every instance sharing the database. */
@Entity('sync_leases')
export class SyncLease {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  job!: string;

  @Column({ name: 'run_id', type: 'varchar', length: 64 })
  runId!: string;

  /** Unique per acquisition (instance, process, random), so a stale holder cannot renew a lease taken over. */
  @Column({ type: 'varchar', length: 200 })
  holder!: string;

  @Column({ name: 'expires_at', type: 'varchar', length: 30 })
  expiresAt!: string;
}
