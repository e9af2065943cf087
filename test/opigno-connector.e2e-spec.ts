import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { OpignoConnectionRow } from '../src/opigno/opigno-connection.entity';
import { OpignoClient } from '../src/opigno/opigno.client';
import {
  UpstreamAuthError,
  UpstreamMalformedError,
  UpstreamNotFoundError,
  UpstreamRejectedError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from '../src/opigno/opigno.errors';
import { RunningSimulator, startSimulator } from '../src/simulator/simulator';
import { ApiAnswer, RequestOptions, startTestApp, TestApp } from './support/test-app';

const CLIENT_KEY = 'companion-contract';
const CLIENT_SECRET = `contract-secret-${randomBytes(12).toString('hex')}`;
const WRONG_SECRET = `wrong-secret-${randomBytes(12).toString('hex')}`;
/** Tokens the simulator issues are 64 hex characters. */
const SIMULATOR_TOKEN = /\b[0-9a-f]{64}\b/;

function upstreamEnv(sim: RunningSimulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    OPIGNO_BASE_URL: sim.url,
    OPIGNO_CLIENT_KEY: CLIENT_KEY,
    OPIGNO_CLIENT_SECRET: CLIENT_SECRET,
    OPIGNO_DOCUMENTS_DIR: '',
    OPIGNO_TIMEOUT_MS: '2000',
    OPIGNO_RETRIES: '2',
    OPIGNO_MAX_CONCURRENCY: '32',
    OPIGNO_CIRCUIT_VOLUME_THRESHOLD: '5',
    OPIGNO_CIRCUIT_RESET_MS: '5000',
    LOG_LEVEL: 'debug',
    ...extra,
  };
}

/** The error a promise rejects with (fails the test when it resolves). */
async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error: unknown) {
    return error;
  }
  throw new Error('expected the call to fail');
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; error: unknown }> {
  const started = performance.now();
  const error = await failureOf(work());
  return { ms: performance.now() - started, error };
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Every app of this file and every admin API answer, for the final check that no secret leaked. */
const apps: TestApp[] = [];
const answers: string[] = [];

async function bootApp(env: Record<string, string>): Promise<TestApp> {
  const app = await startTestApp(env);
  apps.push(app);
  return app;
}

describe('Opigno connector against the simulator', () => {
  let sim: RunningSimulator;
  let t: TestApp;
  let client: OpignoClient;

  async function api<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiAnswer<T>> {
    const answer = await t.request<T>(method, path, options);
    answers.push(answer.text);
    return answer;
  }

  beforeAll(async () => {
    sim = await startSimulator({
      clientKey: CLIENT_KEY,
      clientSecret: CLIENT_SECRET,
      generate: { users: 3, learningPaths: 150, progressPerUser: 120 },
    });
    t = await bootApp(upstreamEnv(sim, { OPIGNO_MAX_CONCURRENCY: '8' }));
    client = t.app.get(OpignoClient);
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  it('fetches one token for 100 concurrent calls and keeps at most OPIGNO_MAX_CONCURRENCY requests in flight', async () => {
    sim.resetStats();
    const contexts = await Promise.all(Array.from({ length: 100 }, (_, i) => client.getUserContext(`user-${(i % 3) + 1}`)));
    expect(contexts.map((c) => c.uuid)).toContain('user-3');
    expect(sim.stats.tokenRequests).toBe(1);
    expect(sim.stats.byOperation.getUserContext).toBe(100);
    expect(sim.stats.maxConcurrentGraphql).toBeLessThanOrEqual(8);
  });

  it('names the user acted on in Opigno-Client-UUID, and the service uuid for the catalogue', async () => {
    sim.resetStats();
    await client.getUserContext('user-2');
    const first = await client.getCatalogPage({ first: 5 });
    const second = await client.getCatalogPage({ first: 5, after: first.endCursor });
    expect(sim.stats.byOperationAndUser.getUserContext).toEqual({ 'user-2': 1 });
    expect(sim.stats.byOperationAndUser.getCatalogData).toEqual({ 'companion-service': 2 });
    expect(first).toMatchObject({ totalItems: 150, hasNextPage: true });
    expect(first.items).toHaveLength(5);
    expect(first.items[0]).toEqual({
      id: expect.any(String),
      title: expect.any(String),
      certificationEnabled: expect.any(Boolean),
      userEnrolled: false,
    });
    expect(second.items.map((p) => p.id)).not.toEqual(expect.arrayContaining([first.items[0]!.id]));
  });

  it('creates, reads and updates a user context (setUserContext/getUserContext round trip)', async () => {
    const created = await client.setUserContext({
      uuid: 'contract-ada',
      displayName: 'Ada Lovelace',
      isActive: true,
      scope: 'AUTHENTICATED',
    });
    expect(created).toEqual({
      id: expect.stringMatching(/^\d+$/),
      uuid: 'contract-ada',
      displayName: 'Ada Lovelace',
      isActive: true,
      scope: 'AUTHENTICATED',
    });
    await expect(client.getUserContext('contract-ada')).resolves.toEqual(created);
    const renamed = await client.setUserContext({ uuid: 'contract-ada', displayName: 'A. L.' });
    expect(renamed).toEqual({ ...created, displayName: 'A. L.' });
    const anonymous = await client.setUserContext({ uuid: 'anon-7f3a', displayName: 'Anonymous User', isActive: true });
    expect(anonymous.scope).toBeNull();
  });

  it('answers UpstreamNotFoundError for a context Opigno does not have', async () => {
    const error = await failureOf(client.getUserContext('nobody-here'));
    expect(error).toBeInstanceOf(UpstreamNotFoundError);
    expect(error).toMatchObject({ code: 'upstream_user_not_found', kind: 'not_found' });
  });

  it('answers UpstreamRejectedError carrying the violations', async () => {
    const error = await failureOf(client.setUserContext({ uuid: 'contract-long', displayName: 'x'.repeat(256) }));
    expect(error).toBeInstanceOf(UpstreamRejectedError);
    expect((error as UpstreamRejectedError).violations).toEqual(['The displayName may not be longer than 255 characters']);
    expect((error as UpstreamRejectedError).extensions).toEqual({ violations: ['The displayName may not be longer than 255 characters'] });
  });

  it('reads a learning path, null for an unknown one, and every progress page of a user', async () => {
    await expect(client.getLearningPath('1', 'user-1')).resolves.toMatchObject({ id: '1', title: expect.any(String) });
    await expect(client.getLearningPath('99999')).resolves.toBeNull();
    sim.resetStats();
    const progress = await client.getAllUserTrainingProgress('user-1');
    expect(sim.stats.byOperation.getUserTrainingProgress).toBe(2);
    expect(progress).toHaveLength(120);
    const expected = sim.store.listProgress('user-1').map((p) => ({ ...p, status: p.status.toLowerCase(), title: expect.any(String) }));
    expect(progress).toEqual(expected);
  });

  it('fetches exactly one new token when Opigno answers 401 mid-life, and the call succeeds', async () => {
    sim.resetStats();
    sim.revokeAllTokens();
    await expect(client.getUserContext('user-1')).resolves.toMatchObject({ uuid: 'user-1' });
    expect(sim.stats.tokenRequests).toBe(1);
    expect(sim.stats.graphqlRequests).toBe(2);
  });

  it('fetches a new token before the cached one expires', async () => {
    sim.setFaults({ tokenTtlSeconds: 1 });
    sim.revokeAllTokens();
    await client.getUserContext('user-1');
    await pause(1000);
    sim.resetStats();
    await client.getUserContext('user-1');
    expect(sim.stats.tokenRequests).toBe(1);
    expect(sim.stats.graphqlRequests).toBe(1);
    sim.setFaults({ tokenTtlSeconds: 3600 });
  });

  it('exports upstream call, latency, token and circuit metrics', async () => {
    const metrics = await api('GET', '/metrics', { key: null });
    expect(metrics.text).toMatch(/opigno_upstream_calls_total\{operation="getUserContext",outcome="success"\} \d+/);
    expect(metrics.text).toMatch(/opigno_upstream_calls_total\{operation="getUserContext",outcome="upstream_user_not_found"\} 1/);
    expect(metrics.text).toMatch(/opigno_upstream_request_duration_seconds_count\{operation="oauthToken"\} \d+/);
    expect(metrics.text).toMatch(/opigno_upstream_token_fetches_total\{outcome="success"\} \d+/);
    expect(metrics.text).toMatch(/opigno_upstream_circuit_state 0/);
  });

  it('reports the upstream circuit on /health/ready', async () => {
    const health = await api('GET', '/health/ready', { key: null });
    expect(health.status).toBe(200);
    expect(health.body.info.upstream).toEqual({ status: 'up', state: 'closed', configured: true, source: 'config' });
  });

  describe('admin connection routes', () => {
    it('answers 403 to a service key', async () => {
      const serviceKey = await t.createKey('service');
      for (const [method, path] of [
        ['GET', '/v1/admin/connection'],
        ['PUT', '/v1/admin/connection'],
        ['POST', '/v1/admin/connection/test'],
      ] as const) {
        const answer = await api(method, path, {
          key: serviceKey,
          body: method === 'PUT' ? { baseUrl: sim.url, clientKey: 'x' } : undefined,
        });
        expect(answer.status).toBe(403);
      }
    });

    it('shows the connection from the environment without the secret', async () => {
      const answer = await api('GET', '/v1/admin/connection');
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        configured: true,
        source: 'config',
        baseUrl: sim.url,
        graphqlPath: '/graphql',
        clientKey: CLIENT_KEY,
        secretSet: true,
        token: { cached: true, expiresAt: expect.any(String) },
        circuit: 'closed',
        updatedAt: null,
        problem: null,
      });
    });

    it('refuses a bad base URL or an empty key with 422 validation_failed', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ baseUrl: 'not a url', clientKey: 'k', clientSecret: 's' }, 'baseUrl'],
        [{ baseUrl: 'ftp://example.com', clientKey: 'k', clientSecret: 's' }, 'baseUrl'],
        [{ baseUrl: 'https://user:pw@example.com', clientKey: 'k', clientSecret: 's' }, 'baseUrl'],
        [{ baseUrl: 'https://example.com/?x=1', clientKey: 'k', clientSecret: 's' }, 'baseUrl'],
        [{ baseUrl: sim.url, clientKey: '', clientSecret: 's' }, 'clientKey'],
        [{ baseUrl: sim.url, clientKey: '   ', clientSecret: 's' }, 'clientKey'],
        [{ baseUrl: sim.url, clientKey: 'k', clientSecret: 's', graphqlPath: 'graphql' }, 'graphqlPath'],
      ];
      for (const [body, field] of cases) {
        const answer = await api('PUT', '/v1/admin/connection', { body });
        expect(answer.status).toBe(422);
        expect(answer.body.code).toBe('validation_failed');
        expect(answer.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
    });

    it('requires a secret while none is stored', async () => {
      const answer = await api('PUT', '/v1/admin/connection', { body: { baseUrl: sim.url, clientKey: CLIENT_KEY } });
      expect(answer.status).toBe(422);
      expect(answer.body.errors).toEqual([expect.objectContaining({ field: 'clientSecret', code: 'secret_required' })]);
    });

    it('tests the connection: ok with good credentials, the upstream refusal with bad ones', async () => {
      const ok = await api('POST', '/v1/admin/connection/test');
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ ok: true, expiresIn: 3600 });

      const stored = await api('PUT', '/v1/admin/connection', {
        body: { baseUrl: sim.url, clientKey: CLIENT_KEY, clientSecret: WRONG_SECRET },
      });
      expect(stored.status).toBe(200);
      expect(stored.body).toMatchObject({ source: 'database', secretSet: true, token: { cached: false, expiresAt: null } });

      const refused = await api('POST', '/v1/admin/connection/test');
      expect(refused.status).toBe(502);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body).toMatchObject({ code: 'upstream_auth_failed', upstreamStatus: 401, upstreamError: 'invalid_client' });
      await expect(failureOf(client.getUserContext('user-1'))).resolves.toBeInstanceOf(UpstreamAuthError);
    });

    it('stores the secret encrypted, switches to it at once and never shows it', async () => {
      sim.resetStats();
      const stored = await api('PUT', '/v1/admin/connection', {
        body: { baseUrl: `${sim.url}/`, clientKey: CLIENT_KEY, clientSecret: CLIENT_SECRET },
      });
      expect(stored.status).toBe(200);
      expect(stored.body).toMatchObject({
        configured: true,
        source: 'database',
        baseUrl: sim.url,
        secretSet: true,
        updatedAt: expect.any(String),
      });

      const rows: Array<Record<string, unknown>> = await t.app.get(DataSource).query('SELECT * FROM opigno_connection');
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows)).not.toContain(CLIENT_SECRET);
      expect(rows[0]!.client_secret_sealed).toMatch(/^v1:[^:]+:[^:]+:[^:]+$/);

      await expect(client.getUserContext('user-1')).resolves.toMatchObject({ uuid: 'user-1' });
      expect(sim.stats.tokenRequests).toBe(1);
      const shown = await api('GET', '/v1/admin/connection');
      expect(shown.body).toMatchObject({ source: 'database', token: { cached: true } });
      expect(shown.text).not.toContain(CLIENT_SECRET);
    });

    it('keeps the stored secret when the key changes on the same host, and drops the cached token', async () => {
      const renamed = await api('PUT', '/v1/admin/connection', {
        body: { baseUrl: sim.url, clientKey: 'another-key', graphqlPath: '/graphql' },
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({ clientKey: 'another-key', secretSet: true, token: { cached: false } });
      const elsewhere = await api('PUT', '/v1/admin/connection', {
        body: { baseUrl: 'https://elsewhere.example.com', clientKey: CLIENT_KEY },
      });
      expect(elsewhere.status).toBe(422);
      expect(elsewhere.body.errors[0].code).toBe('secret_required');
      const restored = await api('PUT', '/v1/admin/connection', { body: { baseUrl: sim.url, clientKey: CLIENT_KEY } });
      expect(restored.status).toBe(200);
      await expect(client.getUserContext('user-1')).resolves.toMatchObject({ uuid: 'user-1' });
    });

    it('picks up a connection another instance stored', async () => {
      const rows = t.app.get(DataSource).getRepository(OpignoConnectionRow);
      await rows.update(
        { id: 'current' },
        { clientKey: 'set-by-another-instance', revision: 'another-instance-revision', updatedAt: '2030-01-01T00:00:00.000Z' },
      );
      const shown = await api('GET', '/v1/admin/connection');
      expect(shown.body).toMatchObject({
        clientKey: 'set-by-another-instance',
        updatedAt: '2030-01-01T00:00:00.000Z',
        token: { cached: false },
      });
      const restored = await api('PUT', '/v1/admin/connection', { body: { baseUrl: sim.url, clientKey: CLIENT_KEY } });
      expect(restored.body.clientKey).toBe(CLIENT_KEY);
    });
  });
});

describe('Opigno circuit breaker', () => {
  let sim: RunningSimulator;
  let t: TestApp;
  let client: OpignoClient;

  beforeAll(async () => {
    sim = await startSimulator({ clientKey: CLIENT_KEY, clientSecret: CLIENT_SECRET, generate: { users: 2 } });
    t = await bootApp(upstreamEnv(sim, { OPIGNO_RETRIES: '0', OPIGNO_CIRCUIT_VOLUME_THRESHOLD: '3', OPIGNO_CIRCUIT_RESET_MS: '500' }));
    client = t.app.get(OpignoClient);
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  it('opens after repeated failures, then fails fast without calling Opigno, and /health/ready stays 200', async () => {
    sim.setFaults({ errorRate: 1, latencyMs: 150 });
    for (let i = 0; i < 3; i++) {
      const error = await failureOf(client.getUserContext('user-1'));
      expect(error).toBeInstanceOf(UpstreamUnavailableError);
      expect((error as UpstreamUnavailableError).reason).toBe('server_error');
    }
    expect(client.status().state).toBe('open');

    const requestsBefore = sim.stats.graphqlRequests;
    const fast = await timed(() => client.getUserContext('user-1'));
    expect(fast.ms).toBeLessThan(50);
    expect(fast.error).toBeInstanceOf(UpstreamUnavailableError);
    expect(fast.error).toMatchObject({ reason: 'circuit_open', code: 'upstream_unavailable', retryAfterSeconds: 1 });
    expect(sim.stats.graphqlRequests).toBe(requestsBefore);

    const health = await t.request('GET', '/health/ready', { key: null });
    expect(health.status).toBe(200);
    expect(health.body.info.upstream).toMatchObject({ status: 'up', state: 'open', configured: true, source: 'config' });
    const connection = await t.request('GET', '/v1/admin/connection');
    expect(connection.body.circuit).toBe('open');
  });

  it('lets a trial call through after the reset timeout and closes again once Opigno recovers', async () => {
    sim.healFaults();
    await pause(600);
    expect(client.status().state).toBe('half_open');
    await expect(client.getUserContext('user-1')).resolves.toMatchObject({ uuid: 'user-1' });
    expect(client.status().state).toBe('closed');
  });

  it('does not count rejections and unknown users as failures', async () => {
    for (let i = 0; i < 10; i++) {
      await expect(failureOf(client.setUserContext({ uuid: 'too-long', displayName: 'x'.repeat(300) }))).resolves.toBeInstanceOf(
        UpstreamRejectedError,
      );
      await expect(failureOf(client.getUserContext(`missing-${i}`))).resolves.toBeInstanceOf(UpstreamNotFoundError);
    }
    expect(client.status().state).toBe('closed');
  });
});

describe('Opigno timeouts, malformed answers and operator documents', () => {
  let sim: RunningSimulator;
  let t: TestApp;
  let client: OpignoClient;
  let documentsDir: string;

  beforeAll(async () => {
    documentsDir = mkdtempSync(join(tmpdir(), 'opigno-documents-'));
    // An operator's replacement that forgets `id`: the mapper must refuse the answer, not invent a value.
    writeFileSync(
      join(documentsDir, 'get-learning-path.graphql'),
      'query OperatorLearningPath($lpId: ID!) { getLearningPath(lpId: $lpId) { training { title } userEnrolled certificationEnabled } }',
    );
    sim = await startSimulator({ clientKey: CLIENT_KEY, clientSecret: CLIENT_SECRET, generate: { users: 2 } });
    t = await bootApp(
      upstreamEnv(sim, {
        OPIGNO_TIMEOUT_MS: '200',
        OPIGNO_RETRIES: '1',
        OPIGNO_CIRCUIT_VOLUME_THRESHOLD: '1000',
        OPIGNO_DOCUMENTS_DIR: documentsDir,
      }),
    );
    client = t.app.get(OpignoClient);
    await client.getUserContext('user-1');
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
    rmSync(documentsDir, { recursive: true, force: true });
  });

  it('answers UpstreamTimeoutError when Opigno does not answer in OPIGNO_TIMEOUT_MS, after one retry', async () => {
    sim.setFaults({ timeoutRate: 1 });
    sim.resetStats();
    const { ms, error } = await timed(() => client.getUserContext('user-1'));
    sim.healFaults();
    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect(error).toMatchObject({ code: 'upstream_timeout', kind: 'unavailable' });
    expect(sim.stats.graphqlRequests).toBe(2);
    expect(ms).toBeGreaterThanOrEqual(390);
    expect(ms).toBeLessThan(1500);
  });

  it('answers UpstreamMalformedError for a truncated body, without retrying', async () => {
    sim.setFaults({ malformedRate: 1 });
    sim.resetStats();
    const error = await failureOf(client.getUserContext('user-1'));
    sim.healFaults();
    expect(error).toBeInstanceOf(UpstreamMalformedError);
    expect(sim.stats.graphqlRequests).toBe(1);
  });

  it('sends operator documents from OPIGNO_DOCUMENTS_DIR and refuses answers without the expected shape', async () => {
    sim.resetStats();
    const error = await failureOf(client.getLearningPath('1', 'user-1'));
    expect(sim.stats.byOperationName).toEqual({ OperatorLearningPath: 1 });
    expect(error).toBeInstanceOf(UpstreamMalformedError);
    expect((error as Error).message).toContain('data.getLearningPath.id');
    await expect(client.getUserContext('user-1')).resolves.toMatchObject({ uuid: 'user-1' });
  });
});

describe('secrets', () => {
  it('never writes the client secret or a bearer token to the logs or an API answer', () => {
    const logs = apps.flatMap((app) => app.logs).join('');
    expect(logs).toContain('Opigno refused the client credentials');
    expect(logs).toContain('Opigno circuit opened');
    for (const text of [logs, answers.join('\n')]) {
      expect(text).not.toContain(CLIENT_SECRET);
      expect(text).not.toContain(WRONG_SECRET);
      expect(text).not.toMatch(SIMULATOR_TOKEN);
      expect(text).not.toMatch(/Bearer\s+[0-9a-f]{16}/);
    }
  });
});
