import type { EntityManager } from 'typeorm';

export interface SqlResult<T> {
  rows: T[];
  affected: number;
}

/**
 * Runs SQL written with `?` placeholders on SQLite or PostgreSQL and answers both the rows and
 * the affected-row count (which TypeORM's plain `query` hides on one engine or the other).
 * Conditional upserts (lease, item state) need the count and have no portable QueryBuilder form.
 */
export async function runSql<T = Record<string, unknown>>(
  manager: EntityManager,
  sql: string,
  parameters: unknown[] = [],
): Promise<SqlResult<T>> {
  const postgres = manager.connection.options.type === 'postgres';
  let position = 0;
  const text = postgres ? sql.replace(/\?/g, () => `$${++position}`) : sql;
  const owned = manager.queryRunner === undefined && postgres;
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  try {
    const result = await runner.query(text, parameters, true);
    return { rows: (result.records ?? []) as T[], affected: result.affected ?? 0 };
  } finally {
    if (owned) await runner.release();
  }
}

/** SQLite answers booleans as 0/1, PostgreSQL as true/false. */
export function toBoolean(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't';
}

/** PostgreSQL answers COUNT(*) as a string. */
export function toCount(value: unknown): number {
  return typeof value === 'number' ? value : Number(value ?? 0);
}
