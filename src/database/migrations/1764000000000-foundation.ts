import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { col } from '../migration-helpers';

export class Foundation1764000000000 implements MigrationInterface {
  name = 'Foundation1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          col.id(),
          col.string('prefix', 16),
          col.string('hash', 64),
          col.string('role', 16),
          col.string('label', 200),
          col.timestamp('created_at'),
          col.timestamp('last_used_at', true),
          col.timestamp('revoked_at', true),
        ],
        indices: [{ name: 'ux_api_keys_hash', columnNames: ['hash'], isUnique: true }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('api_keys');
  }
}
