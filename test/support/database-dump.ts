import { DataSource } from 'typeorm';
import type { TestApp } from './test-app';

/** Every row of every table, as text (to prove a value is stored nowhere). */
export async function dumpAllTables(t: TestApp): Promise<Record<string, string>> {
  const dataSource = t.app.get(DataSource);
  const tables: Array<{ name: string }> =
    t.engine === 'postgres'
      ? await dataSource.query(
          `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
        )
      : await dataSource.query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`);
  const dump: Record<string, string> = {};
  for (const { name } of tables) dump[name] = JSON.stringify(await dataSource.query(`SELECT * FROM "${name}"`));
  return dump;
}
