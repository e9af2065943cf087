import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { RunningSimulator, startSimulator } from '../src/simulator/simulator';
import { SyncItemState } from '../src/sync/sync-item-state.entity';
import { SyncRun } from '../src/sync/sync-run.entity';
import { SyncScheduler } from '../src/sync/sync.scheduler';
import { WebhookDelivery } from '../src/sync/webhooks/webhook-delivery.entity';
import { OpignoWebhookEvent, WebhookEvents } from '../src/sync/webhooks/webhook-events';
import { ApiAnswer, startTestApp, startTestAppSharing, TestApp } from './support/test-app';
import { waitForRun } from './support/sync-runs';

jest.setTimeout(120_000);

const CLIENT_KEY = 'companion-webhooks';
const CLIENT_SECRET = `webhooks-secret-${randomBytes(12).toString('hex')}`;
const WEBHOOK_SECRET = `whsec-${randomBytes(16).toString('hex')}`;
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const sign = (body: string, secret = WEBHOOK_SECRET): string => createHmac('sha256', secret).update(body).digest('hex');

function upstreamEnv(sim: RunningSimulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    OPIGNO_BASE_URL: sim.url,
    OPIGNO_CLIENT_KEY: CLIENT_KEY,
    OPIGNO_CLIENT_SECRET: CLIENT_SECRET,
    SYNC_LEASE_MS: '2000',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

async function stateOf(t: TestApp, job: string, key: string): Promise<SyncItemState | null> {
  return t.app.get(DataSource).getRepository(SyncItemState).findOneBy({ job, key });
}

describe('Opigno webhooks', () => {
  let sim: RunningSimulator;
  let t: TestApp;
  const received: OpignoWebhookEvent[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ clientKey: CLIENT_KEY, clientSecret: CLIENT_SECRET, generate: { users: 5, learningPaths: 30 } });
    t = await startTestApp(upstreamEnv(sim, { OPIGNO_WEBHOOK_SECRET: WEBHOOK_SECRET }));
    t.app.get(WebhookEvents).on((event) => {
      received.push(event);
    });
    sim.setWebhook({ url: `${t.url}/v1/webhooks/opigno`, secret: WEBHOOK_SECRET });
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  function post(body: string, signature: string | null): Promise<ApiAnswer> {
    return t.request('POST', '/v1/webhooks/opigno', {
      key: null,
      raw: body,
      headers: signature === null ? {} : { 'X-Opigno-LIP-Signature': signature },
    });
  }

  it('accepts a delivery the simulator signs (202) and marks the user dirty for the next progress run', async () => {
    const status = await sim.sendWebhook('USER_COMPLETED_TRAINING', { uuid: 'user-3', lpId: '7' });
    expect(status).toBe(202);
    const state = await stateOf(t, 'progress', 'user-3');
    expect(state?.dirty).toBeTruthy();
    for (let i = 0; i < 50 && received.length === 0; i++) await pause(10);
    expect(received).toEqual([expect.objectContaining({ event: 'USER_COMPLETED_TRAINING', uuid: 'user-3', lpId: '7' })]);
  });

  it('answers 401 invalid_signature for a wrong or missing signature, and does nothing', async () => {
    const body = JSON.stringify({
      id: randomUUID(),
      event: 'USER_REGISTERED_TO_TRAINING',
      occurredAt: new Date().toISOString(),
      data: { uuid: 'user-4' },
    });
    for (const signature of [sign(body, 'another-secret-of-enough-length'), sign(`${body} `), 'not-hex', null]) {
      const answer = await post(body, signature);
      expect(answer.status).toBe(401);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.body.code).toBe('invalid_signature');
    }
    expect(await stateOf(t, 'progress', 'user-4')).toBeNull();
  });

  it('verifies the exact raw bytes, whitespace included', async () => {
    const body = `{ "id": "${randomUUID()}",\n  "event": "CERTIFICATE_EXPIRED", "data": { "uuid": "user-5" } }`;
    const answer = await post(body, sign(body));
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ duplicate: false, marked: [{ job: 'progress', key: 'user-5' }] });
  });

  it('answers a repeated delivery id 200 {duplicate: true} and does nothing again', async () => {
    const id = randomUUID();
    const body = JSON.stringify({ id, event: 'LEARNING_PATH_NEW_REVISION', occurredAt: new Date().toISOString(), data: { lpId: '12' } });
    const first = await post(body, sign(body));
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ id, event: 'LEARNING_PATH_NEW_REVISION', duplicate: false, marked: [{ job: 'trainings', key: '12' }] });
    const dirtiedAt = (await stateOf(t, 'trainings', '12'))?.dirtiedAt;
    expect(dirtiedAt).toBeTruthy();

    const before = received.length;
    await pause(5);
    const again = await post(body, sign(body));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id, duplicate: true, marked: [] });
    expect((await stateOf(t, 'trainings', '12'))?.dirtiedAt).toBe(dirtiedAt);
    await pause(50);
    expect(received.length).toBe(before);
    const rows = await t.app.get(DataSource).getRepository(WebhookDelivery).findBy({ id });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.processedAt).toBeTruthy();
  });

  it('makes the next incremental trainings run visit exactly the path a new revision was announced for', async () => {
    const full = await t.request('POST', '/v1/admin/sync-runs', { body: { job: 'trainings', mode: 'full' } });
    expect((await waitForRun(t, full.body.id)).counts.total).toBe(30);
    const quiet = await t.request('POST', '/v1/admin/sync-runs', { body: { job: 'trainings' } });
    expect((await waitForRun(t, quiet.body.id)).counts.total).toBe(0);

    sim.store.addLearningPath({ id: '9', title: 'Revised 9' });
    sim.store.addLearningPath({ id: '10', title: 'Revised 10 (no webhook)' });
    expect(await sim.sendWebhook('LEARNING_PATH_NEW_REVISION', { lpId: '9' })).toBe(202);
    const answer = await t.request('POST', '/v1/admin/sync-runs', { body: { job: 'trainings' } });
    const run = await waitForRun(t, answer.body.id);
    expect(run.counts).toMatchObject({ total: 1, updated: 1 });
    expect((await t.request('GET', '/v1/learning-paths/9')).body.title).toBe('Revised 9');
    expect((await stateOf(t, 'trainings', '9'))?.dirty).toBeFalsy();
  });

  it('answers 422 for a signed body that is not a delivery', async () => {
    const body = JSON.stringify({ event: 'USER_COMPLETED_TRAINING', data: { uuid: 'bad uuid with spaces' } });
    const answer = await post(body, sign(body));
    expect(answer.status).toBe(422);
    expect(answer.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['data.uuid', 'id']);
  });

  it('is documented in the OpenAPI document as a public route', async () => {
    const doc = await t.request('GET', '/docs/openapi.json', { key: null });
    const operation = doc.body.paths['/v1/webhooks/opigno'].post;
    expect(operation.security ?? []).toEqual([]);
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '202', '401', '503']));
    expect(doc.body.paths['/v1/admin/sync-runs'].post.responses['409']).toBeDefined();
  });
});

describe('Opigno webhooks without a secret', () => {
  let t: TestApp;
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startSimulator({ clientKey: CLIENT_KEY, clientSecret: CLIENT_SECRET });
    t = await startTestApp(upstreamEnv(sim, { OPIGNO_WEBHOOK_SECRET: '' }));
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  it('answers 503 webhooks_not_configured', async () => {
    const body = JSON.stringify({ id: 'd-1', event: 'USER_COMPLETED_TRAINING', data: { uuid: 'user-1' } });
    const answer = await t.request('POST', '/v1/webhooks/opigno', {
      key: null,
      raw: body,
      headers: { 'X-Opigno-LIP-Signature': sign(body) },
    });
    expect(answer.status).toBe(503);
    expect(answer.body.code).toBe('webhooks_not_configured');
  });
});

describe('sync scheduler across two instances on one database', () => {
  let sim: RunningSimulator;
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    sim = await startSimulator({ clientKey: CLIENT_KEY, clientSecret: CLIENT_SECRET, generate: { users: 0, learningPaths: 300 } });
    // Enabled, but on a cron that never fires during the test: the slots are fired by hand.
    const env = upstreamEnv(sim, { SYNC_SCHEDULER_ENABLED: 'true', SYNC_CRON_TRAININGS: '0 0 1 1 *' });
    first = await startTestApp(env);
    second = await startTestAppSharing(first, env);
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await sim?.close();
  });

  it('runs a schedule slot fired on both instances exactly once', async () => {
    const slot = new Date('2030-01-01T10:15:00.000Z');
    const fired = await Promise.all([
      first.app.get(SyncScheduler).fire('trainings', slot),
      second.app.get(SyncScheduler).fire('trainings', new Date(slot.getTime() + 900)),
    ]);
    const started = fired.filter((run) => run !== null);
    expect(started).toHaveLength(1);
    const run = await waitForRun(first, started[0]!.id);
    expect(run).toMatchObject({ status: 'succeeded', triggeredBy: 'schedule', scheduleSlot: '2030-01-01T10:15:00.000Z', mode: 'full' });

    // A late instance firing the same slot after the run ended still does not run it again.
    expect(await second.app.get(SyncScheduler).fire('trainings', new Date(slot.getTime() + 30_000))).toBeNull();
    const runs = await first.app.get(DataSource).getRepository(SyncRun).findBy({ job: 'trainings' });
    expect(runs).toHaveLength(1);

    // The next slot runs, on whichever instance fires first.
    const next = await second.app.get(SyncScheduler).fire('trainings', new Date(slot.getTime() + 60_000));
    expect(next).not.toBeNull();
    expect((await waitForRun(second, next!.id)).counts).toMatchObject({ total: 300, unchanged: 300 });
  });

  it('registers one cron per job with the scheduler', async () => {
    const { SchedulerRegistry } = await import('@nestjs/schedule');
    const names = [...first.app.get(SchedulerRegistry).getCronJobs().keys()];
    expect(names).toContain('sync:trainings');
  });
});
