import { Worker } from 'node:worker_threads';
import { Client } from 'pg';
import { startTestApp, TestApp } from './support/test-app';

const HOLD_MS = 400;

/**
 * Another process's write transaction, held open for HOLD_MS: on SQLite a second connection in a worker thread (as the
 * sync CLI next to the server is), which holds the database's write lock; on PostgreSQL a second client.
 */
async function holdWriteTransaction(t: TestApp, otherUuid: string): Promise<{ committed: Promise<void> }> {
  if (t.engine === 'postgres') {
    const client = new Client({ connectionString: t.databaseEnv.DATABASE_URL });
    await client.connect();
    await client.query('BEGIN');
    await client.query('UPDATE profiles SET version = version WHERE uuid = $1', [otherUuid]);
    const committed = new Promise<void>((resolve) => setTimeout(resolve, HOLD_MS)).then(async () => {
      await client.query('COMMIT');
      await client.end();
    });
    return { committed };
  }
  const worker = new Worker(
    `
    const { parentPort, workerData } = require('node:worker_threads');
    const Database = require(workerData.driver);
    const db = new Database(workerData.path);
    db.exec('BEGIN IMMEDIATE');
    db.prepare('UPDATE profiles SET version = version WHERE uuid = ?').run(workerData.otherUuid);
    parentPort.postMessage('locked');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.holdMs);
    db.exec('COMMIT');
    db.close();
    parentPort.postMessage('committed');
    `,
    {
      eval: true,
      workerData: { driver: require.resolve('better-sqlite3'), path: t.databaseEnv.SQLITE_PATH, otherUuid, holdMs: HOLD_MS },
    },
  );
  const messages: string[] = [];
  const committed = new Promise<void>((resolve, reject) => {
    worker.on('message', (message: string) => {
      messages.push(message);
      if (message === 'committed') resolve();
    });
    worker.once('error', reject);
  });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  expect(messages).toEqual(['locked']);
  return { committed: committed.finally(() => worker.terminate()) };
}

describe('writes while another process holds a write transaction', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    expect(
      (await t.request('POST', '/v1/admin/fields/profile', { body: { key: 'nickname', label: 'Nickname', type: 'text' } })).status,
    ).toBe(201);
    for (const uuid of ['writer-a', 'writer-b']) {
      expect((await t.request('PUT', `/v1/profiles/${uuid}`, { body: { fields: { nickname: uuid } } })).status).toBe(201);
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it('waits for the other transaction and then applies a read-modify-write patch, instead of answering 500', async () => {
    const other = await holdWriteTransaction(t, 'writer-b');
    const patch = await t.request('PATCH', '/v1/profiles/writer-a', {
      body: { fields: { nickname: 'patched' } },
      headers: { 'if-match': '"1"' },
    });
    await other.committed;
    expect({ status: patch.status, nickname: patch.body.fields?.nickname, version: patch.body.version }).toEqual({
      status: 200,
      nickname: 'patched',
      version: 2,
    });
    const read = await t.request('GET', '/v1/profiles/writer-a');
    expect(read.body).toMatchObject({ fields: { nickname: 'patched' }, version: 2 });
  });
});
