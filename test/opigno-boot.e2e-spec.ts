import { validateEnvironment } from '../src/config/environment';
import { OpignoClient } from '../src/opigno/opigno.client';
import { UpstreamNotConfiguredError } from '../src/opigno/opigno.errors';
import { startTestApp, TestApp } from './support/test-app';

const NO_UPSTREAM = { OPIGNO_BASE_URL: '', OPIGNO_CLIENT_KEY: '', OPIGNO_CLIENT_SECRET: '' };

// First in the file: nestjs-pino keeps one root logger per module registry, so only the first app's logs reach its own t.logs.
describe('Opigno connector in development without OPIGNO_BASE_URL', () => {
  let t: TestApp;
  let closed = false;

  beforeAll(async () => {
    t = await startTestApp({ ...NO_UPSTREAM, NODE_ENV: 'development', SIMULATOR_ENABLED: 'true', SIMULATOR_USERS: '4' });
  });
  afterAll(async () => {
    if (!closed) await t?.close();
  });

  it('starts the simulator in-process, says so in the log, and calls it', async () => {
    const connection = await t.request('GET', '/v1/admin/connection');
    expect(connection.body).toMatchObject({
      configured: true,
      source: 'simulator',
      baseUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      secretSet: true,
    });
    expect(t.logs.join('')).toContain('SIMULATOR');
    await expect(t.app.get(OpignoClient).getUserContext('user-4')).resolves.toMatchObject({ uuid: 'user-4', isActive: true });
    await expect(
      t.app
        .get(OpignoClient)
        .getUserContext('user-5')
        .catch((e: unknown) => e),
    ).resolves.toMatchObject({ code: 'upstream_user_not_found' });
  });

  it('stops the simulator when the app shuts down', async () => {
    const { baseUrl } = (await t.request('GET', '/v1/admin/connection')).body as { baseUrl: string };
    await expect(fetch(`${baseUrl}/__admin/health`)).resolves.toMatchObject({ status: 200 });
    await t.close();
    closed = true;
    await expect(fetch(`${baseUrl}/__admin/health`)).rejects.toThrow();
  });
});

describe('Opigno connector without any upstream configured', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ ...NO_UPSTREAM, SIMULATOR_ENABLED: 'false', ENCRYPTION_KEY: '' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('boots, and upstream calls fail with UpstreamNotConfiguredError', async () => {
    const error = await t.app
      .get(OpignoClient)
      .getUserContext('user-1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamNotConfiguredError);
    expect(error).toMatchObject({ code: 'upstream_not_configured', kind: 'unavailable' });
    expect((error as Error).message).toContain('OPIGNO_BASE_URL');
  });

  it('reports an unconfigured upstream on /health/ready and /v1/admin/connection', async () => {
    const health = await t.request('GET', '/health/ready', { key: null });
    expect(health.status).toBe(200);
    expect(health.body.info.upstream).toEqual({ status: 'up', state: 'closed', configured: false, source: 'config' });
    const connection = await t.request('GET', '/v1/admin/connection');
    expect(connection.body).toMatchObject({
      configured: false,
      baseUrl: null,
      secretSet: false,
      problem: expect.stringContaining('OPIGNO_BASE_URL'),
    });
  });

  it('answers 503 upstream_not_configured to a connection test', async () => {
    const answer = await t.request('POST', '/v1/admin/connection/test');
    expect(answer.status).toBe(503);
    expect(answer.body.code).toBe('upstream_not_configured');
  });

  it('refuses to store a secret without ENCRYPTION_KEY (409 encryption_key_missing)', async () => {
    const answer = await t.request('PUT', '/v1/admin/connection', {
      body: { baseUrl: 'https://learn.example.com', clientKey: 'k', clientSecret: 'plain-secret' },
    });
    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('encryption_key_missing');
    expect(answer.body.detail).toContain('ENCRYPTION_KEY');
    expect(answer.text).not.toContain('plain-secret');
  });
});

describe('production configuration', () => {
  it('refuses to start without OPIGNO_BASE_URL, naming the variable', () => {
    expect(() => validateEnvironment({ NODE_ENV: 'production' })).toThrow(/OPIGNO_BASE_URL is required when NODE_ENV=production/);
    expect(() => validateEnvironment({ NODE_ENV: 'production', OPIGNO_BASE_URL: 'https://learn.example.com' })).not.toThrow();
  });

  it('refuses an OPIGNO_SERVICE_UUID outside the user identifier character set', () => {
    expect(() => validateEnvironment({ OPIGNO_SERVICE_UUID: 'has space' })).toThrow(/OPIGNO_SERVICE_UUID/);
  });
});
