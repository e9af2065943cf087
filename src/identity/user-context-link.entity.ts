import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { UserContextScope } from '../opigno/opigno.types';

/** The local record of an Opigno user context the companion created or read. */
@Entity('user_context_links')
export class UserContextLink {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  uuid!: string;

  @Column({ name: 'opigno_id', type: 'varchar', length: 64 })
  opignoId!: string;

  @Column({ name: 'display_name', type: 'varchar', length: 255, nullable: true })
  displayName!: string | null;

  @Column({ name: 'is_active', type: 'boolean' })
  isActive!: boolean;

  @Column({ type: 'varchar', length: 32, nullable: true })
  scope!: UserContextScope | null;

  @Column({ type: 'boolean' })
  anonymous!: boolean;

  @Column({ name: 'created_at', type: 'varchar', length: 30 })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'varchar', length: 30 })
  updatedAt!: string;

  @Column({ name: 'synced_at', type: 'varchar', length: 30, nullable: true })
  syncedAt!: string | null;

  @Column({ name: 'missing_upstream_at', type: 'varchar', length: 30, nullable: true })
  missingUpstreamAt!: string | null;
}
