import { QueryRunner, TableColumnOptions } from 'typeorm';

/** Column builders that mean the same on SQLite and PostgreSQL. Timestamps are ISO-8601 UTC strings. */
export const col = {
  id: (name = 'id', length = 64): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isPrimary: true }),
  string: (name: string, length = 255, nullable = false): TableColumnOptions => ({
    name,
    type: 'varchar',
    length: String(length),
    isNullable: nullable,
  }),
  text: (name: string, nullable = false): TableColumnOptions => ({ name, type: 'text', isNullable: nullable }),
  int: (name: string, nullable = false, defaultValue?: number): TableColumnOptions => ({
    name,
    type: 'integer',
    isNullable: nullable,
    default: defaultValue,
  }),
  bool: (name: string, defaultValue: boolean): TableColumnOptions => ({
    name,
    type: 'boolean',
    isNullable: false,
    default: defaultValue ? 'true' : 'false',
  }),
  timestamp: (name: string, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: '30', isNullable: nullable }),
  real: (name: string, nullable = true): TableColumnOptions => ({ name, type: 'double precision', isNullable: nullable }),
};

export function isPostgres(queryRunner: QueryRunner): boolean {
  return queryRunner.connection.options.type === 'postgres';
}
