import { randomBytes } from 'node:crypto';
import { OpignoClient } from '../src/opigno/opigno.client';
import { RunningSimulator, startSimulator } from '../src/simulator/simulator';
import type { ListPageOptions, SyncJob, WorkItem, WorkPage } from '../src/sync/sync-job';
import { SyncJobRegistry } from '../src/sync/sync-job.registry';
import { startTestApp, TestApp } from './support/test-app';
import { runToEnd, waitForRun } from './support/sync-runs';

/** Upstream faults against the engine, with a job whose every item is one real upstream call (getUserContext). */
jest.setTimeout(120_000);

const CLIENT_KEY = 'companion-faults';
const CLIENT_SECRET = `faults-secret-${randomBytes(12).toString('hex')}`;
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Lists a fixed set of user uuids; processing reads each user's context upstream. */
class UserContextProbeJob implements SyncJob {
  readonly pageSize = 50;

  constructor(
    readonly name: string,
    private readonly uuids: string[],
    private readonly opigno: OpignoClient,
  ) {}

  async listPage(checkpoint: string | null, options: ListPageOptions): Promise<WorkPage<WorkItem>> {
    const start = checkpoint === null ? 0 : Number(checkpoint);
    const end = start + options.pageSize;
    return {
      items: this.uuids.slice(start, end).map((key) => ({ key })),
      nextCheckpoint: end < this.uuids.length ? String(end) : null,
      total: this.uuids.length,
    };
  }

  async process(item: WorkItem): Promise<'unchanged'> {
    await this.opigno.getUserContext(item.key);
    return 'unchanged';
  }
}

function faultEnv(sim: RunningSimulator, extra: Record<string, string>): Record<string, string> {
  return {
    OPIGNO_BASE_URL: sim.url,
    OPIGNO_CLIENT_KEY: CLIENT_KEY,
    OPIGNO_CLIENT_SECRET: CLIENT_SECRET,
    OPIGNO_TIMEOUT_MS: '5000',
    // The engine, not the client, retries here: its pacing is what these tests observe.
    OPIGNO_RETRIES: '0',
    OPIGNO_CIRCUIT_VOLUME_THRESHOLD: '1000',
    OPIGNO_CIRCUIT_ERROR_PERCENT: '100',
    SYNC_LEASE_MS: '2000',
    LOG_LEVEL: 'error',
    ...extra,
  };
}

const users = (n: number): string[] => Array.from({ length: n }, (_, i) => `user-${i + 1}`);

describe('sync under upstream faults', () => {
  let sim: RunningSimulator;
  let t: TestApp;

  beforeAll(async () => {
    sim = await startSimulator({
      clientKey: CLIENT_KEY,
      clientSecret: CLIENT_SECRET,
      generate: { users: 300, learningPaths: 5, progressPerUser: 1 },
    });
    t = await startTestApp(
      faultEnv(sim, {
        SYNC_CONCURRENCY: '4',
        SYNC_MAX_RPS: '100',
        SYNC_ITEM_ATTEMPTS: '2',
        SYNC_BACKOFF_BASE_MS: '20',
        SYNC_BACKOFF_MAX_MS: '100',
      }),
    );
    const registry = t.app.get(SyncJobRegistry);
    const opigno = t.app.get(OpignoClient);
    registry.register(new UserContextProbeJob('probe', users(300), opigno));
    registry.register(new UserContextProbeJob('probe-missing', ['user-1', 'no-such-user', 'user-2'], opigno));
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  it('holds concurrency and requests per second to the configured caps', async () => {
    sim.resetStats();
    const started = Date.now();
    const run = await runToEnd(t, { job: 'probe', mode: 'full' });
    const seconds = (Date.now() - started) / 1000;
    expect(run.status).toBe('succeeded');
    expect(run.counts).toMatchObject({ total: 300, unchanged: 300, failed: 0 });
    expect(sim.stats.maxConcurrentGraphql).toBeLessThanOrEqual(4);
    // 300 calls at 100/s with a burst of 100 take at least 2 s.
    expect(seconds).toBeGreaterThanOrEqual(1.9);
    expect(sim.stats.graphqlRequests).toBeLessThanOrEqual(100 * seconds + 100);
  });

  it('completes with the failed records listed at a 30% upstream error rate; the next incremental run retries exactly those', async () => {
    sim.setFaults({ errorRate: 0.3 });
    let faulty: any;
    try {
      faulty = await runToEnd(t, { job: 'probe', mode: 'full' });
    } finally {
      sim.healFaults();
    }
    expect(faulty.status).toBe('succeeded');
    expect(faulty.counts.total).toBe(300);
    expect(faulty.counts.failed).toBeGreaterThan(0);
    expect(faulty.counts.unchanged + faulty.counts.failed).toBe(300);
    expect(faulty.errors).toHaveLength(Math.min(100, faulty.counts.failed));
    expect(faulty.errors[0]).toMatchObject({ code: 'upstream_unavailable' });
    expect(faulty.errors[0].key).toMatch(/^user-\d+$/);

    const retry = await runToEnd(t, { job: 'probe' });
    expect(retry.status).toBe('succeeded');
    expect(retry.counts).toMatchObject({ total: faulty.counts.failed, unchanged: faulty.counts.failed, failed: 0 });

    const after = await runToEnd(t, { job: 'probe' });
    expect(after.counts.total).toBe(0);
  });

  it('fails a record at once, without retrying, when the error is not an outage', async () => {
    sim.resetStats();
    const run = await runToEnd(t, { job: 'probe-missing', mode: 'full' });
    expect(run.status).toBe('succeeded');
    expect(run.counts).toMatchObject({ total: 3, unchanged: 2, failed: 1 });
    expect(run.errors).toEqual([{ key: 'no-such-user', code: 'upstream_user_not_found', message: expect.any(String) }]);
    expect(sim.stats.byOperationAndUser.getUserContext?.['no-such-user']).toBe(1);
  });
});

describe('sync during an upstream outage', () => {
  let sim: RunningSimulator;
  let t: TestApp;

  beforeAll(async () => {
    sim = await startSimulator({
      clientKey: CLIENT_KEY,
      clientSecret: CLIENT_SECRET,
      generate: { users: 40, learningPaths: 2, progressPerUser: 1 },
    });
    t = await startTestApp(
      faultEnv(sim, {
        SYNC_CONCURRENCY: '4',
        SYNC_MAX_RPS: '0',
        SYNC_ITEM_ATTEMPTS: '8',
        SYNC_BACKOFF_BASE_MS: '100',
        SYNC_BACKOFF_MAX_MS: '800',
      }),
    );
    t.app.get(SyncJobRegistry).register(new UserContextProbeJob('probe', users(40), t.app.get(OpignoClient)));
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  it('pauses with growing backoff while the upstream is down and loses nothing when it recovers', async () => {
    sim.setFaults({ errorRate: 1 });
    const answer = await t.request('POST', '/v1/admin/sync-runs', { body: { job: 'probe', mode: 'full' } });
    expect(answer.status).toBe(202);
    await pause(700);
    const during = sim.stats.graphqlRequests;
    // 100 + 200 + 400 ms of pauses leave room for only a handful of attempts in 700 ms, not a hammering.
    expect(during).toBeLessThanOrEqual(4 * 4);
    sim.healFaults();
    const run = await waitForRun(t, answer.body.id);
    expect(run.status).toBe('succeeded');
    expect(run.counts).toMatchObject({ total: 40, unchanged: 40, failed: 0 });
    const metrics = await t.request('GET', '/metrics', { key: null });
    expect(metrics.text).toMatch(/sync_upstream_backoffs_total\{job="probe"\} [1-9]/);
    expect(metrics.text).toMatch(/sync_runs_finished_total\{job="probe",status="succeeded"\} 1/);
    expect(metrics.text).toMatch(/sync_items_processed_total\{job="probe",outcome="unchanged"\} 40/);
  });
});
