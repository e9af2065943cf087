import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('does not print a secret variable when it is invalid', async () => {
    const app = startProcess({ ADMIN_API_KEY: 'short-secret', SIMULATOR_ENABLED: 'false' }, workdir);
    expect(await app.exited).toBe(1);
    expect(app.output()).toMatch(/ADMIN_API_KEY/);
    expect(app.output()).not.toContain('short-secret');
  }, 30_000);
});
