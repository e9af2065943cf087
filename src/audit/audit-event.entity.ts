import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('audit_events')
export class AuditEventEntity {
  @PrimaryGeneratedColumn('increment')
  id!: number;

  @Column({ name: 'occurred_at', type: 'varchar', length: 30 })
  occurredAt!: string;

  @Column({ name: 'actor_key_id', type: 'varchar', length: 64, nullable: true })
  actorKeyId!: string | null;

  @Column({ name: 'entity_type', type: 'varchar', length: 32 })
  entityType!: string;

  @Column({ name: 'entity_id', type: 'varchar', length: 255 })
  entityId!: string;

  @Column({ type: 'varchar', length: 32 })
  action!: string;

  /** JSON array of the field keys that changed (pii keys included, their values are not). */
  @Column({ name: 'changed_fields', type: 'text' })
  changedFields!: string;

  /** JSON object key → { old, new } for non-pii fields. */
  @Column({ type: 'text', nullable: true })
  changes!: string | null;
}
