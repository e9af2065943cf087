import { DataSource } from 'typeorm';
import { runToEnd } from './support/sync-runs';
import { AppWithUpstream, startAppWithSimulator } from './support/upstream';

const LARGE = 10_000;
/** The behaviour tests need fewer users; the 10,000-user run proves scale. */
const USERS = 1_000;
const WEBHOOK_SECRET = 'user-jobs-webhook-secret-0123456789';

async function importKnownUsers(env: AppWithUpstream, count: number): Promise<void> {
  const lines = Array.from({ length: count }, (_, i) => JSON.stringify({ uuid: `user-${i + 1}`, fields: {} })).join('\n');
  const answer = await env.t.request('POST', '/v1/profiles:import', { raw: lines, contentType: 'application/x-ndjson' });
  expect(answer.body.totals.created).toBe(count);
}

async function recordOf(env: AppWithUpstream, uuid: string, lpId: string): Promise<any> {
  return (await env.t.request('GET', `/v1/profiles/${uuid}/trainings/${lpId}`)).body;
}

function startEnv(): Promise<AppWithUpstream> {
  return startAppWithSimulator({
    SYNC_MAX_RPS: '100000',
    SYNC_CONCURRENCY: '8',
    OPIGNO_WEBHOOK_SECRET: WEBHOOK_SECRET,
    SYNC_BACKOFF_BASE_MS: '50',
    SYNC_BACKOFF_MAX_MS: '200',
  });
}

describe(`a full progress sync of ${LARGE} users`, () => {
  let env: AppWithUpstream;

  beforeAll(async () => {
    env = await startEnv();
    env.sim.store.generate({ users: LARGE, learningPaths: 20, progressPerUser: 3 });
    await importKnownUsers(env, LARGE);
  }, 60_000);
  afterAll(async () => {
    await env.close();
  });

  it('completes with correct counts, the records match the upstream, and an incremental run right after visits nobody', async () => {
    const run = await runToEnd(env.t, { job: 'progress', mode: 'full' }, 120_000);
    expect(run.status).toBe('succeeded');
    expect(run.counts).toMatchObject({ total: LARGE, added: LARGE, updated: 0, unchanged: 0, failed: 0 });
    for (const uuid of ['user-1', 'user-777', `user-${LARGE}`]) {
      for (const upstream of env.sim.store.listProgress(uuid)) {
        expect(await recordOf(env, uuid, upstream.lpId)).toMatchObject({
          status: upstream.status.toLowerCase(),
          progress: upstream.progress,
          score: upstream.score,
        });
      }
    }
    const incremental = await runToEnd(env.t, { job: 'progress', mode: 'incremental' });
    expect(incremental.counts.total).toBe(0);
  }, 180_000);
});

describe('per-user sync jobs: progress, contexts, retry-pending', () => {
  let env: AppWithUpstream;

  beforeAll(async () => {
    env = await startEnv();
    env.sim.store.generate({ users: USERS, learningPaths: 20, progressPerUser: 3 });
    env.sim.setWebhook({ url: `${env.t.url}/v1/webhooks/opigno`, secret: WEBHOOK_SECRET });
    await importKnownUsers(env, USERS);
  }, 60_000);
  afterAll(async () => {
    await env.close();
  });
  afterEach(() => env.sim.healFaults());

  it(`syncs the progress of ${USERS} users with correct counts, and the records match the upstream`, async () => {
    const run = await runToEnd(env.t, { job: 'progress', mode: 'full' });
    expect(run.status).toBe('succeeded');
    expect(run.counts).toMatchObject({ total: USERS, added: USERS, updated: 0, unchanged: 0, failed: 0 });
    for (const uuid of ['user-1', 'user-777', `user-${USERS}`]) {
      for (const upstream of env.sim.store.listProgress(uuid)) {
        expect(await recordOf(env, uuid, upstream.lpId)).toMatchObject({
          status: upstream.status.toLowerCase(),
          progress: upstream.progress,
          score: upstream.score,
        });
      }
    }
  }, 120_000);

  it('visits nobody in an incremental run right after', async () => {
    const run = await runToEnd(env.t, { job: 'progress', mode: 'incremental' });
    expect(run.status).toBe('succeeded');
    expect(run.counts.total).toBe(0);
  }, 60_000);

  it('reports 100 updates in a dry run after 100 users changed upstream, writing nothing', async () => {
    const changed = Array.from({ length: 100 }, (_, i) => `user-${i * 9 + 1}`);
    for (const uuid of changed) {
      const [first] = env.sim.store.listProgress(uuid);
      env.sim.store.setProgress(uuid, first!.lpId, { status: 'FAILED', progress: 100, score: 3 });
    }
    const before = await env.t.app.get(DataSource).query('SELECT * FROM training_records ORDER BY id');
    const run = await runToEnd(env.t, { job: 'progress', mode: 'full', dryRun: true }, 120_000);
    expect(run.status).toBe('succeeded');
    expect(run.counts).toMatchObject({ total: USERS, updated: 100, unchanged: USERS - 100, failed: 0 });
    const after = await env.t.app.get(DataSource).query('SELECT * FROM training_records ORDER BY id');
    expect(after).toEqual(before);
    const applied = await runToEnd(env.t, { job: 'progress', mode: 'full' }, 120_000);
    expect(applied.counts).toMatchObject({ updated: 100, unchanged: USERS - 100 });
  }, 240_000);

  it('refreshes a user at once on a webhook and marks them for the next incremental run', async () => {
    const uuid = 'user-42';
    const [first] = env.sim.store.listProgress(uuid);
    env.sim.store.setProgress(uuid, first!.lpId, { status: 'PASSED', progress: 100, score: 99 });
    expect(await env.sim.sendWebhook('USER_COMPLETED_TRAINING', { uuid, lpId: first!.lpId })).toBe(202);
    const deadline = Date.now() + 5000;
    while ((await recordOf(env, uuid, first!.lpId)).status !== 'passed' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(await recordOf(env, uuid, first!.lpId)).toMatchObject({ status: 'passed', score: 99 });
    const run = await runToEnd(env.t, { job: 'progress', mode: 'incremental' });
    expect(run.counts.total).toBe(1);
  });

  it('completes at 30% upstream errors, lists the failed users, and retries them next time', async () => {
    const users = Array.from({ length: 300 }, (_, i) => `user-${i + 1}`);
    for (const uuid of users) {
      const [first] = env.sim.store.listProgress(uuid);
      env.sim.store.setProgress(uuid, first!.lpId, { progress: 55 });
    }
    env.sim.setFaults({ errorRate: 0.3 });
    const faulty = await runToEnd(env.t, { job: 'progress', mode: 'full' }, 180_000);
    env.sim.healFaults();
    expect(faulty.status).toBe('succeeded');
    const failed = faulty.counts.failed as number;
    expect(faulty.counts.total).toBe(USERS);
    expect(faulty.errors.length).toBe(Math.min(failed, 100));
    const retry = await runToEnd(env.t, { job: 'progress', mode: 'incremental' }, 120_000);
    expect(retry.counts.total).toBe(failed);
    expect(retry.counts.failed).toBe(0);
    for (const uuid of users.slice(0, 20)) {
      const [first] = env.sim.store.listProgress(uuid);
      expect((await recordOf(env, uuid, first!.lpId)).progress).toBe(55);
    }
  }, 240_000);

  it('updates user-context links from the upstream and notices deactivated and vanished users', async () => {
    const { t, sim } = env;
    await t.request('POST', '/v1/user-contexts', { body: { uuid: 'ctx-sync-1', displayName: 'Before' } });
    await t.request('POST', '/v1/user-contexts', { body: { uuid: 'ctx-sync-2', displayName: 'Gone soon' } });
    sim.store.upsertUser({ uuid: 'ctx-sync-1', displayName: 'After', isActive: false });
    sim.store.removeUser('ctx-sync-2');
    const run = await runToEnd(t, { job: 'contexts', mode: 'full' }, 120_000);
    expect(run.status).toBe('succeeded');
    expect(run.counts.updated).toBeGreaterThanOrEqual(2);
    const links = await t.app
      .get(DataSource)
      .query(
        `SELECT uuid, display_name, is_active, missing_upstream_at FROM user_context_links WHERE uuid IN ('ctx-sync-1', 'ctx-sync-2') ORDER BY uuid`,
      );
    expect(links[0]).toMatchObject({ uuid: 'ctx-sync-1', display_name: 'After' });
    expect(Boolean(links[0].is_active)).toBe(false);
    expect(links[1].missing_upstream_at).toEqual(expect.any(String));
  }, 180_000);

  it('retries a failed upstream deactivation from an identify with the retry-pending job', async () => {
    const { t, sim } = env;
    const anon = (await t.request('POST', '/v1/user-contexts', { body: { anonymous: true } })).body.uuid;
    await t.request('PUT', `/v1/profiles/${anon}`, { body: { fields: {} } });
    sim.setFaults({ errorRate: 1 });
    const identified = await t.request('POST', '/v1/identify', { body: { anonymousId: anon, userId: 'user-5' } });
    expect(identified.body.upstream.pendingRetry).toBe(true);
    sim.healFaults();
    await new Promise((r) => setTimeout(r, 600)); // circuit reset
    const dry = await runToEnd(t, { job: 'retry-pending', mode: 'full', dryRun: true });
    expect(dry.counts).toMatchObject({ total: 1, updated: 1 });
    expect(sim.store.getUser(anon)!.isActive).toBe(true);
    const run = await runToEnd(t, { job: 'retry-pending', mode: 'full' });
    expect(run.counts).toMatchObject({ total: 1, updated: 1, failed: 0 });
    expect(sim.store.getUser(anon)!.isActive).toBe(false);
    const again = await runToEnd(t, { job: 'retry-pending', mode: 'full' });
    expect(again.counts.total).toBe(0);
  }, 60_000);
});
