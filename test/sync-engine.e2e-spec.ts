import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SyncLease } from '../src/sync/sync-lease.entity';
import { SyncRunItem } from '../src/sync/sync-run-item.entity';
import { SyncRun } from '../src/sync/sync-run.entity';
import { LearningPath } from '../src/trainings/learning-paths/learning-path.entity';
import { RunningSimulator, startSimulator } from '../src/simulator/simulator';
import { startTestApp, startTestAppSharing, TestApp } from './support/test-app';
import { runToEnd, startRun, waitForRun } from './support/sync-runs';

const CLIENT_KEY = 'companion-sync';
const CLIENT_SECRET = `sync-secret-${randomBytes(12).toString('hex')}`;
jest.setTimeout(120_000);

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function syncEnv(sim: RunningSimulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    OPIGNO_BASE_URL: sim.url,
    OPIGNO_CLIENT_KEY: CLIENT_KEY,
    OPIGNO_CLIENT_SECRET: CLIENT_SECRET,
    OPIGNO_TIMEOUT_MS: '5000',
    SYNC_LEASE_MS: '2000',
    SYNC_BACKOFF_BASE_MS: '20',
    SYNC_BACKOFF_MAX_MS: '200',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

async function localPaths(t: TestApp): Promise<Array<Pick<LearningPath, 'lpId' | 'title' | 'syncedAt' | 'removedAt'>>> {
  const rows = await t.app
    .get(DataSource)
    .getRepository(LearningPath)
    .find({ order: { lpId: 'ASC' } });
  return rows.map(({ lpId, title, syncedAt, removedAt }) => ({ lpId, title, syncedAt, removedAt }));
}

async function listAllPaths(t: TestApp, query: string): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const answer: { status: number; body: { items: Array<{ lpId: string }>; nextCursor: string | null } } = await t.request(
      'GET',
      `/v1/learning-paths?limit=200${query}${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(answer.status).toBe(200);
    seen.push(...answer.body.items.map((item) => item.lpId));
    cursor = answer.body.nextCursor;
  } while (cursor);
  return seen;
}

describe('sync engine: the trainings catalogue job', () => {
  let sim: RunningSimulator;
  let t: TestApp;

  beforeAll(async () => {
    sim = await startSimulator({ clientKey: CLIENT_KEY, clientSecret: CLIENT_SECRET, generate: { users: 0, learningPaths: 1000 } });
    t = await startTestApp(syncEnv(sim));
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  it('copies a 1,000-path catalogue with exact counts', async () => {
    const started = await startRun(t, { job: 'trainings', mode: 'full' });
    expect(started).toMatchObject({ job: 'trainings', mode: 'full', dryRun: false, status: 'running', resumeCount: 0 });
    const run = await waitForRun(t, started.id);
    expect(run).toMatchObject({ status: 'succeeded', total: 1000, scanned: 1000, listingComplete: true, errors: [] });
    expect(run.counts).toEqual({ total: 1000, added: 1000, updated: 0, unchanged: 0, skipped: 0, failed: 0, removed: 0 });
    const paths = await localPaths(t);
    expect(paths).toHaveLength(1000);
    const upstream = sim.store.getLearningPath('42')!;
    const local = await t.request('GET', '/v1/learning-paths/42');
    expect(local.body).toMatchObject({
      lpId: '42',
      title: upstream.title,
      certificationEnabled: upstream.certificationEnabled,
      removedAt: null,
    });
  });

  it('visits nobody in an incremental run right after: every key is clean', async () => {
    const run = await runToEnd(t, { job: 'trainings' });
    expect(run).toMatchObject({ status: 'succeeded', mode: 'incremental', total: 1000, scanned: 1000 });
    expect(run.counts.total).toBe(0);
  });

  it('reports every path unchanged in a full run when nothing changed upstream', async () => {
    const run = await runToEnd(t, { job: 'trainings', mode: 'full' });
    expect(run.counts).toEqual({ total: 1000, added: 0, updated: 0, unchanged: 1000, skipped: 0, failed: 0, removed: 0 });
  });

  it('reports 100 updates in a dry run after 100 upstream renames, and writes nothing', async () => {
    for (let n = 1; n <= 100; n++) sim.store.addLearningPath({ id: String(n), title: `Renamed ${n}` });
    const dataSource = t.app.get(DataSource);
    const pathsBefore = await localPaths(t);
    const statesBefore = await dataSource.query('SELECT * FROM sync_item_state ORDER BY "key"');
    const run = await runToEnd(t, { job: 'trainings', mode: 'full', dryRun: true });
    expect(run).toMatchObject({ status: 'succeeded', dryRun: true });
    expect(run.counts).toEqual({ total: 1000, added: 0, updated: 100, unchanged: 900, skipped: 0, failed: 0, removed: 0 });
    expect(await localPaths(t)).toEqual(pathsBefore);
    expect(await dataSource.query('SELECT * FROM sync_item_state ORDER BY "key"')).toEqual(statesBefore);
  });

  it('applies the renames in a real full run, then marks paths gone from the catalogue as removed', async () => {
    const applied = await runToEnd(t, { job: 'trainings', mode: 'full' });
    expect(applied.counts).toMatchObject({ updated: 100, unchanged: 900, removed: 0 });
    expect((await t.request('GET', '/v1/learning-paths/7')).body.title).toBe('Renamed 7');

    sim.store.clear();
    sim.store.generate({ users: 0, learningPaths: 990 });
    const swept = await runToEnd(t, { job: 'trainings', mode: 'full' });
    expect(swept.counts).toEqual({ total: 990, added: 0, updated: 100, unchanged: 890, skipped: 0, failed: 0, removed: 10 });
    const gone = await t.request('GET', '/v1/learning-paths/995');
    expect(gone.status).toBe(200);
    expect(gone.body.removedAt).not.toBeNull();
    const listed = await listAllPaths(t, '');
    expect(listed).toHaveLength(990);
    expect(listed).not.toContain('995');
    const withRemoved = await listAllPaths(t, '&includeRemoved=true');
    expect(withRemoved).toHaveLength(1000);
    expect(withRemoved).toContain('995');

    // A removed path that comes back is updated, not added.
    sim.store.addLearningPath({ id: '995', title: 'Back again' });
    const back = await runToEnd(t, { job: 'trainings' });
    expect(back.counts).toMatchObject({ total: 1, added: 0, updated: 1 });
    expect((await t.request('GET', '/v1/learning-paths/995')).body).toMatchObject({ title: 'Back again', removedAt: null });
  });

  it('pages the learning-path list by lpId and answers 404 problem+json for an unknown path', async () => {
    const seen = await listAllPaths(t, '');
    expect(new Set(seen).size).toBe(991);
    expect([...seen].sort()).toEqual(seen);
    expect((await t.request('GET', '/v1/learning-paths?cursor=bogus')).body.code).toBe('invalid_cursor');
    const missing = await t.request('GET', '/v1/learning-paths/nope');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    expect(missing.body.code).toBe('learning_path_not_found');
  });

  it('lets a service key read learning paths but not start runs; a sync key may start them', async () => {
    const serviceKey = await t.createKey('service');
    expect((await t.request('GET', '/v1/learning-paths/1', { key: serviceKey })).status).toBe(200);
    expect((await t.request('POST', '/v1/admin/sync-runs', { key: serviceKey, body: { job: 'trainings' } })).status).toBe(403);
    const syncKey = await t.createKey('sync');
    const started = await t.request('POST', '/v1/admin/sync-runs', { key: syncKey, body: { job: 'trainings' } });
    expect(started.status).toBe(202);
    await waitForRun(t, started.body.id);
  });

  it('answers 422 for an unknown job or mode', async () => {
    const unknown = await t.request('POST', '/v1/admin/sync-runs', { body: { job: 'nope' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('unknown_sync_job');
    const badMode = await t.request('POST', '/v1/admin/sync-runs', { body: { job: 'trainings', mode: 'sometimes' } });
    expect(badMode.status).toBe(422);
  });

  it('answers 409 sync_already_running with the running run id, shows live counts, and cancels after in-flight items', async () => {
    sim.setFaults({ latencyMs: 150 });
    try {
      const first = await startRun(t, { job: 'trainings', mode: 'full' });
      const second = await t.request('POST', '/v1/admin/sync-runs', { body: { job: 'trainings', mode: 'full' } });
      expect(second.status).toBe(409);
      expect(second.headers.get('content-type')).toContain('application/problem+json');
      expect(second.body).toMatchObject({ code: 'sync_already_running', runId: first.id });

      let live: any;
      for (let i = 0; i < 200; i++) {
        live = (await t.request('GET', `/v1/admin/sync-runs/${first.id}`)).body;
        if (live.counts.total >= 200) break;
        await pause(25);
      }
      expect(live.status).toBe('running');
      expect(live.counts.total).toBeGreaterThanOrEqual(200);
      expect(live.counts.total).toBeLessThan(991);

      const cancel = await t.request('POST', `/v1/admin/sync-runs/${first.id}/cancel`);
      expect(cancel.status).toBe(202);
      const ended = await waitForRun(t, first.id);
      expect(ended.status).toBe('cancelled');
      expect(ended.counts.total).toBeLessThan(991);
      const again = await t.request('POST', `/v1/admin/sync-runs/${first.id}/cancel`);
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('sync_run_not_running');

      // A cancelled run is over: the next start is a new run.
      const next = await startRun(t, { job: 'trainings', mode: 'full' });
      expect(next.id).not.toBe(first.id);
      await t.request('POST', `/v1/admin/sync-runs/${next.id}/cancel`);
      await waitForRun(t, next.id);
    } finally {
      sim.healFaults();
    }
  });

  it('lists runs newest first, filtered and paginated', async () => {
    const all = await t.request('GET', '/v1/admin/sync-runs?job=trainings&limit=3');
    expect(all.status).toBe(200);
    expect(all.body.items).toHaveLength(3);
    const startedAt = all.body.items.map((r: { startedAt: string }) => r.startedAt);
    expect([...startedAt].sort().reverse()).toEqual(startedAt);
    const next = await t.request('GET', `/v1/admin/sync-runs?job=trainings&limit=3&cursor=${all.body.nextCursor}`);
    expect(next.body.items[0].startedAt <= startedAt[2]).toBe(true);
    expect(next.body.items.map((r: { id: string }) => r.id)).not.toContain(all.body.items[2].id);
    const cancelled = await t.request('GET', '/v1/admin/sync-runs?status=cancelled');
    expect(cancelled.body.items.length).toBeGreaterThanOrEqual(2);
    expect(cancelled.body.items.every((r: { status: string }) => r.status === 'cancelled')).toBe(true);
    expect((await t.request('GET', '/v1/admin/sync-runs?status=bogus')).status).toBe(422);
    expect((await t.request('GET', '/v1/admin/sync-runs/nope')).body.code).toBe('sync_run_not_found');
  });
});

describe('sync engine: lease takeover', () => {
  let sim: RunningSimulator;
  let t: TestApp;

  beforeAll(async () => {
    sim = await startSimulator({ clientKey: CLIENT_KEY, clientSecret: CLIENT_SECRET, generate: { users: 0, learningPaths: 1000 } });
    t = await startTestApp(syncEnv(sim));
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  /** The state a holder leaves when it dies after recording 150 items: a running run, its items and writes, its lease. */
  async function leaveDeadHolder(leaseExpiresAt: string): Promise<string> {
    const dataSource = t.app.get(DataSource);
    const runId = `dead-run-${randomBytes(4).toString('hex')}`;
    const now = new Date().toISOString();
    await dataSource.getRepository(SyncRun).insert({
      id: runId,
      job: 'trainings',
      mode: 'full',
      dryRun: false,
      status: 'running',
      triggeredBy: 'cli',
      scheduleSlot: null,
      startedAt: now,
      finishedAt: null,
      heartbeatAt: now,
      resumedAt: null,
      resumeCount: 0,
      cancelRequested: false,
      total: 1000,
      scanned: 100,
      checkpoint: null,
      countAdded: 0,
      countUpdated: 0,
      countUnchanged: 0,
      countFailed: 0,
      countSkipped: 0,
      countRemoved: 0,
      errorMessage: null,
    });
    const keys = sim.store
      .listLearningPaths()
      .slice(0, 150)
      .map((p) => p.id);
    await dataSource
      .getRepository(SyncRunItem)
      .insert(keys.map((key) => ({ runId, key, outcome: 'added' as const, errorCode: null, errorMessage: null, recordedAt: now })));
    await dataSource.getRepository(LearningPath).upsert(
      keys.map((key) => {
        const upstream = sim.store.getLearningPath(key)!;
        return { lpId: key, title: upstream.title, certificationEnabled: upstream.certificationEnabled, syncedAt: now, removedAt: null };
      }),
      { conflictPaths: ['lpId'] },
    );
    await dataSource.getRepository(SyncLease).insert({ job: 'trainings', runId, holder: 'dead-host:1:gone', expiresAt: leaseExpiresAt });
    return runId;
  }

  it('refuses to start while a dead holder’s lease is still valid, then resumes its run once it expired, without double counting', async () => {
    const runId = await leaveDeadHolder(new Date(Date.now() + 1500).toISOString());
    const refused = await t.request('POST', '/v1/admin/sync-runs', { body: { job: 'trainings' } });
    expect(refused.status).toBe(409);
    expect(refused.body.runId).toBe(runId);

    await pause(1600);
    const resumed = await startRun(t, { job: 'trainings', mode: 'incremental' });
    expect(resumed).toMatchObject({ id: runId, status: 'running', mode: 'full', resumeCount: 1 });
    expect(resumed.resumedAt).not.toBeNull();
    const run = await waitForRun(t, runId);
    expect(run.status).toBe('succeeded');
    expect(run.counts).toEqual({ total: 1000, added: 1000, updated: 0, unchanged: 0, skipped: 0, failed: 0, removed: 0 });
    const dataSource = t.app.get(DataSource);
    expect(await dataSource.getRepository(SyncRunItem).countBy({ runId })).toBe(1000);
    expect(await dataSource.getRepository(LearningPath).count()).toBe(1000);
    expect(await dataSource.getRepository(SyncLease).countBy({ job: 'trainings' })).toBe(0);
  });

  it('cancels a dead holder’s run at once, and the next start is a new run', async () => {
    const runId = await leaveDeadHolder(new Date(Date.now() - 1000).toISOString());
    const cancelled = await t.request('POST', `/v1/admin/sync-runs/${runId}/cancel`);
    expect(cancelled.status).toBe(202);
    expect(cancelled.body).toMatchObject({ id: runId, status: 'cancelled', cancelRequested: true });
    expect(cancelled.body.counts).toMatchObject({ total: 150, added: 150 });
    const next = await startRun(t, { job: 'trainings' });
    expect(next.id).not.toBe(runId);
    expect((await waitForRun(t, next.id)).status).toBe('succeeded');
  });
});

describe('sync engine: retention and graceful shutdown', () => {
  let sim: RunningSimulator;
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    sim = await startSimulator({ clientKey: CLIENT_KEY, clientSecret: CLIENT_SECRET, generate: { users: 0, learningPaths: 500 } });
    const env = syncEnv(sim, { SYNC_RUN_RETENTION: '2' });
    first = await startTestApp(env);
    second = await startTestAppSharing(first, env);
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await sim?.close();
  });

  it('leaves a run resumable at once when its instance shuts down, and the other instance finishes it exactly', async () => {
    sim.setFaults({ latencyMs: 100 });
    const started = await startRun(first, { job: 'trainings', mode: 'full' });
    for (;;) {
      const live = (await first.request('GET', `/v1/admin/sync-runs/${started.id}`)).body;
      if (live.counts.total >= 100) break;
      await pause(20);
    }
    await first.app.close();
    sim.healFaults();
    const resumed = await startRun(second, { job: 'trainings' });
    expect(resumed).toMatchObject({ id: started.id, resumeCount: 1, status: 'running' });
    const run = await waitForRun(second, started.id);
    expect(run.counts).toEqual({ total: 500, added: 500, updated: 0, unchanged: 0, skipped: 0, failed: 0, removed: 0 });
  });

  it('keeps per-item records of the newest runs only, and the counts of every run', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await runToEnd(second, { job: 'trainings', mode: 'full' })).id);
    const items = second.app.get(DataSource).getRepository(SyncRunItem);
    expect(await items.countBy({ runId: ids[2] })).toBe(500);
    expect(await items.countBy({ runId: ids[1] })).toBe(500);
    expect(await items.countBy({ runId: ids[0] })).toBe(0);
    const oldest = (await second.request('GET', `/v1/admin/sync-runs/${ids[0]}`)).body;
    expect(oldest.counts).toMatchObject({ total: 500, unchanged: 500 });
  });
});
