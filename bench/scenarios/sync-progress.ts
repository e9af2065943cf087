import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../test/support/built-app';
import type { BenchContext } from '../lib/context';
import { memoryOf, startApp, startSimulatorProcess, upstreamEnv } from '../lib/processes';
import { report } from '../lib/report';
import { defineProfileFields, importProfiles } from '../lib/seed';

const CONCURRENCY = 8;

interface SyncFigures {
  seconds: number;
  peakRssMb: number;
  usersPerSecond: number;
  output: string;
}

/** The node flags of `npm run cli`: the CLI caps its heap so a long batch run keeps a flat footprint. */
const CLI_NODE_FLAGS = ['--max-old-space-size=128'];

/** Runs `npm run cli -- sync progress --full` as a process (without npm), sampling its memory. */
async function runSyncCli(env: Record<string, string>, cwd: string, users: number): Promise<SyncFigures> {
  const started = performance.now();
  let output = '';
  const child = spawn(
    process.execPath,
    [...CLI_NODE_FLAGS, join(PROJECT_ROOT, 'dist', 'src', 'cli', 'main.js'), 'sync', 'progress', '--full'],
    {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        TZ: 'UTC',
        LOG_LEVEL: 'warn',
        SYNC_CONCURRENCY: String(CONCURRENCY),
        SYNC_MAX_RPS: '1000000',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  let peakRssMb = 0;
  const sampler = setInterval(() => {
    try {
      peakRssMb = Math.max(peakRssMb, memoryOf(child.pid!).peakRssMb);
    } catch {
      /* exited */
    }
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`sync exited ${code}: ${output.slice(-2000)}`);
  const seconds = (performance.now() - started) / 1000;
  return { seconds, peakRssMb, usersPerSecond: users / seconds, output };
}

async function seededDatabase(ctx: BenchContext, name: string, users: number): Promise<Record<string, string>> {
  const database = await ctx.database('sqlite', name);
  const app = await startApp(database.env, ctx.workdir);
  await defineProfileFields(app.url);
  await importProfiles(app.url, users, 20_000);
  await app.stop();
  return database.env;
}

/** Scenario 5: a full progress sync against the simulator; rate against concurrency ÷ latency, and memory flat in the number of users. */
export async function syncProgress(ctx: BenchContext): Promise<void> {
  const latencyMs = 10;
  const small = 10_000;
  const large = 100_000;

  const sim = await startSimulatorProcess({ users: small, 'learning-paths': 20, 'progress-per-user': 3, latency: latencyMs });
  const smallEnv = await seededDatabase(ctx, 'sync-small', small);
  const timed = await runSyncCli({ ...smallEnv, ...upstreamEnv(sim) }, ctx.workdir, small);
  await sim.stop();
  const theoretical = CONCURRENCY / (latencyMs / 1000);
  report({
    scenario: `5 full progress sync, ${small} users, upstream ${latencyMs} ms, concurrency ${CONCURRENCY}`,
    figure: 'rate',
    value: timed.usersPerSecond,
    unit: 'users/s',
    baseline: theoretical,
    ratio: timed.usersPerSecond / theoretical,
    target: '>= 0.7x (concurrency / latency)',
    met: timed.usersPerSecond / theoretical >= 0.7,
    notes: { seconds: timed.seconds, peakRssMb: timed.peakRssMb },
  });

  // Memory: the same job over 10x the users, with a fast upstream so it finishes in reasonable time.
  const fastSim = await startSimulatorProcess({ users: large, 'learning-paths': 20, 'progress-per-user': 3, latency: 0 });
  const smallFast = await runSyncCli(
    { ...(await seededDatabase(ctx, 'sync-mem-small', small)), ...upstreamEnv(fastSim) },
    ctx.workdir,
    small,
  );
  const largeFast = await runSyncCli(
    { ...(await seededDatabase(ctx, 'sync-mem-large', large)), ...upstreamEnv(fastSim) },
    ctx.workdir,
    large,
  );
  await fastSim.stop();
  const growth = largeFast.peakRssMb - smallFast.peakRssMb;
  report({
    scenario: `5 full progress sync, peak RSS ${large} vs ${small} users`,
    figure: 'peak RSS growth',
    value: growth,
    unit: 'MB',
    baseline: smallFast.peakRssMb,
    target: '<= 50 MB',
    met: growth <= 50,
    notes: { peakRssSmallMb: smallFast.peakRssMb, peakRssLargeMb: largeFast.peakRssMb, largeSeconds: largeFast.seconds },
  });
}
