import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';
import { col, isPostgres } from '../migration-helpers';

/** Extended trainings (custom fields per learning path) and per-user training records (upstream view + enrolment fields). */
export class Trainings1764000005000 implements MigrationInterface {
  name = 'Trainings1764000005000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // "C" collation orders by code point like SQLite, so keyset pages are identical on both engines.
    const byCodePoint = (column: TableColumnOptions): TableColumnOptions =>
      isPostgres(queryRunner) ? { ...column, collation: 'C' } : column;
    await queryRunner.createTable(
      new Table({
        name: 'trainings',
        columns: [
          byCodePoint({ ...col.string('lp_id', 128), isPrimary: true }),
          col.text('fields'),
          col.int('version'),
          col.timestamp('created_at'),
          col.timestamp('updated_at'),
        ],
        indices: [
          { name: 'ix_trainings_created', columnNames: ['created_at', 'lp_id'] },
          { name: 'ix_trainings_updated', columnNames: ['updated_at', 'lp_id'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'training_records',
        columns: [
          byCodePoint({ ...col.string('id', 260), isPrimary: true }),
          byCodePoint(col.string('uuid', 128)),
          byCodePoint(col.string('lp_id', 128)),
          col.string('title', 500, true),
          col.string('status', 16, true),
          col.int('progress', true),
          col.int('score', true),
          col.timestamp('registered_at', true),
          col.timestamp('completed_at', true),
          col.int('time_spent', true),
          col.timestamp('synced_at', true),
          { ...col.text('fields'), default: "'{}'" },
          { ...col.int('version'), default: 1 },
          col.timestamp('created_at'),
          col.timestamp('updated_at'),
        ],
        indices: [
          { name: 'ux_training_records_user_lp', columnNames: ['uuid', 'lp_id'], isUnique: true },
          { name: 'ix_training_records_user_status', columnNames: ['uuid', 'status'] },
          { name: 'ix_training_records_created', columnNames: ['created_at', 'id'] },
          { name: 'ix_training_records_updated', columnNames: ['updated_at', 'id'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('training_records');
    await queryRunner.dropTable('trainings');
  }
}
