import { MigrationInterface, QueryRunner } from 'typeorm';

/** Each kind's record table and id column, for copying the records' creation times into their search index rows. */
const RECORD_TABLES: Array<[kind: string, table: string, idColumn: string]> = [
  ['profile', 'profiles', 'uuid'],
  ['training', 'trainings', 'lp_id'],
  ['enrolment', 'training_records', 'id'],
];

const VALUE_INDEXES: Array<[name: string, valueColumn: string]> = [
  ['ix_record_search_text', 'value_text'],
  ['ix_record_search_num', 'value_num'],
];

/**
 * Every search index row carries its record's creation time (`record_created_at`, which never changes), and the value
 * indexes end in (record_created_at, record_id): a list filtered by one value and sorted by createdAt reads its page
 * from the index in order and stops at the page's end, instead of sorting every match.
 */
export class SearchIndexCreationOrder1764000007000 implements MigrationInterface {
  name = 'SearchIndexCreationOrder1764000007000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE record_search_index ADD COLUMN record_created_at varchar(30)');
    for (const [kind, table, idColumn] of RECORD_TABLES) {
      await queryRunner.query(
        `UPDATE record_search_index SET record_created_at = ` +
          `(SELECT created_at FROM ${table} WHERE ${table}.${idColumn} = record_search_index.record_id) WHERE kind = '${kind}'`,
      );
    }
    // Rows whose record is gone cannot be listed (the list joins the record) and would only take room on a page.
    await queryRunner.query('DELETE FROM record_search_index WHERE record_created_at IS NULL');
    for (const [name, valueColumn] of VALUE_INDEXES) {
      await queryRunner.query(`DROP INDEX ${name}`);
      await queryRunner.query(
        `CREATE INDEX ${name} ON record_search_index (kind, field_key, ${valueColumn}, record_created_at, record_id)`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [name, valueColumn] of VALUE_INDEXES) {
      await queryRunner.query(`DROP INDEX ${name}`);
      await queryRunner.query(`CREATE INDEX ${name} ON record_search_index (kind, field_key, ${valueColumn}, record_id)`);
    }
    await queryRunner.query('ALTER TABLE record_search_index DROP COLUMN record_created_at');
  }
}
