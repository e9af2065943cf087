import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { DatabaseBusyError, KeyedSelect, SqlDialect } from '../src/common/records/sql-dialect';
import { migratedDataSource } from './support/fresh-database';

describe('SqlDialect hot reads on this engine', () => {
  let dataSource: DataSource;
  let dialect: SqlDialect;
  let close: () => Promise<void>;

  const insertProfile = (uuid: string, version: number): Promise<unknown> =>
    dialect.query(dataSource, 'INSERT INTO profiles (uuid, fields, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', [
      uuid,
      '{}',
      version,
      '2026-11-30T00:00:00.000Z',
      '2026-11-30T00:00:00.000Z',
    ]);
  /** On PostgreSQL, a spy on the pool's queries (restore it after); on SQLite, null. */
  const spyOnPoolQueries = () =>
    dialect.isPostgres
      ? jest.spyOn((dataSource.driver as unknown as { master: { query: (...args: unknown[]) => unknown } }).master, 'query')
      : null;

  beforeAll(async () => {
    ({ dataSource, close } = await migratedDataSource());
    dialect = new SqlDialect(dataSource);
    await insertProfile('p-1', 1);
    await insertProfile('p-2', 2);
    await insertProfile('p-3', 2);
  });
  afterAll(async () => {
    await close?.();
  });

  it('answers keyed reads of many statement texts, each with changing keys, past the named-statement limit', async () => {
    for (let i = 0; i < 40; i++) {
      const select = new KeyedSelect(`SELECT uuid AS id, version, ${i} AS statement FROM profiles`, 'uuid', 'id');
      expect(await dialect.readByKey(select, 'p-1')).toEqual([{ id: 'p-1', version: 1, statement: i }]);
      expect(await dialect.readByKey(select, 'p-2')).toEqual([{ id: 'p-2', version: 2, statement: i }]);
      expect(await dialect.readByKey(select, 'p-4')).toEqual([]);
      const [one, two, none] = await Promise.all(['p-1', 'p-2', 'p-4'].map((key) => dialect.readByKey(select, key)));
      expect([one, two, none]).toEqual([[{ id: 'p-1', version: 1, statement: i }], [{ id: 'p-2', version: 2, statement: i }], []]);
    }
  });

  it('gives each of many reads asked for at once the rows of its own key, in order, the same key to each who asked', async () => {
    const byVersion = new KeyedSelect('SELECT uuid, version FROM profiles', 'version', 'version', 'uuid DESC');
    const keys = ['2', '1', '9', '2'];
    const answers = await Promise.all(keys.map((key) => dialect.readByKey(byVersion, key)));
    expect(answers).toEqual([
      [
        { uuid: 'p-3', version: 2 },
        { uuid: 'p-2', version: 2 },
      ],
      [{ uuid: 'p-1', version: 1 }],
      [],
      [
        { uuid: 'p-3', version: 2 },
        { uuid: 'p-2', version: 2 },
      ],
    ]);
    expect(answers[0]).not.toBe(answers[3]);
  });

  it('matches keys with quotes, commas, braces, backslashes and non-ASCII characters in a batch', async () => {
    const awkward = ['a,b', 'say "hi"', '{x}', 'back\\slash', 'ünï cødé', 'NULL', ''];
    for (const key of awkward) await insertProfile(key, 7);
    const byId = new KeyedSelect('SELECT uuid, version FROM profiles', 'uuid', 'uuid');
    const answers = await Promise.all([...awkward, 'p-1', 'absent'].map((key) => dialect.readByKey(byId, key)));
    expect(answers).toEqual([...awkward.map((uuid) => [{ uuid, version: 7 }]), [{ uuid: 'p-1', version: 1 }], []]);
  });

  it('answers every read of a batch too large for one query, in as few queries as the limit allows on PostgreSQL', async () => {
    const byId = new KeyedSelect('SELECT uuid, version FROM profiles', 'uuid', 'uuid');
    const keys = Array.from({ length: 1200 }, (_, i) => (i % 400 === 0 ? 'p-2' : `missing-${i}`));
    const queries = spyOnPoolQueries();
    const answers = await Promise.all(keys.map((key) => dialect.readByKey(byId, key)));
    expect(answers.filter((rows) => rows.length === 1)).toEqual([
      [{ uuid: 'p-2', version: 2 }],
      [{ uuid: 'p-2', version: 2 }],
      [{ uuid: 'p-2', version: 2 }],
    ]);
    expect(answers.filter((rows) => rows.length === 0)).toHaveLength(1197);
    if (queries) {
      // 1198 distinct keys: 500 + 500 + 198
      expect(queries).toHaveBeenCalledTimes(3);
      queries.mockRestore();
    }
  });

  it('fails every read that shared a failing query, and answers the next ones', async () => {
    const broken = new KeyedSelect('SELECT uuid FROM no_such_table', 'uuid', 'uuid');
    const reads = ['a', 'b', 'a'].map((key) =>
      dialect.readByKey(broken, key).then(
        () => 'answered',
        () => 'failed',
      ),
    );
    expect(await Promise.all(reads)).toEqual(['failed', 'failed', 'failed']);
    const byId = new KeyedSelect('SELECT uuid FROM profiles', 'uuid', 'uuid');
    expect(await Promise.all(['p-1', 'p-2'].map((key) => dialect.readByKey(byId, key)))).toEqual([[{ uuid: 'p-1' }], [{ uuid: 'p-2' }]]);
  });

  it('reads many keys asked for in the same turn of the event loop with one query on PostgreSQL', async () => {
    const byId = new KeyedSelect('SELECT uuid, version FROM profiles', 'uuid', 'uuid');
    const queries = spyOnPoolQueries();
    const answers = await Promise.all(['p-1', 'p-2', 'p-3', 'p-1'].map((key) => dialect.readByKey(byId, key)));
    expect(answers.map((rows) => rows.length)).toEqual([1, 1, 1, 1]);
    if (queries) {
      expect(queries).toHaveBeenCalledTimes(1);
      queries.mockRestore();
    }
  });

  it('gathers the reads asked for while a batch query runs into the next query on PostgreSQL', async () => {
    if (!dialect.isPostgres) return; // SQLite answers each batch at once, with no query in flight
    const slow = new KeyedSelect('SELECT p.uuid, p.version FROM profiles p CROSS JOIN (SELECT pg_sleep(0.1)) AS pause', 'p.uuid', 'uuid');
    const queries = spyOnPoolQueries()!;
    const first = dialect.readByKey(slow, 'p-1');
    await sleep(20); // the first query is running now
    const later = [dialect.readByKey(slow, 'p-2')];
    await sleep(5);
    later.push(dialect.readByKey(slow, 'p-3'), dialect.readByKey(slow, 'absent'));
    expect(await first).toEqual([{ uuid: 'p-1', version: 1 }]);
    expect(await Promise.all(later)).toEqual([[{ uuid: 'p-2', version: 2 }], [{ uuid: 'p-3', version: 2 }], []]);
    expect(queries).toHaveBeenCalledTimes(2);
    expect(queries.mock.calls[1]![0]).toMatchObject({ values: [['p-2', 'p-3', 'absent']] });
    queries.mockRestore();
  });

  it('never answers a keyed read with the rows of a transaction that has not committed, across turns of the event loop', async () => {
    const byId = new KeyedSelect('SELECT uuid, version FROM profiles', 'uuid', 'uuid');
    let read: Promise<unknown[]> | undefined;
    const rolledBack = dataSource
      .transaction(async (manager) => {
        await dialect.query(manager, 'UPDATE profiles SET version = 99 WHERE uuid = ?', ['p-3']);
        read = dialect.readByKey(byId, 'p-3');
        await sleep(30);
        throw new Error('roll back');
      })
      .catch((error: Error) => error.message);
    expect(await rolledBack).toBe('roll back');
    expect(await read).toEqual([{ uuid: 'p-3', version: 2 }]);
  });

  it('fails a keyed read asked for inside the transaction itself with 503 database_busy instead of waiting for ever (SQLite)', async () => {
    const byId = new KeyedSelect('SELECT uuid, version FROM profiles', 'uuid', 'uuid');
    const started = Date.now();
    const outcome = await dataSource
      .transaction(async (manager) => {
        await dialect.query(manager, 'UPDATE profiles SET version = 7 WHERE uuid = ?', ['p-2']);
        return dialect.readByKey(byId, 'p-2');
      })
      .then(
        (rows) => ({ rows }),
        (error: DatabaseBusyError) => ({ error: { kind: error.kind, code: error.code }, after: Date.now() - started }),
      );
    if (dialect.isPostgres) {
      // PostgreSQL reads on another connection: the committed row, and the transaction commits.
      expect(outcome).toEqual({ rows: [{ uuid: 'p-2', version: 2 }] });
      await dialect.query(dataSource, 'UPDATE profiles SET version = 2 WHERE uuid = ?', ['p-2']);
    } else {
      expect(outcome).toMatchObject({ error: { kind: 'unavailable', code: 'database_busy' } });
      expect((outcome as { after: number }).after).toBeGreaterThanOrEqual(1000);
    }
    expect(await dialect.readByKey(byId, 'p-2')).toEqual([{ uuid: 'p-2', version: 2 }]);
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
