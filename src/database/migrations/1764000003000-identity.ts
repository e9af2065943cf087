import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { col } from '../migration-helpers';

export class Identity1764000003000 implements MigrationInterface {
  name = 'Identity1764000003000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'user_context_links',
        columns: [
          col.id('uuid', 128),
          col.string('opigno_id', 64),
          col.string('display_name', 255, true),
          col.bool('is_active', false),
          col.string('scope', 32, true),
          col.bool('anonymous', false),
          col.timestamp('created_at'),
          col.timestamp('updated_at'),
          col.timestamp('synced_at', true),
          col.timestamp('missing_upstream_at', true),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'identity_links',
        columns: [
          col.id('anonymous_id', 128),
          col.string('user_id', 128),
          col.timestamp('merged_at'),
          col.string('merged_by', 64),
          col.text('result'),
        ],
        indices: [{ name: 'ix_identity_links_user', columnNames: ['user_id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'pending_upstream_actions',
        columns: [
          col.id(),
          col.string('action', 32),
          col.string('uuid', 128),
          col.text('payload'),
          col.int('attempts', false, 0),
          col.string('last_error', 500, true),
          col.timestamp('created_at'),
          col.timestamp('next_attempt_at'),
          col.timestamp('done_at', true),
        ],
        indices: [
          { name: 'ix_pending_actions_due', columnNames: ['done_at', 'next_attempt_at'] },
          { name: 'ix_pending_actions_uuid', columnNames: ['uuid'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'erasure_tombstones',
        columns: [col.id('uuid_hash'), col.timestamp('erased_at'), col.string('erased_by', 64), col.string('upstream', 32, true)],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['erasure_tombstones', 'pending_upstream_actions', 'identity_links', 'user_context_links']) {
      await queryRunner.dropTable(table);
    }
  }
}
