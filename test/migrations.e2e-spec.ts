import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import { allMigrations } from '../src/database/migrations';
import { freshDatabase } from './support/fresh-database';

async function tableNames(dataSource: DataSource): Promise<string[]> {
  const rows: Array<{ name: string }> =
    dataSource.options.type === 'postgres'
      ? await dataSource.query(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'`)
      : await dataSource.query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`);
  return rows.map((r) => r.name).sort();
}

describe('migrations', () => {
  it('run up, revert all the way down, and run up again on this engine', async () => {
    const { config, drop } = await freshDatabase();
    const dataSource = new DataSource(buildDataSourceOptions(config));
    try {
      await dataSource.initialize();
      const applied = await dataSource.runMigrations();
      expect(applied).toHaveLength(allMigrations.length);
      const tables = await tableNames(dataSource);
      expect(tables).toEqual(
        expect.arrayContaining(['api_keys', 'profiles', 'trainings', 'training_records', 'sync_runs', 'identity_links']),
      );
      for (let i = 0; i < allMigrations.length; i++) await dataSource.undoLastMigration();
      expect((await tableNames(dataSource)).filter((t) => t !== 'migrations')).toEqual([]);
      expect(await dataSource.runMigrations()).toHaveLength(allMigrations.length);
      expect(await tableNames(dataSource)).toEqual(tables);
      expect(await dataSource.showMigrations()).toBe(false);
    } finally {
      if (dataSource.isInitialized) await dataSource.destroy();
      await drop();
    }
  });

  it("gives existing search index rows their record's creation time and drops rows whose record is gone", async () => {
    const { config, drop } = await freshDatabase();
    const before = new DataSource({ ...buildDataSourceOptions(config), migrations: allMigrations.slice(0, -1) });
    const after = new DataSource(buildDataSourceOptions(config));
    const placeholders = (count: number): string =>
      Array.from({ length: count }, (_, i) => (config.engine === 'postgres' ? `$${i + 1}` : '?')).join(', ');
    try {
      await before.initialize();
      await before.runMigrations();
      await before.query(`INSERT INTO profiles (uuid, fields, version, created_at, updated_at) VALUES (${placeholders(5)})`, [
        'kept',
        '{"city":"Oslo"}',
        1,
        '2026-01-02T03:04:05.000Z',
        '2026-02-01T00:00:00.000Z',
      ]);
      for (const recordId of ['kept', 'gone']) {
        await before.query(`INSERT INTO record_search_index (kind, field_key, record_id, value_text) VALUES (${placeholders(4)})`, [
          'profile',
          'city',
          recordId,
          'Oslo',
        ]);
      }
      await before.destroy();

      await after.initialize();
      expect(await after.runMigrations()).toHaveLength(1);
      expect(await after.query('SELECT record_id, record_created_at FROM record_search_index')).toEqual([
        { record_id: 'kept', record_created_at: '2026-01-02T03:04:05.000Z' },
      ]);
    } finally {
      if (before.isInitialized) await before.destroy();
      if (after.isInitialized) await after.destroy();
      await drop();
    }
  });
});
