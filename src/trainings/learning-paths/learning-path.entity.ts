import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A learning path of the upstream catalogue, as last synced by the `trainings` job. */
@Entity('learning_paths')
export class LearningPath {
  @PrimaryColumn({ name: 'lp_id', type: 'varchar', length: 64 })
  lpId!: string;

  @Column({ type: 'varchar', length: 500 })
  title!: string;

  @Column({ name: 'certification_enabled', type: 'boolean' })
  certificationEnabled!: boolean;

  /** When the upstream last confirmed these values. */
  @Column({ name: 'synced_at', type: 'varchar', length: 30 })
  syncedAt!: string;

  /** Set by a full sync when the catalogue no longer lists the path; cleared if it comes back. */
  @Column({ name: 'removed_at', type: 'varchar', length: 30, nullable: true })
  removedAt!: string | null;
}
