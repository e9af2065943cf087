import { MigrationInterface, QueryRunner } from 'typeorm';

/** The extended-record tables, each by its id column (index `ix_<table>_id_times`, see RecordRowsRepository.list). */
const RECORD_TABLES: Array<[table: string, idColumn: string]> = [
  ['profiles', 'uuid'],
  ['trainings', 'lp_id'],
  ['training_records', 'id'],
];

/**
 * An index per record table on (id, created_at, updated_at): filtered lists sorted by createdAt or updatedAt find the
 * page among the matching ids from this index alone, and read the full rows of that page only.
 */
export class RecordIdTimes1764000006000 implements MigrationInterface {
  name = 'RecordIdTimes1764000006000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const [table, idColumn] of RECORD_TABLES) {
      await queryRunner.query(`CREATE INDEX ix_${table}_id_times ON ${table} (${idColumn}, created_at, updated_at)`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [table] of RECORD_TABLES) await queryRunner.query(`DROP INDEX ix_${table}_id_times`);
  }
}
