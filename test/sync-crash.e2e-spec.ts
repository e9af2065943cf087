import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningSimulator, startSimulator } from '../src/simulator/simulator';
import { createPostgresDatabase } from './support/fresh-database';

/**
 * The built app as a real process: a run is SIGKILLed halfway, a new process resumes the same
 * run, and the final counts equal an uninterrupted run's. Also drives the `sync` CLI command.
 */
jest.setTimeout(240_000);

const ROOT = join(__dirname, '..');
const CLIENT_KEY = 'companion-crash';
const CLIENT_SECRET = `crash-secret-${randomBytes(12).toString('hex')}`;
const ADMIN_KEY = `crash-admin-key-${randomBytes(16).toString('hex')}`;
const PATHS = 3000;
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface Database {
  env: Record<string, string>;
  drop(): Promise<void>;
}

async function freshDatabase(dir: string): Promise<Database> {
  const server = process.env.DATABASE_URL;
  if (!server) return { env: { SQLITE_PATH: join(dir, 'companion.sqlite') }, drop: async () => undefined };
  const { url, drop } = await createPostgresDatabase(server, 'companion_crash');
  return { env: { DATABASE_URL: url }, drop };
}

describe('sync crash resume (built app, real processes)', () => {
  let sim: RunningSimulator;
  let dir: string;
  let database: Database;
  let baseEnv: Record<string, string>;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    execFileSync('npx', ['nest', 'build'], { cwd: ROOT, stdio: 'pipe', timeout: 180_000 });
    sim = await startSimulator({ clientKey: CLIENT_KEY, clientSecret: CLIENT_SECRET, generate: { users: 0, learningPaths: PATHS } });
    dir = mkdtempSync(join(tmpdir(), 'companion-crash-'));
    database = await freshDatabase(dir);
    const inherited = { ...process.env };
    delete inherited.DATABASE_URL;
    baseEnv = {
      ...(inherited as Record<string, string>),
      NODE_ENV: 'test',
      TZ: 'UTC',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ADMIN_API_KEY: ADMIN_KEY,
      SIMULATOR_ENABLED: 'false',
      SYNC_SCHEDULER_ENABLED: 'false',
      SYNC_LEASE_MS: '1500',
      ENCRYPTION_KEY: 'b'.repeat(64),
      OPIGNO_BASE_URL: sim.url,
      OPIGNO_CLIENT_KEY: CLIENT_KEY,
      OPIGNO_CLIENT_SECRET: CLIENT_SECRET,
      OPIGNO_TIMEOUT_MS: '5000',
      ...database.env,
    };
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await sim?.close();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function startApp(): Promise<{
    child: ChildProcess;
    api: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;
  }> {
    const port = await freePort();
    const child = spawn(process.execPath, ['dist/src/main.js'], {
      cwd: ROOT,
      env: { ...baseEnv, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    children.push(child);
    const base = `http://127.0.0.1:${port}`;
    const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
      const response = await fetch(base + path, {
        method,
        headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    };
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`app exited with ${child.exitCode}: ${stderr}`);
      try {
        if ((await fetch(`${base}/health/live`)).status === 200) break;
      } catch {
        // not listening yet
      }
      if (i > 300) throw new Error(`app did not start: ${stderr}`);
      await pause(100);
    }
    return { child, api };
  }

  function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['dist/src/cli/main.js', ...args],
        { cwd: ROOT, env: baseEnv, timeout: 120_000 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  it('resumes the run a SIGKILLed process left, in a new process, with no double counting', async () => {
    sim.setFaults({ latencyMs: 120 });
    const first = await startApp();
    const started = await first.api('POST', '/v1/admin/sync-runs', { job: 'trainings', mode: 'full' });
    expect(started.status).toBe(202);
    const runId: string = started.body.id;

    let before: any;
    for (;;) {
      before = (await first.api('GET', `/v1/admin/sync-runs/${runId}`)).body;
      if (before.counts.total >= 900) break;
      expect(before.status).toBe('running');
      await pause(20);
    }
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));

    const second = await startApp();
    let resumed: { status: number; body: any };
    for (let i = 0; ; i++) {
      resumed = await second.api('POST', '/v1/admin/sync-runs', { job: 'trainings' });
      if (resumed.status !== 409) break;
      // The dead holder's lease is still valid: 409 names its run, until it expires.
      expect(resumed.body).toMatchObject({ code: 'sync_already_running', runId });
      if (i > 100) throw new Error('the dead lease never expired');
      await pause(100);
    }
    expect(resumed.status).toBe(202);
    expect(resumed.body).toMatchObject({ id: runId, status: 'running', mode: 'full', resumeCount: 1 });
    expect(resumed.body.counts.total).toBeGreaterThanOrEqual(900);
    expect(resumed.body.counts.total).toBeLessThan(PATHS);

    sim.healFaults();
    let run: any;
    for (;;) {
      run = (await second.api('GET', `/v1/admin/sync-runs/${runId}`)).body;
      if (run.status !== 'running') break;
      await pause(50);
    }
    expect(run.status).toBe('succeeded');
    expect(run.counts).toEqual({ total: PATHS, added: PATHS, updated: 0, unchanged: 0, skipped: 0, failed: 0, removed: 0 });

    // The CLI shares the lease: refused while a run is in progress, then runs and reports in this process.
    sim.setFaults({ latencyMs: 200 });
    const busy = await second.api('POST', '/v1/admin/sync-runs', { job: 'trainings', mode: 'full' });
    expect(busy.status).toBe(202);
    const refused = await runCli(['sync', 'trainings']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(busy.body.id);
    await second.api('POST', `/v1/admin/sync-runs/${busy.body.id}/cancel`);
    for (;;) {
      if ((await second.api('GET', `/v1/admin/sync-runs/${busy.body.id}`)).body.status !== 'running') break;
      await pause(50);
    }
    sim.healFaults();

    sim.store.addLearningPath({ id: '5', title: 'Renamed by the CLI test' });
    const dry = await runCli(['sync', 'trainings', '--full', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/Started full dry run/);
    expect(dry.stdout).toMatch(/succeeded/);
    expect(dry.stdout).toMatch(/^3000\s+0\s+1\s+2999\s+0\s+0\s+0\s+true/m);
    expect((await second.api('GET', '/v1/learning-paths/5')).body.title).not.toBe('Renamed by the CLI test');

    const unknown = await runCli(['sync', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('trainings');
    second.child.kill('SIGTERM');
  });
});
