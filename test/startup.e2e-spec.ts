import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../src/simulator/simulator';
import { buildOnce, freePort, startProcess, waitForHttp } from './support/built-app';

describe('starting the service as a process', () => {
  let workdir: string;

  beforeAll(() => {
    buildOnce();
  }, 120_000);
  beforeEach(() => {
    workdir = mkdtempSync(join(tmpdir(), 'companion-start-'));
  });
  afterEach(() => {
    rmSync(workdir, { recursive: true, force: true });
  });

  it('creates ./data, migrates and serves /health/ready on a fresh machine with no configuration', async () => {
    const port = await freePort();
    const app = startProcess({ PORT: String(port), HOST: '127.0.0.1', SIMULATOR_ENABLED: 'false' }, workdir);
    try {
      await waitForHttp(`http://127.0.0.1:${port}/health/ready`);
      expect(existsSync(join(workdir, 'data', 'companion.sqlite'))).toBe(true);
      // The completion line is written after the answer; give the pipe a moment.
      const completed = /"url":"\/health\/ready"},"res":\{"statusCode":200\},"responseTime":\d+,"msg":"request completed"/;
      for (let i = 0; i < 40 && !completed.test(app.output()); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(app.output()).toMatch(completed);
    } finally {
      app.child.kill('SIGTERM');
      expect(await app.exited).toBe(0);
    }
  }, 30_000);

  it('stops at boot with one message naming a bad variable', async () => {
    const app = startProcess({ PORT: 'eighty', SIMULATOR_ENABLED: 'false' }, workdir);
    expect(await app.exited).toBe(1);
    expect(app.output()).toMatch(/PORT/);
    expect(app.output()).not.toMatch(/at .*\.js:\d+/);
  }, 30_000);

  it('stops at boot when OPIGNO_PROXY_URL is not an http(s) URL', async () => {
    const app = startProcess({ OPIGNO_PROXY_URL: 'socks5://127.0.0.1:1080', SIMULATOR_ENABLED: 'false' }, workdir);
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain('OPIGNO_PROXY_URL must be an http(s) URL');
  }, 30_000);

  it('does not print a secret variable when it is invalid', async () => {
    const app = startProcess({ ADMIN_API_KEY: 'short-secret', SIMULATOR_ENABLED: 'false' }, workdir);
    expect(await app.exited).toBe(1);
    expect(app.output()).toMatch(/ADMIN_API_KEY/);
    expect(app.output()).not.toContain('short-secret');
  }, 30_000);

  it('finishes an in-flight request on SIGTERM before exiting', async () => {
    const sim = await startSimulator({ port: 0, clientKey: 'k', clientSecret: 'graceful-secret-123', faults: { latencyMs: 1500 } });
    sim.store.upsertUser({ uuid: 'slow-user', displayName: 'Slow', isActive: true });
    const port = await freePort();
    const adminKey = 'graceful-admin-key-0123456789abcdef';
    const app = startProcess(
      {
        PORT: String(port),
        HOST: '127.0.0.1',
        ADMIN_API_KEY: adminKey,
        OPIGNO_BASE_URL: sim.url,
        OPIGNO_CLIENT_KEY: 'k',
        OPIGNO_CLIENT_SECRET: 'graceful-secret-123',
        OPIGNO_TIMEOUT_MS: '10000',
        SYNC_SCHEDULER_ENABLED: 'false',
      },
      workdir,
    );
    try {
      await waitForHttp(`http://127.0.0.1:${port}/health/ready`);
      const slow = fetch(`http://127.0.0.1:${port}/v1/profiles/slow-user?include=context`, {
        headers: { authorization: `Bearer ${adminKey}` },
      });
      await new Promise((r) => setTimeout(r, 300));
      app.child.kill('SIGTERM');
      const answer = await slow;
      expect(answer.status).toBe(200);
      expect(((await answer.json()) as { context: { uuid: string } }).context.uuid).toBe('slow-user');
      expect(await app.exited).toBe(0);
    } finally {
      app.child.kill('SIGKILL');
      await sim.close();
    }
  }, 30_000);
});
