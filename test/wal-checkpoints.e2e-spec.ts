import { statSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { DataSource } from 'typeorm';
import { WalCheckpoints } from '../src/database/wal-checkpoints';
import { startTestApp, TestApp } from './support/test-app';

async function eventually(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function importProfiles(t: TestApp, from: number, count: number): Promise<void> {
  const lines = Array.from({ length: count }, (_, i) =>
    JSON.stringify({ uuid: `wal-${from + i}`, fields: { note: `profile ${from + i} `.repeat(40) } }),
  );
  const answer = await t.request('POST', '/v1/profiles:import', { raw: lines.join('\n'), contentType: 'application/x-ndjson' });
  expect({ status: answer.status, totals: answer.body.totals ?? answer.body }).toMatchObject({
    status: 200,
    totals: { created: count, invalid: 0 },
  });
}

describe('WAL checkpoints on SQLite, off the event loop', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await startTestApp();
    const field = await t.request('POST', '/v1/admin/fields/profile', { body: { key: 'note', label: 'Note', type: 'text' } });
    expect(field.status).toBe(201);
  });
  afterEach(async () => {
    await t.close();
  });

  const autocheckpointPages = async (): Promise<number> =>
    ((await t.app.get(DataSource).query('PRAGMA wal_autocheckpoint')) as Array<{ wal_autocheckpoint: number }>)[0]!.wal_autocheckpoint;

  it('copies committed writes into the database file from a worker while the app connection never checkpoints', async () => {
    const checkpoints = t.app.get(WalCheckpoints);
    if (t.engine === 'postgres') {
      expect(checkpoints.running).toBe(false);
      return;
    }
    expect(checkpoints.running).toBe(true);
    expect(await autocheckpointPages()).toBe(0);
    const databaseFile = t.databaseEnv.SQLITE_PATH!;
    const before = statSync(databaseFile).size;
    await importProfiles(t, 0, 1500);
    // Only a checkpoint grows the database file; the app connection's own checkpoints are off.
    await eventually(() => statSync(databaseFile).size > before + 1_000_000);
    expect((await t.request('GET', '/v1/profiles/wal-1499')).status).toBe(200);
  }, 30_000);

  it('keeps the log from growing with the database under a steady stream of writes: the log starts over', async () => {
    if (t.engine === 'postgres') return;
    const databaseFile = t.databaseEnv.SQLITE_PATH!;
    let largestLog = 0;
    for (let batch = 0; batch < 24; batch++) {
      await importProfiles(t, batch * 1500, 1500);
      largestLog = Math.max(largestLog, statSync(`${databaseFile}-wal`).size);
    }
    // Every page of the database went through the log at least once: a log that never started over would be larger.
    await eventually(() => statSync(databaseFile).size > 40_000_000);
    expect(largestLog).toBeLessThan(statSync(databaseFile).size * 0.75);
  }, 120_000);

  it('lets the app connection checkpoint by itself again when the worker stops', async () => {
    if (t.engine === 'postgres') return;
    const checkpoints = t.app.get(WalCheckpoints);
    await (checkpoints as unknown as { worker: Worker }).worker.terminate();
    await eventually(() => !checkpoints.running);
    expect(await autocheckpointPages()).toBe(1000);
    await importProfiles(t, 0, 300);
    expect((await t.request('GET', '/v1/profiles/wal-299')).status).toBe(200);
  }, 30_000);
});
