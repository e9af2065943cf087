import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnce, freePort, PROJECT_ROOT, RunningProcess, startProcess, waitForHttp } from '../support/built-app';
import { FigureCounter, RESULTS_DIR } from './figures';

/**
 * The built app as a real process on a SQLite file: a stream of acknowledged writes, SIGKILL in the
 * middle, restart on the same file. Every write that was answered 2xx must be there with its exact
 * value; a write that was in flight at the kill may be there or not, but never torn.
 */

const ROUNDS = 3;
const WRITERS = 8;
const ADMIN_KEY = `crash-admin-${randomBytes(16).toString('hex')}`;

interface Expectation {
  /** the last value a 2xx acknowledged */
  acked: string | null;
  /** a value sent but never answered (the process died): may or may not be stored */
  inFlight: string | null;
}

interface RunningApp {
  process: RunningProcess;
  url: string;
}

describe('SIGKILL in the middle of acknowledged writes (built app, SQLite)', () => {
  const figures = new FigureCounter('crash');
  let dir: string;
  let sqlitePath: string;
  const running: RunningProcess[] = [];
  /** uuid → what must (or may) be stored */
  const expected = new Map<string, Expectation>();

  /** A private copy of the build (inside the project, so node_modules resolves): other people's builds cannot change it under us. */
  let entry: string;
  let buildCopy: string;

  const start = async (): Promise<RunningApp> => {
    const port = await freePort();
    const child = startProcess(
      {
        NODE_ENV: 'test',
        SQLITE_PATH: sqlitePath,
        ADMIN_API_KEY: ADMIN_KEY,
        PORT: String(port),
        HOST: '127.0.0.1',
        SIMULATOR_ENABLED: 'false',
        LOG_LEVEL: 'warn',
        RATE_LIMIT_PER_MINUTE: '1000000',
        SYNC_SCHEDULER_ENABLED: 'false',
      },
      PROJECT_ROOT,
      entry,
    );
    running.push(child);
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForHttp(`${url}/health/ready`, 20_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${child.output()}`);
    }
    return { process: child, url };
  };

  const call = async (app: RunningApp, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const response = await fetch(app.url + path, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    figures.request(response.status);
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };

  const kill = async (app: RunningApp): Promise<void> => {
    app.process.child.kill('SIGKILL');
    await app.process.exited;
  };

  /** Reads back every record ever acknowledged; answers the ones missing or wrong. */
  const verify = async (app: RunningApp): Promise<string[]> => {
    const problems: string[] = [];
    const uuids = [...expected.keys()];
    for (let i = 0; i < uuids.length; i += 16) {
      await Promise.all(
        uuids.slice(i, i + 16).map(async (uuid) => {
          const want = expected.get(uuid)!;
          const read = await call(app, 'GET', `/v1/profiles/${uuid}`);
          const stored: string | null = read.status === 200 ? read.body.fields.value : null;
          if (read.status !== 200 && read.status !== 404) problems.push(`${uuid}: read answered ${read.status}`);
          const allowed = [want.acked, want.inFlight];
          if (want.acked === null) allowed.push(null);
          if (!allowed.includes(stored)) {
            if (want.acked !== null) figures.figures.recordsLost++;
            problems.push(
              `${uuid}: stored ${JSON.stringify(stored)}, acknowledged ${JSON.stringify(want.acked)}, in flight ${JSON.stringify(want.inFlight)}`,
            );
          }
          // What survives is now the truth for the next round.
          expected.set(uuid, { acked: stored, inFlight: null });
        }),
      );
    }
    return problems;
  };

  /**
   * WRITERS sequential writers, each on its own uuids (so "the last acknowledged value" is well
   * defined): mostly creates, sometimes a PATCH of one of its earlier records. The process is
   * SIGKILLed once `killAfter` writes were acknowledged.
   */
  const streamAndKill = async (app: RunningApp, round: number, killAfter: number): Promise<{ acked: number; inFlightAtKill: number }> => {
    let acked = 0;
    let inFlightAtKill = 0;
    let killed = false;
    let killing: Promise<void> | null = null;
    const writer = async (w: number): Promise<void> => {
      const mine: string[] = [];
      for (let k = 0; !killed; k++) {
        const update = mine.length > 0 && k % 4 === 3;
        const uuid = update ? mine[k % mine.length]! : `crash-r${round}-w${w}-${k}`;
        const value = `r${round}w${w}k${k}-${randomBytes(6).toString('hex')}-ümlaut-🚀`;
        const before = expected.get(uuid) ?? { acked: null, inFlight: null };
        expected.set(uuid, { acked: before.acked, inFlight: value });
        let status: number;
        try {
          status = (
            update
              ? await call(app, 'PATCH', `/v1/profiles/${uuid}`, { fields: { value } })
              : await call(app, 'PUT', `/v1/profiles/${uuid}`, { fields: { value, n: k } })
          ).status;
        } catch (error) {
          if (!killing)
            throw new Error(
              `write failed before the kill: ${String((error as Error).cause ?? error)}\n${app.process.output().slice(-2_000)}`,
            );
          inFlightAtKill++;
          return; // the process is gone: this write stays "in flight"
        }
        if (status >= 200 && status < 300) {
          expected.set(uuid, { acked: value, inFlight: null });
          if (!update) mine.push(uuid);
          acked++;
        } else {
          throw new Error(`${uuid}: write answered ${status}`);
        }
        if (acked >= killAfter && !killing) {
          killing = kill(app).then(() => {
            killed = true;
          });
        }
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
    await killing;
    return { acked, inFlightAtKill };
  };

  beforeAll(() => {
    buildOnce();
    buildCopy = join(RESULTS_DIR, `app-build-${process.pid}`);
    cpSync(join(PROJECT_ROOT, 'dist'), join(buildCopy, 'dist'), { recursive: true, filter: (source) => !source.endsWith('.map') });
    entry = join(buildCopy, 'dist', 'src', 'main.js');
    dir = mkdtempSync(join(tmpdir(), 'companion-crash-rel-'));
    sqlitePath = join(dir, 'companion.sqlite');
  }, 180_000);

  afterAll(() => {
    for (const child of running) if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGKILL');
    figures.flush();
    rmSync(dir, { recursive: true, force: true });
    rmSync(buildCopy, { recursive: true, force: true });
  });

  it(`keeps every acknowledged write through ${ROUNDS} SIGKILLs`, async () => {
    let app = await start();
    expect(
      (await call(app, 'POST', '/v1/admin/fields/profile', { key: 'value', label: 'Value', type: 'string', maxLength: 200 })).status,
    ).toBe(201);
    expect((await call(app, 'POST', '/v1/admin/fields/profile', { key: 'n', label: 'N', type: 'integer' })).status).toBe(201);

    for (let round = 1; round <= ROUNDS; round++) {
      const killAfter = 150 + Math.floor(Math.random() * 150);
      const { acked, inFlightAtKill } = await streamAndKill(app, round, killAfter);
      figures.figures.faultsInjected++;
      figures.note(`round${round}`, `${acked} acknowledged, ${inFlightAtKill} in flight at SIGKILL`);
      expect(acked).toBeGreaterThanOrEqual(killAfter);

      // Nothing runs on the file now: it must be a sound database.
      const db = new Database(sqlitePath, { readonly: true });
      const integrity = db.pragma('integrity_check', { simple: true });
      db.close();
      expect(integrity).toBe('ok');

      app = await start();
      const problems = await verify(app);
      expect({ round, problems }).toEqual({ round, problems: [] });
    }
    figures.note('recordsChecked', expected.size);
    await kill(app);
  }, 150_000);
});
