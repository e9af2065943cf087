import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';
import { col, isPostgres } from '../migration-helpers';

/**
 * Custom field definitions (with history and a per-kind revision counter for cache invalidation),
 * extended profiles, the shared search index for extended records, and the audit trail.
 */
export class FieldsProfiles1764000002000 implements MigrationInterface {
  name = 'FieldsProfiles1764000002000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // PostgreSQL compares text with the database locale; "C" orders by code point like SQLite, so lists page identically on both.
    const byCodePoint = (column: TableColumnOptions): TableColumnOptions =>
      isPostgres(queryRunner) ? { ...column, collation: 'C' } : column;
    const serial = (name: string): TableColumnOptions => ({
      name,
      type: 'integer',
      isPrimary: true,
      isGenerated: true,
      generationStrategy: 'increment',
    });

    await queryRunner.createTable(
      new Table({
        name: 'field_definitions',
        columns: [
          col.id(),
          col.string('kind', 16),
          col.string('field_key', 63),
          col.string('label', 200),
          col.text('description', true),
          col.string('group_name', 100, true),
          col.int('sort_order', false, 0),
          col.string('type', 16),
          col.text('constraints'),
          col.bool('pii', false),
          col.string('read_roles', 64),
          col.string('write_roles', 64),
          col.bool('searchable', false),
          col.string('status', 16),
          col.int('version'),
          col.timestamp('created_at'),
          col.timestamp('updated_at'),
        ],
        indices: [{ name: 'ux_field_definitions_kind_key', columnNames: ['kind', 'field_key'], isUnique: true }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'field_definition_history',
        columns: [
          col.id(),
          col.string('definition_id', 64),
          col.string('kind', 16),
          col.string('field_key', 63),
          col.int('version'),
          col.string('change', 32),
          col.text('snapshot'),
          col.string('changed_by', 64, true),
          col.timestamp('changed_at'),
        ],
        indices: [{ name: 'ix_field_definition_history_definition', columnNames: ['definition_id', 'version'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({ name: 'field_definition_revisions', columns: [{ ...col.string('kind', 16), isPrimary: true }, col.int('revision')] }),
    );
    // One row per kind up front: definition changes then only UPDATE it, which also serializes them per kind on PostgreSQL.
    await queryRunner.query(
      `INSERT INTO field_definition_revisions (kind, revision) VALUES ('profile', 0), ('training', 0), ('enrolment', 0)`,
    );
    await queryRunner.createTable(
      new Table({
        name: 'profiles',
        columns: [
          byCodePoint({ ...col.string('uuid', 128), isPrimary: true }),
          col.text('fields'),
          col.int('version'),
          col.timestamp('created_at'),
          col.timestamp('updated_at'),
        ],
        indices: [
          { name: 'ix_profiles_created', columnNames: ['created_at', 'uuid'] },
          { name: 'ix_profiles_updated', columnNames: ['updated_at', 'uuid'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'record_search_index',
        columns: [
          serial('id'),
          col.string('kind', 16),
          col.string('field_key', 63),
          byCodePoint(col.string('record_id', 255)),
          byCodePoint(col.text('value_text', true)),
          col.real('value_num'),
        ],
        indices: [
          { name: 'ix_record_search_text', columnNames: ['kind', 'field_key', 'value_text', 'record_id'] },
          { name: 'ix_record_search_num', columnNames: ['kind', 'field_key', 'value_num', 'record_id'] },
          { name: 'ix_record_search_record', columnNames: ['kind', 'record_id'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          serial('id'),
          col.timestamp('occurred_at'),
          col.string('actor_key_id', 64, true),
          col.string('entity_type', 32),
          col.string('entity_id', 255),
          col.string('action', 32),
          col.text('changed_fields'),
          col.text('changes', true),
        ],
        indices: [{ name: 'ix_audit_events_entity', columnNames: ['entity_type', 'entity_id', 'id'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'audit_events',
      'record_search_index',
      'profiles',
      'field_definition_revisions',
      'field_definition_history',
      'field_definitions',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
