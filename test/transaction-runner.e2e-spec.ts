import type { DataSource } from 'typeorm';
import { SqlDialect } from '../src/common/records/sql-dialect';
import { TransactionRunner } from '../src/database/transaction-runner';
import { migratedDataSource } from './support/fresh-database';

const CREATED = '2026-11-30T00:00:00.000Z';

describe('TransactionRunner on this engine', () => {
  let dataSource: DataSource;
  let dialect: SqlDialect;
  let transactions: TransactionRunner;
  let close: () => Promise<void>;

  const versionOf = async (uuid: string): Promise<number | null> => {
    const rows = await dialect.query<{ version: number }>(dataSource, 'SELECT version FROM profiles WHERE uuid = ?', [uuid]);
    return rows[0] ? Number(rows[0].version) : null;
  };
  const bumpVersion = (uuid: string) =>
    transactions.run(async (manager) => {
      const [row] = await dialect.query<{ version: number }>(manager, `SELECT version FROM profiles WHERE uuid = ?${dialect.forUpdate}`, [
        uuid,
      ]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      await dialect.query(manager, 'UPDATE profiles SET version = ? WHERE uuid = ?', [Number(row!.version) + 1, uuid]);
    });

  beforeAll(async () => {
    ({ dataSource, close } = await migratedDataSource());
    dialect = new SqlDialect(dataSource);
    transactions = new TransactionRunner(dataSource);
    await dialect.query(dataSource, 'INSERT INTO profiles (uuid, fields, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', [
      'counter',
      '{}',
      1,
      CREATED,
      CREATED,
    ]);
  });
  afterAll(async () => {
    await close?.();
  });

  it('runs overlapping read-modify-write transactions without losing an update', async () => {
    await Promise.all(Array.from({ length: 5 }, () => bumpVersion('counter')));
    expect(await versionOf('counter')).toBe(6);
  });

  it('rolls back everything a failing unit of work wrote, and commits the next one', async () => {
    const failed = transactions.run(async (manager) => {
      await dialect.query(manager, 'INSERT INTO profiles (uuid, fields, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', [
        'half-written',
        '{}',
        1,
        CREATED,
        CREATED,
      ]);
      throw new Error('the work failed');
    });
    await expect(failed).rejects.toThrow('the work failed');
    expect(await versionOf('half-written')).toBeNull();
    await bumpVersion('counter');
    expect(await versionOf('counter')).toBe(7);
  });

  it('keeps working after a statement failed inside a transaction', async () => {
    const failed = transactions.run((manager) => dialect.query(manager, 'SELECT * FROM no_such_table'));
    await expect(failed).rejects.toThrow();
    await bumpVersion('counter');
    expect(await versionOf('counter')).toBe(8);
  });
});
