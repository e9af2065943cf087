import { DataSource } from 'typeorm';
import { SqlDialect } from '../src/common/records/sql-dialect';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import { freshDatabase } from './support/fresh-database';

describe('SqlDialect hot reads on this engine', () => {
  let dataSource: DataSource;
  let dialect: SqlDialect;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const database = await freshDatabase();
    drop = database.drop;
    dataSource = new DataSource(buildDataSourceOptions(database.config));
    await dataSource.initialize();
    await dataSource.runMigrations();
    dialect = new SqlDialect(dataSource);
    for (const [uuid, version] of [
      ['p-1', 1],
      ['p-2', 2],
    ] as const) {
      await dialect.query(dataSource, 'INSERT INTO profiles (uuid, fields, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', [
        uuid,
        '{}',
        version,
        '2026-11-30T00:00:00.000Z',
        '2026-11-30T00:00:00.000Z',
      ]);
    }
  });
  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await drop?.();
  });

  it('answers keyed reads of many statement texts, each with changing parameters, past the named-statement limit', async () => {
    for (let i = 0; i < 40; i++) {
      const sql = `SELECT uuid AS id, version, ${i} AS statement FROM profiles WHERE uuid = ?`;
      expect(await dialect.readByKey(sql, ['p-1'])).toEqual([{ id: 'p-1', version: 1, statement: i }]);
      expect(await dialect.readByKey(sql, ['p-2'])).toEqual([{ id: 'p-2', version: 2, statement: i }]);
      expect(await dialect.readByKey(sql, ['p-3'])).toEqual([]);
    }
  });

  it('answers reads of more statement texts than it keeps prepared, and again after they were dropped', async () => {
    const sqlNumber = (i: number): string => `SELECT uuid AS id, ${i} AS statement FROM profiles WHERE uuid = ? OR uuid = ? ORDER BY uuid`;
    for (const round of [1, 2]) {
      for (let i = 0; i < 300; i++) {
        expect(await dialect.read(sqlNumber(i), ['p-2', round === 1 ? 'p-1' : 'none'])).toEqual(
          round === 1
            ? [
                { id: 'p-1', statement: i },
                { id: 'p-2', statement: i },
              ]
            : [{ id: 'p-2', statement: i }],
        );
      }
    }
  });
});
