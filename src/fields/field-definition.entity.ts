import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { FieldKind, FieldStatus, FieldType } from './field-definition';

@Entity('field_definitions')
export class FieldDefinitionEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: FieldKind;

  @Column({ name: 'field_key', type: 'varchar', length: 63 })
  key!: string;

  @Column({ type: 'varchar', length: 200 })
  label!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ name: 'group_name', type: 'varchar', length: 100, nullable: true })
  group!: string | null;

  @Column({ name: 'sort_order', type: 'integer' })
  order!: number;

  @Column({ type: 'varchar', length: 16 })
  type!: FieldType;

  /** FieldConstraints as JSON: which ones apply depends on the type. */
  @Column({ type: 'text' })
  constraints!: string;

  @Column({ type: 'boolean' })
  pii!: boolean;

  /** Comma-separated roles. */
  @Column({ name: 'read_roles', type: 'varchar', length: 64 })
  readRoles!: string;

  @Column({ name: 'write_roles', type: 'varchar', length: 64 })
  writeRoles!: string;

  @Column({ type: 'boolean' })
  searchable!: boolean;

  @Column({ type: 'varchar', length: 16 })
  status!: FieldStatus;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'created_at', type: 'varchar', length: 30 })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'varchar', length: 30 })
  updatedAt!: string;
}

/** One row per change of a definition: the definition as it was after the change. */
@Entity('field_definition_history')
export class FieldDefinitionHistoryEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ name: 'definition_id', type: 'varchar', length: 64 })
  definitionId!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: FieldKind;

  @Column({ name: 'field_key', type: 'varchar', length: 63 })
  key!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'varchar', length: 32 })
  change!: string;

  @Column({ type: 'text' })
  snapshot!: string;

  @Column({ name: 'changed_by', type: 'varchar', length: 64, nullable: true })
  changedBy!: string | null;

  @Column({ name: 'changed_at', type: 'varchar', length: 30 })
  changedAt!: string;
}

/** Bumped on every definition change of a kind, so other instances know to reload their cache. */
@Entity('field_definition_revisions')
export class FieldDefinitionRevisionEntity {
  @PrimaryColumn({ type: 'varchar', length: 16 })
  kind!: FieldKind;

  @Column({ type: 'integer' })
  revision!: number;
}
