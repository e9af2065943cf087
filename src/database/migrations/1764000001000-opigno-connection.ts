import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { col } from '../migration-helpers';

export class OpignoConnection1764000001000 implements MigrationInterface {
  name = 'OpignoConnection1764000001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'opigno_connection',
        columns: [
          col.id(),
          col.string('base_url', 2048),
          col.string('graphql_path', 255),
          col.string('client_key', 512),
          col.text('client_secret_sealed', true),
          col.string('revision', 64),
          col.timestamp('updated_at'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('opigno_connection');
  }
}
